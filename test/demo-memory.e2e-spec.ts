import { describeDemo } from './demo/demo-suite';

describeDemo('the in-memory store', () => ({ REDIS_URL: undefined }));

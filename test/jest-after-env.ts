import { closeLeftoverModules } from './test-helpers';

// After each spec file: close what a failed test left open, so jest reports and exits.
afterAll(closeLeftoverModules);

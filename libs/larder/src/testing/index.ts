// `@larder/nestjs/testing`: what an application's tests use. The contract suites are jest suites
// (they call describe/it/expect from @jest/globals) and `startLarder` builds on @nestjs/testing;
// both are loaded when used, so importing this entry point needs neither. Run your own store
// through the same behaviour as Larder's, from your own jest specs. See docs/architecture.md.
export {
  closeLarderModules,
  eventually,
  startLarder,
  uniqueNamespace,
  type LarderTestingModule,
  type StartLarderOptions,
} from './testing-module';
export { LarderTestClock } from './test-clock';
export type { LarderClock } from '../common/clock';
export { describeCacheContract } from './cache.contract';
export { describeLockContract } from './lock.contract';
export { describeRateLimitStoreContract } from './rate-limit-store.contract';
export {
  describeSessionContract,
  type SessionContractSetup,
  type SessionStoreInspector,
} from './session.contract';
export { describeLeaderboardContract } from './leaderboard.contract';

// Loads the `@larder/nestjs/testing` entry point from an ES module and lists what it exports.
// The consumer check runs it when the package ships that entry point.
import * as testing from '@larder/nestjs/testing';

// A CommonJS package seen from ESM also shows `default`, `__esModule` and, on newer Node, `module.exports`.
const names = Object.keys(testing).filter(
  (name) => !['default', '__esModule', 'module.exports'].includes(name),
);
// The fake clock works without @nestjs/testing or jest: it only needs the package itself.
const clock = new testing.LarderTestClock();
clock.advance('5m');
process.stdout.write(`${JSON.stringify({ exports: names.sort(), clockAdvancedBy: clock.advancedBy })}\n`);

// `npm run bench`: the benchmark, not part of `npm test` (speed targets are measured, not asserted).
const base = require('../jest.preset').jestConfig(__dirname, 'int');
module.exports = { ...base, displayName: 'e2e (bench)', testMatch: ['<rootDir>/**/*.bench.ts'], testTimeout: 4 * 3_600_000 };

// The console's end-to-end tests: Playwright (playwright-core) drives Debian's Chromium through the
// real stack, each service its own process. Jest runs them (node side), as the other int-specs.
const base = require('../../jest.preset').jestConfig(__dirname, 'int');
module.exports = { ...base, roots: ['<rootDir>/e2e'], testTimeout: 180_000 };

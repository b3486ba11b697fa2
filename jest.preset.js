// One Jest setup for every project: @swc/jest compiles TypeScript with decorator metadata
// (NestJS needs it) and the @bpo/* aliases of tsconfig.base.json are mapped to their sources.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, path.join(__dirname, target)]),
);

/** @param {string} projectDir absolute folder of the project @param {'unit'|'int'} kind */
function jestConfig(projectDir, kind = 'unit') {
  const name = path.relative(__dirname, projectDir);
  return {
    displayName: `${name}${kind === 'int' ? ' (int)' : ''}`,
    rootDir: projectDir,
    testEnvironment: 'node',
    testMatch: kind === 'int' ? ['<rootDir>/**/*.int-spec.ts'] : ['<rootDir>/**/*.spec.ts'],
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: {
            target: 'es2022',
            parser: { syntax: 'typescript', decorators: true },
            transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          },
          module: { type: 'commonjs' },
          sourceMaps: 'inline',
        },
      ],
    },
    moduleFileExtensions: ['ts', 'js', 'json'],
    moduleNameMapper,
    testTimeout: kind === 'int' ? 120_000 : 10_000,
    ...(kind === 'int' ? { maxWorkers: 1 } : {}),
  };
}

module.exports = { jestConfig };

#!/usr/bin/env node
// `bpo-sync`: the file check for BPOs (apps/cli), run from its build in dist/apps/cli with the
// @bpo/* aliases resolved there (as scripts/run.js does for the services). Builds it once when
// the build is missing (`npx nx build cli` rebuilds it). Needs no Kafka and no PostgreSQL.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..');
const outDir = path.join(root, 'dist/apps/cli');
const entry = path.join(outDir, 'apps/cli/src/main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('bpo-sync: building the CLI once (npx nx build cli)...\n');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
  const built = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'apps/cli/tsconfig.app.json')], { stdio: 'inherit' });
  if (built.status !== 0 || !fs.existsSync(entry)) {
    process.stderr.write('bpo-sync: the build failed\n');
    process.exit(2);
  }
}
const tsconfigPaths = require('tsconfig-paths');
const { compilerOptions } = require(path.join(root, 'tsconfig.base.json'));
tsconfigPaths.register({ baseUrl: outDir, paths: compilerOptions.paths });
require(entry);

#!/usr/bin/env node
// Runs a built entry point (dist/...) with the @bpo/* aliases of tsconfig.base.json resolved
// inside that build's own output folder. Usage: node scripts/run.js <outDir> <entry.js>
'use strict';
const path = require('node:path');
const tsconfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../tsconfig.base.json');

const [outDir, entry] = process.argv.slice(2);
if (!outDir || !entry) {
  process.stderr.write('usage: node scripts/run.js <outDir> <entry.js>\n');
  process.exit(2);
}
tsconfigPaths.register({ baseUrl: path.resolve(outDir), paths: compilerOptions.paths });
require(path.resolve(entry));

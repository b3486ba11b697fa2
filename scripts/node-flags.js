'use strict';
// The V8 flags each service process runs with, wherever it is started: `npm start`
// (scripts/supervise.js) and the tests' and bench's service processes (libs/testing). The Docker
// image sets the same in NODE_OPTIONS, and docker-compose the parser's own.
//
// - A bounded old space: every service streams, so without a bound V8 lets garbage pile up to
//   gigabytes before collecting it (BPO_SERVICE_HEAP_MB, default 192).
// - A larger young generation than V8's 16 MB semi-spaces: batches are short-lived and large, and
//   scavenges cost a large file's middle stages and writer about a fifth of their CPU
//   (BPO_SERVICE_SEMI_SPACE_MB, default 32). Not the parser's: it holds a file's stored digests and
//   its read buffers, and with 32 MB its peak RSS passed 300 MB at a million rows.

const HEAP_MB = 192;
const SEMI_SPACE_MB = 32;
const PARSER_SEMI_SPACE_MB = 16;

/** The node flags of one process of `service`, with the environment's overrides. */
function serviceNodeFlags(service, env = process.env) {
  const semiSpace = env.BPO_SERVICE_SEMI_SPACE_MB || (service === 'parser' ? PARSER_SEMI_SPACE_MB : SEMI_SPACE_MB);
  return [`--max-old-space-size=${env.BPO_SERVICE_HEAP_MB || HEAP_MB}`, `--max-semi-space-size=${semiSpace}`];
}

module.exports = { serviceNodeFlags };

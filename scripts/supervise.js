#!/usr/bin/env node
// `npm start`'s process supervisor: starts the built services (dist/), N instances each if asked,
// waits until every one answers /health, then keeps them running: an instance that exits is
// restarted with backoff (1 s doubling to 30 s) and the console says so. SIGINT/SIGTERM stop them
// all gracefully (SIGKILL after 20 s). Logs: .data/logs/<service>[-<n>].log, appended across restarts.
//
// Instances: INSTANCES=<n> for every service, <SERVICE>_INSTANCES=<n> for one (e.g. PARSER_INSTANCES=2,
// SCHEDULE_WRITER_INSTANCES=3), 1 to 9. Instance n (from 2) listens on HTTP port <default> + 10*(n-1)
// (parser: 3002, 3012, 3022...) and logs to <service>-<n>.log; sftp-ingest's SFTP port is 2222 + (n-1). Extra instances of the
// Kafka stages share their stage's work (one consumer group; partitions are split among them).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const repoRoot = path.resolve(__dirname, '..');
const logDir = path.join(repoRoot, '.data', 'logs');
const SERVICES = [
  { name: 'sftp-ingest', port: 3001 },
  { name: 'parser', port: 3002 },
  { name: 'mapping', port: 3003 },
  { name: 'agent-resolution', port: 3004 },
  { name: 'schedule-writer', port: 3005 },
  { name: 'config-api', port: 3000 },
];
const MAX_BACKOFF_MS = 30_000;
const STARTUP_ATTEMPTS = 5; // exits before ever being healthy, then `npm start` gives up (e.g. bad configuration)
const HEALTHY_RESETS_BACKOFF_MS = 60_000;
const STARTUP_TIMEOUT_MS = Number(process.env.START_TIMEOUT_SECONDS || 180) * 1000;

function say(message) {
  process.stdout.write(`${message}\n`);
}

function count(name, value) {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9) {
    process.stderr.write(`invalid ${name}=${value}: must be a whole number from 1 to 9\n`);
    process.exit(2);
  }
  return n;
}

function instancesOf(service) {
  const own = `${service.name.toUpperCase().replace(/-/g, '_')}_INSTANCES`;
  return count(own, process.env[own]) ?? count('INSTANCES', process.env.INSTANCES) ?? 1;
}

const instances = [];
for (const service of SERVICES) {
  const n = instancesOf(service);
  for (let i = 0; i < n; i += 1) {
    const label = i === 0 ? service.name : `${service.name}-${i + 1}`;
    const env = { ...process.env, HTTP_PORT: String(service.port + 10 * i) };
    if (service.name === 'sftp-ingest') env.SFTP_PORT = String(Number(process.env.SFTP_PORT || 2222) + i);
    instances.push({
      service: service.name,
      label,
      port: service.port + 10 * i,
      env,
      log: path.join(logDir, `${label}.log`),
      child: null,
      healthy: false,
      everHealthy: false,
      failures: 0,
      backoffMs: 1000,
      startedAt: 0,
      timer: null,
    });
  }
}

let stopping = false;

function start(instance) {
  instance.timer = null;
  if (stopping) return;
  const out = fs.openSync(instance.log, 'a');
  const outDir = path.join('dist', 'apps', instance.service);
  const child = spawn(process.execPath, ['scripts/run.js', outDir, path.join(outDir, 'apps', instance.service, 'src', 'main.js')], {
    cwd: repoRoot,
    env: instance.env,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  instance.child = child;
  instance.startedAt = Date.now();
  child.once('exit', (code, signal) => onExit(instance, code, signal));
  if (instance.everHealthy) void announceRecovery(instance, child);
}

async function announceRecovery(instance, child) {
  while (!stopping && instance.child === child) {
    if (await isHealthy(instance)) {
      instance.healthy = true;
      say(`${instance.label} is healthy again`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function lastLines(file, n) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).map((line) => `    ${line.slice(0, 400)}`).join('\n');
  } catch {
    return '';
  }
}

function onExit(instance, code, signal) {
  instance.child = null;
  instance.healthy = false;
  if (stopping) return;
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const relLog = path.relative(repoRoot, instance.log);
  if (Date.now() - instance.startedAt >= HEALTHY_RESETS_BACKOFF_MS) instance.backoffMs = 1000;
  if (!instance.everHealthy) {
    instance.failures += 1;
    if (instance.failures >= STARTUP_ATTEMPTS) {
      process.stderr.write(`${instance.label} ${how} ${instance.failures} times without ever starting; giving up. Last lines of ${relLog}:\n${lastLines(instance.log, 5)}\n`);
      shutdown(1);
      return;
    }
  }
  const delay = instance.backoffMs;
  instance.backoffMs = Math.min(instance.backoffMs * 2, MAX_BACKOFF_MS);
  process.stderr.write(`${instance.label} ${how}; restarting in ${delay / 1000} s; see ${relLog}\n${lastLines(instance.log, 2)}\n`);
  instance.timer = setTimeout(() => start(instance), delay);
}

async function isHealthy(instance) {
  try {
    const response = await fetch(`http://127.0.0.1:${instance.port}/health`, { signal: AbortSignal.timeout(2000) });
    return response.status === 200;
  } catch {
    return false;
  }
}

async function waitUntilAllHealthy() {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!stopping) {
    for (const instance of instances) {
      if (instance.child && !instance.healthy && (await isHealthy(instance))) {
        instance.healthy = true;
        instance.everHealthy = true;
      }
    }
    if (instances.every((instance) => instance.everHealthy)) return true;
    if (Date.now() > deadline) {
      const late = instances.filter((instance) => !instance.everHealthy).map((instance) => `${instance.label} (${path.relative(repoRoot, instance.log)})`);
      process.stderr.write(`not healthy within ${STARTUP_TIMEOUT_MS / 1000} s: ${late.join(', ')}\n`);
      shutdown(1);
      return false;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

function shutdown(exitCode) {
  if (stopping) return;
  stopping = true;
  say(`stopping ${instances.filter((instance) => instance.child).length} service processes...`);
  for (const instance of instances) {
    if (instance.timer) clearTimeout(instance.timer);
    instance.child?.kill('SIGTERM');
  }
  const running = () => instances.filter((instance) => instance.child);
  const killer = setTimeout(() => {
    for (const instance of running()) {
      process.stderr.write(`${instance.label} did not stop within 20 s; killing it\n`);
      instance.child.kill('SIGKILL');
    }
  }, 20_000);
  const check = setInterval(() => {
    if (running().length > 0) return;
    clearInterval(check);
    clearTimeout(killer);
    say('all services stopped (Kafka and PostgreSQL keep running: npm run stack:down stops them)');
    process.exit(exitCode);
  }, 100);
}

async function main() {
  fs.mkdirSync(logDir, { recursive: true });
  for (const instance of instances) fs.writeFileSync(instance.log, ''); // a fresh log per `npm start`
  process.on('SIGINT', () => shutdown(0));
  process.on('SIGTERM', () => shutdown(0));
  process.on('SIGHUP', () => shutdown(0));
  for (const instance of instances) start(instance);
  if (!(await waitUntilAllHealthy())) return;
  const extra = instances.filter((instance) => instance.label !== instance.service);
  say('bpo-schedule-sync is running (logs in .data/logs/):');
  say('  REST API:    http://127.0.0.1:3000/v1  (OpenAPI at /docs)');
  say(`  SFTP server: sftp -P ${process.env.SFTP_PORT || 2222} <integration username>@127.0.0.1`);
  say(`  Kafka:       ${process.env.KAFKA_BROKERS}    PostgreSQL: ${process.env.DATABASE_URL}`);
  say('  Operator token (creates organizations): in .data/operator-token');
  if (extra.length > 0) say(`  Instances:   ${extra.map((instance) => `${instance.label} on :${instance.port}`).join(', ')}`);
  say('  Crashed services are restarted (and the console says so).');
  say('Try it: npm run demo (in another terminal)');
  say('Press Ctrl-C to stop.');
}

main().catch((error) => {
  process.stderr.write(`supervisor failed: ${error.stack ?? error}\n`);
  shutdown(1);
});

#!/usr/bin/env node
// `npm start`'s process supervisor: starts the built services (dist/), N instances each if asked,
// waits until every one answers /health, then keeps them running: an instance that exits is
// restarted with backoff (1 s doubling to 30 s) and the console says so. SIGINT/SIGTERM stop them
// all gracefully (SIGKILL after 20 s). Logs: .data/logs/<service>[-<n>].log, appended across restarts.
//
// Instances: INSTANCES=<n> for every service, <SERVICE>_INSTANCES=<n> for one (e.g. PARSER_INSTANCES=2,
// SCHEDULE_WRITER_INSTANCES=3), 1 to 9. Instance n (from 2) listens on HTTP port <default> + 10*(n-1)
// (parser: 3002, 3012, 3022...) and logs to <service>-<n>.log; sftp-ingest's SFTP port is 2222 + (n-1).
// Extra instances of the Kafka stages share their stage's work (one consumer group; partitions are
// split among them).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { serviceNodeFlags } = require('./node-flags');

const repoRoot = path.resolve(__dirname, '..');
const SERVICES = [
  { name: 'sftp-ingest', port: 3001 },
  { name: 'parser', port: 3002 },
  { name: 'mapping', port: 3003 },
  { name: 'agent-resolution', port: 3004 },
  { name: 'schedule-writer', port: 3005 },
  { name: 'config-api', port: 3000 },
];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function lastLines(file, n) {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).map((line) => `    ${line.slice(0, 400)}`).join('\n');
  } catch {
    return '';
  }
}

/**
 * Supervises processes. Each instance: { label, port (its /health), command, args, env, log }.
 * start() resolves true once every instance answered /health (false if start-up was given up);
 * `done` resolves with the exit code once everything stopped.
 */
function createSupervisor({
  instances: specs,
  cwd = repoRoot,
  say = (line) => process.stdout.write(`${line}\n`),
  warn = (line) => process.stderr.write(`${line}\n`),
  initialBackoffMs = 1_000,
  maxBackoffMs = 30_000,
  startupAttempts = 5, // exits before ever being healthy, then start-up is given up (e.g. bad configuration)
  healthyResetsBackoffMs = 60_000, // an instance that ran this long starts again from the first delay
  startupTimeoutMs = 180_000,
  stopTimeoutMs = 20_000,
}) {
  const instances = specs.map((spec) => ({ ...spec, child: null, everHealthy: false, failures: 0, backoffMs: initialBackoffMs, startedAt: 0, timer: null }));
  let stopping = false;
  let finish;
  const done = new Promise((resolve) => (finish = resolve));

  async function isHealthy(instance) {
    try {
      const response = await fetch(`http://127.0.0.1:${instance.port}/health`, { signal: AbortSignal.timeout(2000) });
      return response.status === 200;
    } catch {
      return false;
    }
  }

  function launch(instance) {
    instance.timer = null;
    if (stopping) return;
    const out = fs.openSync(instance.log, 'a');
    const child = spawn(instance.command, instance.args, { cwd, env: instance.env, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    instance.child = child;
    instance.startedAt = Date.now();
    child.once('exit', (code, signal) => onExit(instance, code, signal));
    if (instance.everHealthy) void announceRecovery(instance, child);
  }

  async function announceRecovery(instance, child) {
    while (!stopping && instance.child === child) {
      if (await isHealthy(instance)) return say(`${instance.label} is healthy again`);
      await sleep(300);
    }
  }

  function onExit(instance, code, signal) {
    instance.child = null;
    if (stopping) return;
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const logName = path.relative(cwd, instance.log);
    if (Date.now() - instance.startedAt >= healthyResetsBackoffMs) instance.backoffMs = initialBackoffMs;
    if (!instance.everHealthy && ++instance.failures >= startupAttempts) {
      warn(`${instance.label} ${how} ${instance.failures} times without ever starting; giving up. Last lines of ${logName}:\n${lastLines(instance.log, 5)}`);
      void stop(1);
      return;
    }
    const delay = instance.backoffMs;
    instance.backoffMs = Math.min(instance.backoffMs * 2, maxBackoffMs);
    warn(`${instance.label} ${how}; restarting in ${delay / 1000} s; see ${logName}\n${lastLines(instance.log, 2)}`);
    instance.timer = setTimeout(() => launch(instance), delay);
  }

  async function start() {
    for (const instance of instances) fs.writeFileSync(instance.log, ''); // a fresh log per start
    for (const instance of instances) launch(instance);
    const deadline = Date.now() + startupTimeoutMs;
    while (!stopping) {
      for (const instance of instances) {
        if (instance.child && !instance.everHealthy && (await isHealthy(instance))) instance.everHealthy = true;
      }
      if (instances.every((instance) => instance.everHealthy)) return true;
      if (Date.now() > deadline) {
        const late = instances.filter((instance) => !instance.everHealthy).map((instance) => `${instance.label} (${path.relative(cwd, instance.log)})`);
        warn(`not healthy within ${startupTimeoutMs / 1000} s: ${late.join(', ')}`);
        void stop(1);
        return false;
      }
      await sleep(300);
    }
    return false;
  }

  async function stop(exitCode = 0) {
    if (stopping) return done;
    stopping = true;
    const running = () => instances.filter((instance) => instance.child);
    say(`stopping ${running().length} service processes...`);
    for (const instance of instances) {
      if (instance.timer) clearTimeout(instance.timer);
      instance.child?.kill('SIGTERM');
    }
    const deadline = Date.now() + stopTimeoutMs;
    let killed = false;
    while (running().length > 0) {
      if (!killed && Date.now() > deadline) {
        killed = true;
        for (const instance of running()) {
          warn(`${instance.label} did not stop within ${stopTimeoutMs / 1000} s; killing it`);
          instance.child.kill('SIGKILL');
        }
      }
      await sleep(100);
    }
    say('all services stopped');
    finish(exitCode);
    return done;
  }

  return { start, stop, done, instances };
}

function count(name, value) {
  if (value === undefined || value === '') return null;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new Error(`invalid ${name}=${value}: must be a whole number from 1 to 9`);
  return n;
}

/** The instances `npm start` runs, from INSTANCES / <SERVICE>_INSTANCES. */
function serviceInstances(env = process.env, logDir = path.join(repoRoot, '.data', 'logs')) {
  const instances = [];
  for (const service of SERVICES) {
    const own = `${service.name.toUpperCase().replace(/-/g, '_')}_INSTANCES`;
    const n = count(own, env[own]) ?? count('INSTANCES', env.INSTANCES) ?? 1;
    for (let i = 0; i < n; i += 1) {
      const label = i === 0 ? service.name : `${service.name}-${i + 1}`;
      const port = service.port + 10 * i;
      const instanceEnv = { ...env, HTTP_PORT: String(port) };
      if (service.name === 'sftp-ingest') instanceEnv.SFTP_PORT = String(Number(env.SFTP_PORT || 2222) + i);
      const outDir = path.join('dist', 'apps', service.name);
      instances.push({
        label,
        service: service.name,
        port,
        command: process.execPath,
        // The same V8 flags as in tests and the Docker image (see node-flags.js).
        args: [...serviceNodeFlags(service.name, env), 'scripts/run.js', outDir, path.join(outDir, 'apps', service.name, 'src', 'main.js')],
        env: instanceEnv,
        log: path.join(logDir, `${label}.log`),
      });
    }
  }
  return instances;
}

async function main() {
  let instances;
  try {
    instances = serviceInstances();
  } catch (error) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  fs.mkdirSync(path.join(repoRoot, '.data', 'logs'), { recursive: true });
  const supervisor = createSupervisor({ instances, startupTimeoutMs: Number(process.env.START_TIMEOUT_SECONDS || 180) * 1000 });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void supervisor.stop(0));
  void supervisor.done.then((code) => {
    if (code === 0) process.stdout.write('(Kafka and PostgreSQL keep running: npm run stack:down stops them)\n');
    process.exit(code);
  });
  if (!(await supervisor.start())) return;
  const extra = instances.filter((instance) => instance.label !== instance.service);
  const say = (line) => process.stdout.write(`${line}\n`);
  say('bpo-schedule-sync is running (logs in .data/logs/):');
  if (fs.existsSync(path.join(repoRoot, 'dist', 'apps', 'console', 'index.html'))) {
    say('  Web console: http://127.0.0.1:3000/console/  (sign in with an organization token; the operator token creates one)');
  }
  say('  REST API:    http://127.0.0.1:3000/v1  (OpenAPI at /docs)');
  say(`  SFTP server: sftp -P ${process.env.SFTP_PORT || 2222} <integration username>@127.0.0.1`);
  say(`  Kafka:       ${process.env.KAFKA_BROKERS}    PostgreSQL: ${process.env.DATABASE_URL}`);
  say('  Operator token (creates organizations): in .data/operator-token');
  if (extra.length > 0) say(`  Instances:   ${extra.map((instance) => `${instance.label} on :${instance.port}`).join(', ')}`);
  say('  Crashed services are restarted (and this terminal says so).');
  say('Try it: npm run demo (in another terminal)');
  say('Press Ctrl-C to stop.');
}

module.exports = { createSupervisor, serviceInstances };

if (require.main === module) {
  main().catch((error) => {
    process.stderr.write(`supervisor failed: ${error.stack ?? error}\n`);
    process.exit(1);
  });
}

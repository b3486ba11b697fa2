import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { SyncRunRecords, type NewSyncRun } from '@bpo/persistence';
import { arrangeOrganization, Db, type Setup } from './support/fixtures';
import { repositoryTestDatabase } from './support/repository-test-database';

const HOUR = 3_600_000;

/** The owner of `sync_runs` (outside the writer's apply), `sync_run_errors`' reads and `sync_run_mapping_rules`, against the real PostgreSQL. */
describe('SyncRunRecords on the real PostgreSQL', () => {
  const testDatabase = repositoryTestDatabase();
  let dataSource: DataSource;
  let db: Db;
  let records: SyncRunRecords;

  beforeAll(() => {
    ({ dataSource, db } = testDatabase);
    records = new SyncRunRecords(dataSource);
  });

  /** A received file of the setup's integration (no chunks); returns its id. */
  async function insertFile(setup: Setup, filename: string): Promise<string> {
    const { id } = await db.one<{ id: string }>(
      `INSERT INTO received_files (organization_id, integration_id, filename, size_bytes, sha256) VALUES ($1, $2, $3, 0, 'f00d') RETURNING id`,
      [setup.organizationId, setup.integrationId, filename],
    );
    return id;
  }

  /** Starts a run of the file `agoMs` before now; returns its id. */
  async function startRun(setup: Setup, fileId: string, agoMs: number): Promise<string> {
    const run: NewSyncRun = { id: randomUUID(), organizationId: setup.organizationId, integrationId: setup.integrationId, siteId: setup.siteId, fileId, startedAt: new Date(Date.now() - agoMs) };
    await records.start(run);
    return run.id;
  }

  /** A finished run, as the writer's apply leaves it. */
  async function finish(syncRunId: string, status = 'succeeded'): Promise<void> {
    await db.query(
      `UPDATE sync_runs SET status = $2, stage = 'schedule-writer', counts = '{"rows": 4, "created": 3}'::jsonb, window_from = '2026-11-30', window_to = '2026-12-06',
              schedule_id = $3, finished_at = started_at + interval '2 seconds' WHERE id = $1`,
      [syncRunId, status, randomUUID()],
    );
  }

  it('starts a processing run of a file, in a transaction, and finds the processing run of a file', async () => {
    const setup = await arrangeOrganization(db);
    const fileId = await insertFile(setup, 'week-1.csv');
    const startedAt = new Date('2026-12-01T06:00:00.250Z');
    const id = randomUUID();
    await dataSource.transaction(async (manager) => {
      const inTransaction = new SyncRunRecords(manager);
      await inTransaction.start({ id, organizationId: setup.organizationId, integrationId: setup.integrationId, siteId: setup.siteId, fileId, startedAt });
      expect(await inTransaction.processingOf(fileId)).toBe(id);
      expect(await records.processingOf(fileId)).toBeNull();
    });
    expect(await db.one('SELECT organization_id, integration_id, site_id, file_id, status, started_at FROM sync_runs WHERE id = $1', [id])).toEqual({
      organization_id: setup.organizationId,
      integration_id: setup.integrationId,
      site_id: setup.siteId,
      file_id: fileId,
      status: 'processing',
      started_at: startedAt,
    });
    expect(await records.processingOf(fileId)).toBe(id);
    await finish(id, 'failed');
    expect(await records.processingOf(fileId)).toBeNull();
    expect(await records.processingOf(randomUUID())).toBeNull();
  });

  it("lists a file's runs newest first, each file's and each integration's latest run, typed as stored", async () => {
    const setup = await arrangeOrganization(db);
    const other = await arrangeOrganization(db);
    const first = await insertFile(setup, 'week-1.csv');
    const second = await insertFile(setup, 'week-2.csv');
    const none = await insertFile(setup, 'week-3.csv');
    const otherFile = await insertFile(other, 'week-1.csv');
    // Seconds ago: none of these processing runs is stuck in the last test.
    const oldest = await startRun(setup, first, 3000);
    await finish(oldest);
    const newer = await startRun(setup, first, 2000);
    const latest = await startRun(setup, second, 1000);
    const otherRun = await startRun(other, otherFile, 1000);

    const runs = await records.ofFile(first);
    expect(runs.map((run) => run.id)).toEqual([newer, oldest]);
    expect(runs[1]).toEqual({
      id: oldest,
      integration_id: setup.integrationId,
      file_id: first,
      status: 'succeeded',
      stage: 'schedule-writer',
      reason: null,
      counts: { rows: 4, created: 3 },
      window_from: '2026-11-30',
      window_to: '2026-12-06',
      schedule_id: expect.any(String),
      started_at: expect.any(Date),
      finished_at: new Date(runs[1].started_at.getTime() + 2000),
    });
    expect(runs[0]).toEqual(expect.objectContaining({ status: 'processing', stage: null, counts: null, window_from: null, window_to: null, schedule_id: null, finished_at: null }));
    expect(await records.ofFile(none)).toEqual([]);

    const byFile = await records.latestOfFiles([first, second, none, otherFile]);
    expect([...byFile].map(([fileId, run]) => [fileId, run.id])).toEqual([
      [first, newer],
      [second, latest],
      [otherFile, otherRun],
    ]);
    expect(await records.latestOfFiles([])).toEqual(new Map());

    const byIntegration = await records.latestOfIntegrations([setup.integrationId, other.integrationId, randomUUID()]);
    expect(Object.fromEntries([...byIntegration].map(([integrationId, run]) => [integrationId, run.id]))).toEqual({ [setup.integrationId]: latest, [other.integrationId]: otherRun });
    expect(byIntegration.get(setup.integrationId)).toEqual((await records.ofFile(second))[0]);
    expect(byFile.get(first)).toEqual(runs[0]);
    expect(await records.latestOfIntegrations([])).toEqual(new Map());
  });

  it("pages a run's errors by seq, after a seq or from an offset, and counts them", async () => {
    const setup = await arrangeOrganization(db);
    const run = await startRun(setup, await insertFile(setup, 'week-1.csv'), 0);
    const otherRun = await startRun(setup, await insertFile(setup, 'week-2.csv'), 0);
    for (const seq of [2, 0, 1, 3]) {
      await db.query('INSERT INTO sync_run_errors (sync_run_id, seq, line, "column", code, message) VALUES ($1, $2, $3, $4, $5, $6)', [
        run,
        seq,
        seq + 2,
        seq === 0 ? 'start_time' : null,
        'invalid_time',
        `line ${seq + 2}`,
      ]);
    }
    await db.query(`INSERT INTO sync_run_errors (sync_run_id, seq, line, code, message) VALUES ($1, 0, 9, 'unknown_agent', 'line 9')`, [otherRun]);

    const all = await records.errors(run, { limit: 10, offset: 0, afterSeq: null });
    expect(all[0]).toEqual({ seq: 0, line: 2, column: 'start_time', code: 'invalid_time', message: 'line 2' });
    expect(all.map((error) => error.seq)).toEqual([0, 1, 2, 3]);
    expect((await records.errors(run, { limit: 2, offset: 1, afterSeq: null })).map((error) => error.seq)).toEqual([1, 2]);
    // After a cursor's seq, the offset is not applied.
    expect((await records.errors(run, { limit: 2, offset: 3, afterSeq: '1' })).map((error) => error.seq)).toEqual([2, 3]);
    expect(await records.errors(run, { limit: 2, offset: 0, afterSeq: '3' })).toEqual([]);
    expect(await records.errorCount(run)).toBe(4);
    expect(await records.errorCount(otherRun)).toBe(1);
    expect(await records.errorCount(randomUUID())).toBe(0);
  });

  it("freezes the integration's rules for a run once, and reads them back in the integration's order", async () => {
    const setup = await arrangeOrganization(db);
    await db.query('UPDATE integrations SET default_event_type_id = $2 WHERE id = $1', [setup.integrationId, setup.eventTypes.Training]);
    const run = await startRun(setup, await insertFile(setup, 'week-1.csv'), 0);
    expect(await records.frozenMappingRules(run)).toBeNull();

    await records.freezeMappingRules(run, setup.integrationId);
    const frozen = await records.frozenMappingRules(run);
    expect(frozen?.defaultEventTypeId).toBe(setup.eventTypes.Training);
    expect(frozen?.rules.map((rule) => [rule.matchType, rule.keyword, rule.priority, rule.eventTypeId])).toEqual([
      ['exact', 'Phones', 'medium', setup.eventTypes.Phones],
      ['contains', 'chat', 'medium', setup.eventTypes.Chat],
      ['starts_with', 'brk', 'high', setup.eventTypes.Break],
      ['pattern', '^lunch( break)?$', 'highest', setup.eventTypes.Lunch],
    ]);
    // Positions come as numbers (jsonb keeps the bigint's digits), ascending.
    const positions = frozen!.rules.map((rule) => rule.position);
    expect(positions.every((position) => typeof position === 'number')).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);

    // A rule edit after the freeze applies from the next run on.
    await db.query('DELETE FROM mapping_rules WHERE integration_id = $1', [setup.integrationId]);
    await records.freezeMappingRules(run, setup.integrationId);
    expect(await records.frozenMappingRules(run)).toEqual(frozen);
    const next = await startRun(setup, await insertFile(setup, 'week-2.csv'), 0);
    await records.freezeMappingRules(next, setup.integrationId);
    expect(await records.frozenMappingRules(next)).toEqual({ rules: [], defaultEventTypeId: setup.eventTypes.Training });

    // Nothing is frozen for an integration that is gone.
    const orphan = await startRun(setup, await insertFile(setup, 'week-3.csv'), 0);
    await records.freezeMappingRules(orphan, randomUUID());
    expect(await records.frozenMappingRules(orphan)).toBeNull();
  });

  it('finds processing runs without progress for so long, oldest first, with how far they got', async () => {
    const setup = await arrangeOrganization(db);
    const run = async (agoMs: number) => startRun(setup, await insertFile(setup, `run-${randomUUID()}.csv`), agoMs);
    const stage = (syncRunId: string, sequence: number, agoMs: number) =>
      db.query(`INSERT INTO sync_run_batches (sync_run_id, sequence, errors, staged_at) VALUES ($1, $2, '[]'::jsonb, now() - $3 * interval '1 millisecond')`, [syncRunId, sequence, agoMs]);
    const stuckMs = HOUR;

    const unmapped = await run(40 * 24 * HOUR);
    const mapped = await run(30 * 24 * HOUR);
    await records.freezeMappingRules(mapped, setup.integrationId);
    const staged = await run(20 * 24 * HOUR);
    await records.freezeMappingRules(staged, setup.integrationId);
    await stage(staged, 0, 3 * HOUR);
    await stage(staged, 1, 2 * HOUR);
    await db.query(`UPDATE sync_runs SET file_end = '{"batchCount": 5}'::jsonb WHERE id = $1`, [staged]);
    // Not stuck: started lately, a batch staged lately, finished.
    const recent = await run(HOUR / 2);
    const progressing = await run(10 * HOUR);
    await stage(progressing, 0, HOUR / 2);
    await finish(await run(10 * HOUR), 'failed');

    const found = await records.stuck(stuckMs, 100);
    expect(found).toEqual([
      { id: unmapped, mapped: false, batches: 0, batchCount: null },
      { id: mapped, mapped: true, batches: 0, batchCount: null },
      { id: staged, mapped: true, batches: 2, batchCount: 5 },
    ]);
    expect(await records.stuck(stuckMs, 2)).toEqual(found.slice(0, 2));
    // The last batch staged is progress: 2 hours ago, within 150 minutes.
    expect((await records.stuck(150 * 60_000, 100)).map((row) => row.id)).toEqual([unmapped, mapped]);
    // Within 20 minutes, all the processing runs but those of the other tests (started seconds ago) are stuck.
    expect((await records.stuck(20 * 60_000, 100)).map((row) => row.id)).toEqual([unmapped, mapped, staged, progressing, recent]);
  });
});

import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '@bpo/persistence';
import { createTestDatabase, type TestDatabase } from '@bpo/testing';
import { ChangeKind, type EventsChangedHeader } from './events-changed-parts';
import { TypeOrmSyncRunRepository, type PublishParts } from './sync-run.repository';

// The report of a run's changes on the real PostgreSQL: its parts, in order, handed to the
// publisher, each hand-off recorded so a retry skips what went out, and the log removed at the end.

const CHANGES = 30_000;

describe('TypeOrmSyncRunRepository.reportEventsChanged on the real PostgreSQL', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  let runs: TypeOrmSyncRunRepository;
  let header: EventsChangedHeader;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataSource = await createDataSource(database.url).initialize();
    runs = new TypeOrmSyncRunRepository(dataSource);
    const [{ id: organizationId }] = await dataSource.query(`INSERT INTO organizations (name, timezone) VALUES ('Acme', 'UTC') RETURNING id`);
    const [{ id: scheduleId }] = await dataSource.query(`INSERT INTO schedules (organization_id, name, is_default) VALUES ($1, 'Default', true) RETURNING id`, [organizationId]);
    const [{ id: siteId }] = await dataSource.query(`INSERT INTO sites (organization_id, name, timezone, is_bpo) VALUES ($1, 'Manila BPO', 'UTC', true) RETURNING id`, [organizationId]);
    const [{ id: integrationId }] = await dataSource.query(
      `INSERT INTO integrations (organization_id, site_id, platform, sftp_username, sftp_password_hash) VALUES ($1, $2, 'custom', $3, 'x') RETURNING id`,
      [organizationId, siteId, `bpo-${randomUUID().slice(0, 8)}`],
    );
    const [{ id: fileId }] = await dataSource.query(
      `INSERT INTO received_files (organization_id, integration_id, filename, size_bytes, sha256, received_at) VALUES ($1, $2, 'schedule.csv', 1, 'x', now()) RETURNING id`,
      [organizationId, integrationId],
    );
    const [{ id: syncRunId }] = await dataSource.query(
      `INSERT INTO sync_runs (organization_id, integration_id, site_id, file_id, status, finished_at) VALUES ($1, $2, $3, $4, 'succeeded', now()) RETURNING id`,
      [organizationId, integrationId, siteId, fileId],
    );
    header = { integrationId, organizationId, scheduleId, fileId, syncRunId, syncPastEvents: false };
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  /** The run's changes: created ids 1..n (agent and times vary), held for report as the apply leaves them. */
  async function logChanges(n: number): Promise<void> {
    await dataSource.query(
      `INSERT INTO sync_run_changes
       SELECT $1, ${ChangeKind.Created}, g, gen_random_uuid(), gen_random_uuid(), timestamptz '2026-12-03T08:00:00Z' + g * interval '1 minute', timestamptz '2026-12-03T08:30:00Z' + g * interval '1 minute'
         FROM generate_series(1, $2::int) g`,
      [header.syncRunId, n],
    );
    await runs.transaction((tx) => runs.holdChangesForReport(tx, header));
  }

  const parsed = (payloads: readonly Buffer[]) => payloads.map((payload) => JSON.parse(payload.toString('utf8')) as { part: number; parts: number; syncRunId: string; created: Array<{ id: string }> });
  const state = async () => {
    const [row] = await dataSource.query(
      `SELECT events_changed IS NOT NULL AS held, events_changed_published_parts AS published, (SELECT count(*)::int FROM sync_run_changes WHERE sync_run_id = $1) AS logged
         FROM sync_runs WHERE id = $1`,
      [header.syncRunId],
    );
    return row as { held: boolean; published: number; logged: number };
  };

  it('hands the parts on in order; after a failure part way, the retry publishes only the parts that had not gone out', async () => {
    await logChanges(CHANGES);
    const firstTry: Buffer[] = [];
    let handOffs = 0;
    const failingOnTheSecond: PublishParts = async (payloads) => {
      handOffs += 1;
      if (handOffs === 2) throw new Error('broker down');
      firstTry.push(...payloads);
    };
    await expect(runs.transaction((tx) => runs.reportEventsChanged(tx, header, failingOnTheSecond))).rejects.toThrow('broker down');
    // The first hand-off went out and is recorded (outside the rolled-back transaction); the log and the mark stay.
    expect(firstTry.length).toBeGreaterThan(0);
    expect(await state()).toEqual({ held: true, published: firstTry.length, logged: CHANGES });
    // The metrics' backlog: one run owes parts, since it finished.
    const pending = await runs.pendingReports();
    expect(pending.runs).toBe(1);
    expect(pending.oldestAgeSeconds).toBeGreaterThan(0);

    const retry: Buffer[] = [];
    const reported = await runs.transaction((tx) => runs.reportEventsChanged(tx, header, async (payloads) => void retry.push(...payloads)));
    const parts = [...parsed(firstTry), ...parsed(retry)];
    expect(reported).toEqual({ parts: parts.length, publishedBefore: firstTry.length, changes: CHANGES });
    // Every part once, numbered in order, each of the run; every change once, in id order.
    expect(parts.map((part) => part.part)).toEqual(Array.from({ length: parts.length }, (_, i) => i + 1));
    expect(new Set(parts.map((part) => part.parts))).toEqual(new Set([parts.length]));
    expect(new Set(parts.map((part) => part.syncRunId))).toEqual(new Set([header.syncRunId]));
    expect(parts.flatMap((part) => part.created.map((change) => Number(change.id)))).toEqual(Array.from({ length: CHANGES }, (_, i) => i + 1));
    expect(parsed(retry)[0].part).toBe(firstTry.length + 1);
    expect(Math.max(...[...firstTry, ...retry].map((payload) => payload.length))).toBeLessThanOrEqual(256 * 1024 + 1024);
    expect(await state()).toEqual({ held: false, published: 0, logged: 0 });
    expect(await runs.pendingReports()).toEqual({ runs: 0, oldestAgeSeconds: 0 });
  });

  it('publishes nothing for a run whose changes were all published before it failed, and still removes the log', async () => {
    await logChanges(10);
    let handedOn = 0;
    const failingAfterwards = async (payloads: readonly Buffer[]) => {
      handedOn += payloads.length;
    };
    // A failure after the last hand-off (the transaction rolls back, the record stays).
    await expect(
      runs.transaction(async (tx) => {
        await runs.reportEventsChanged(tx, header, failingAfterwards);
        throw new Error('connection lost before the commit');
      }),
    ).rejects.toThrow('connection lost');
    expect(handedOn).toBe(1);
    expect(await state()).toEqual({ held: true, published: 1, logged: 10 });
    const publish = jest.fn(async () => undefined);
    expect(await runs.transaction((tx) => runs.reportEventsChanged(tx, header, publish))).toEqual({ parts: 1, publishedBefore: 1, changes: 10 });
    expect(publish).not.toHaveBeenCalled();
    expect(await state()).toEqual({ held: false, published: 0, logged: 0 });
  });
});

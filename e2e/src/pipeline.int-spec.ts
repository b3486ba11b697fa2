import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadLetterTopic, Topics, type EventsChangedV1, type SyncStatusV1 } from '@bpo/contracts';
import { physicalTopic } from '@bpo/messaging';
import { expectEventually, resolvedBatchRows, type ResolvedTestRow, freePort, generateClientKey, sftpBatch, testInfrastructure, TopicReader } from '@bpo/testing';
import { arrangeOrganization, customCsv, dayFromToday, produce, storeAndAnnounceFile, storeFile, utc, type Db, type Setup } from './support/fixtures';
import { pipelineHarness, STAGES, type PipelineHarness } from './support/pipeline-harness';

describe('pipeline: a stored file becomes events in the schedule, with a sync report', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;
  let statuses: TopicReader<SyncStatusV1>;
  let sftpPort: number;
  const workDir = mkdtempSync(join(tmpdir(), 'pipeline-'));

  beforeAll(async () => {
    sftpPort = await freePort();
    pipeline = await pipelineHarness({
      name: 'pipeline',
      services: ['sftp-ingest', ...STAGES],
      env: {
        'sftp-ingest': { SFTP_PORT: String(sftpPort), SFTP_HOST_KEY_PATH: join(workDir, 'host_key') },
        // The writer applies files in ranges of very few rows here, so every test also proves that a
        // file applied range by range ends exactly as if applied at once.
        'schedule-writer': { WRITER_ROWS_PER_RANGE: '2' },
      },
    });
    ({ db, namespace, statuses } = pipeline);
  }, 180_000);

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  /** The run's status message (key, value), once it is on the topic. */
  const statusOf = async (syncRunId: string) => {
    await pipeline.statusOf(syncRunId);
    return statuses.messages.find((message) => message.value.syncRunId === syncRunId)!;
  };

  const eventsOf = (setup: Setup) =>
    db.query<{ id: string; agent: string; type: string; start_at: string; end_at: string; day: string }>(
      `SELECT e.id::text, p.platform_agent_id AS agent, t.name AS type, to_char(e.start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS start_at,
              to_char(e.end_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS end_at, to_char(e.day, 'YYYY-MM-DD') AS day
         FROM schedule_events e JOIN agent_platform_ids p ON p.agent_id = e.agent_id JOIN event_types t ON t.id = e.event_type_id
        WHERE e.schedule_id = $1 ORDER BY p.platform_agent_id, e.start_at`,
      [setup.scheduleId],
    );

  /**
   * Sends a file again while these stages are away, and returns once the parser has compared its
   * agent-days (mapping has frozen the run's rules, so it had the first batch): the caller changes
   * what they were compared with, then starts the stages again.
   */
  const resendWhileAway = async (setup: Setup, filename: string, content: string, away: readonly string[]) => {
    for (const name of away) await pipeline.service(name).stop();
    const again = await storeAndAnnounceFile(db, setup, namespace, filename, content);
    await expectEventually(async () => {
      const [{ count }] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM sync_run_mapping_rules WHERE sync_run_id = $1', [again.syncRunId]);
      expect(count).toBe(1);
    });
    return again;
  };

  const d1 = dayFromToday(3);
  const d2 = dayFromToday(4);
  const d3 = dayFromToday(5);

  /** The race tests' file (three events, two agents, two days), synced once; returns it to send again. */
  const syncThreeEvents = async (setup: Setup, filename: string): Promise<string> => {
    const csv = customCsv([
      ['A1', `${d1}T09:00:00`, `${d1}T13:00:00`, 'Phones'],
      ['A1', `${d2}T09:00:00`, `${d2}T17:00:00`, 'Phones'],
      ['A2', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones'],
    ]);
    const first = await storeAndAnnounceFile(db, setup, namespace, filename, csv);
    expect((await statusOf(first.syncRunId)).value.counts).toMatchObject({ created: 3 });
    return csv;
  };

  it('end to end: a file uploaded with OpenSSH sftp -b becomes events, a sync-status and an events-changed message', async () => {
    const setup = await arrangeOrganization(db);
    const key = generateClientKey(workDir, `key-${setup.sftpUsername}`);
    const [algorithm] = key.line.split(' ');
    await db.query('INSERT INTO integration_ssh_keys (integration_id, algorithm, public_key, fingerprint) VALUES ($1, $2, $3, $4)', [setup.integrationId, algorithm, key.line, key.fingerprint]);
    const changes = await new TopicReader<EventsChangedV1>(testInfrastructure().kafkaBrokers, physicalTopic({ namespace }, Topics.EventsChangedV1)).start();
    try {
      writeFileSync(
        join(workDir, 'local.csv'),
        customCsv([
          ['A1', `${d1}T22:00:00`, `${d2}T06:00:00`, 'Phones'],
          ['A2', `${d1}T09:00:00-05:00`, `${d1}T17:00:00Z`, 'chat'],
        ]),
      );
      const upload = await sftpBatch({ port: sftpPort, username: setup.sftpUsername, key, cwd: workDir, commands: ['put local.csv schedule_20261125T0700.csv.part', 'rename schedule_20261125T0700.csv.part schedule_20261125T0700.csv', 'ls -l'] });
      expect(upload).toMatchObject({ code: 0 });
      expect(upload.stdout).toContain('schedule_20261125T0700.csv');

      const { id: fileId } = await expectEventually(() => db.one<{ id: string }>('SELECT id FROM received_files WHERE integration_id = $1', [setup.integrationId]));
      const status = await expectEventually(
        () => {
          const found = statuses.messages.find((message) => message.value.fileId === fileId);
          if (!found) throw new Error('no sync status yet');
          return found;
        },
        { timeoutMs: 60_000 },
      );
      expect(status.key).toBe(setup.integrationId);
      expect(status.value).toMatchObject({ filename: 'schedule_20261125T0700.csv', status: 'succeeded', counts: { rows: 2, created: 2, rowErrors: 0 }, window: { from: d1, to: d1 } });
      expect(Date.parse(status.value.finishedAt)).toBeGreaterThanOrEqual(Date.parse(status.value.startedAt));
      const events = await eventsOf(setup);
      expect(events.map((e) => [e.agent, e.type, e.start_at, e.end_at, e.day])).toEqual([
        ['A1', 'Phones', utc(d1, '22:00'), utc(d2, '06:00'), d1],
        ['A2', 'Chat', utc(d1, '09:00'), `${d1}T17:00:00.000Z`, d1],
      ]);
      const changed = await expectEventually(() => {
        const found = changes.messages.find((message) => message.value.fileId === fileId);
        if (!found) throw new Error('no events-changed yet');
        return found.value;
      });
      expect(changed).toMatchObject({ scheduleId: setup.scheduleId, part: 1, parts: 1, updated: [], deleted: [] });
      // Each created event as stored, its instants spelled as the pipeline spells them.
      expect(changed.created.map((event) => `${event.id} ${event.startAt} ${event.endAt}`).sort()).toEqual(events.map((event) => `${event.id} ${event.start_at} ${event.end_at}`).sort());
    } finally {
      await changes.stop();
    }
  });

  it('dead-letters a message that can never be processed and reports its file failed at that stage; the next file goes through', async () => {
    const setup = await arrangeOrganization(db);
    const dlq = await new TopicReader(testInfrastructure().kafkaBrokers, physicalTopic({ namespace }, deadLetterTopic(Topics.RowsParsedV2))).start();
    try {
      const { syncRunId, fileId } = await storeAndAnnounceFile(db, setup, namespace, 'fine.csv', customCsv([['A1', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones']]));
      await statusOf(syncRunId);
      const { id: poisonRun } = await db.one<{ id: string }>('INSERT INTO sync_runs (organization_id, integration_id, site_id, file_id) VALUES ($1, $2, $3, $4) RETURNING id', [setup.organizationId, setup.integrationId, setup.siteId, fileId]);
      await produce(namespace, Topics.RowsParsedV2, setup.integrationId, { kind: 'rows', messageId: 'poison', organizationId: setup.organizationId, integrationId: setup.integrationId, fileId, syncRunId: poisonRun, sequence: 'first', rows: 'many' });
      expect((await statusOf(poisonRun)).value).toMatchObject({ status: 'failed', stage: 'mapping' });
      expect((await statusOf(poisonRun)).value.reason).toMatch(/invalid RowsBatchV2/);
      await expectEventually(() => expect(dlq.messages).toHaveLength(1));
      expect(dlq.messages[0].headers['bpo-error']).toMatch(/sequence/);
      const next = await storeAndAnnounceFile(db, setup, namespace, 'next.csv', customCsv([['A2', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones']]));
      expect((await statusOf(next.syncRunId)).value.status).toBe('succeeded');
    } finally {
      await dlq.stop();
    }
  });

  it('syncs a file: mapping rules, default mapping, unmapped activities, unknown agents and row errors by line', async () => {
    const setup = await arrangeOrganization(db);
    const csv = customCsv([
      ['A1', `${d1}T09:00:00`, `${d1}T12:00:00`, 'Phones'],
      ['A1', `${d1}T12:00:00`, `${d1}T12:15:00`, 'BRK-15'],
      ['A1', `${d1}T12:15:00`, `${d1}T13:00:00`, 'Lunch Break'],
      ['A2', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Live Chat'],
      ['A2', `${d2}T09:00:00`, `${d2}T10:00:00`, 'Coaching'],
      ['ZZ9', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones'],
      ['ZZ9', `${d2}T09:00:00`, `${d2}T17:00:00`, 'Phones'],
      ['A3', `${d1}T17:00:00`, `${d1}T09:00:00`, 'Phones'],
    ]);
    const { syncRunId, fileId } = await storeAndAnnounceFile(db, setup, namespace, 'schedule_20261201T0900.csv', csv);
    const status = (await statusOf(syncRunId)).value;

    expect(status).toMatchObject({
      integrationId: setup.integrationId,
      organizationId: setup.organizationId,
      siteId: setup.siteId,
      fileId,
      filename: 'schedule_20261201T0900.csv',
      status: 'succeeded_with_errors',
      counts: { rows: 8, created: 4, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: 4 },
      window: { from: d1, to: d2 },
    });
    expect(status.errors.map((error) => [error.line, error.code])).toEqual([
      [6, 'unmapped_activity'],
      [7, 'unknown_agent'],
      [9, 'end_not_after_start'],
    ]);
    expect(status.errors[1].message).toBe('no agent of the site has platform id "ZZ9": 2 rows (lines 7, 8)');
    expect(await eventsOf(setup)).toEqual([
      expect.objectContaining({ agent: 'A1', type: 'Phones', start_at: utc(d1, '09:00'), end_at: utc(d1, '12:00'), day: d1 }),
      expect.objectContaining({ agent: 'A1', type: 'Break', start_at: utc(d1, '12:00'), end_at: utc(d1, '12:15') }),
      expect.objectContaining({ agent: 'A1', type: 'Lunch', start_at: utc(d1, '12:15'), end_at: utc(d1, '13:00') }),
      expect.objectContaining({ agent: 'A2', type: 'Chat', start_at: utc(d1, '09:00'), end_at: utc(d1, '17:00') }),
    ]);

    // With a default mapping, the next file maps "Coaching" too.
    await db.query('UPDATE integrations SET default_event_type_id = $2 WHERE id = $1', [setup.integrationId, setup.eventTypes.Training]);
    const second = await storeAndAnnounceFile(db, setup, namespace, 'schedule_20261201T0915.csv', csv);
    expect((await statusOf(second.syncRunId)).value.counts).toEqual({ rows: 8, created: 1, updated: 0, deleted: 0, unchanged: 4, skippedPast: 0, rowErrors: 3 });
    const run = await db.one<{ status: string; counts: { rowErrors: number } }>('SELECT status, counts FROM sync_runs WHERE id = $1', [second.syncRunId]);
    expect(run.status).toBe('succeeded_with_errors');
    expect(await db.query('SELECT line, code FROM sync_run_errors WHERE sync_run_id = $1 ORDER BY seq', [second.syncRunId])).toEqual([
      { line: 7, code: 'unknown_agent' },
      { line: 9, code: 'end_not_after_start' },
    ]);
  });

  it('replaces the covered days of the agents in the file, keeps ids of unchanged events, and leaves others alone', async () => {
    const setup = await arrangeOrganization(db);
    const first = await storeAndAnnounceFile(db, setup, namespace, 'a.csv', customCsv([
      ['A1', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones'],
      ['A1', `${d2}T09:00:00`, `${d2}T17:00:00`, 'Phones'],
      ['A2', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones'],
    ]));
    await statusOf(first.syncRunId);
    const before = await eventsOf(setup);
    const second = await storeAndAnnounceFile(db, setup, namespace, 'b.csv', customCsv([
      ['A1', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones'],
      ['A1', `${d1}T18:00:00`, `${d1}T19:00:00`, 'Live chat'],
    ]));
    expect((await statusOf(second.syncRunId)).value).toMatchObject({ status: 'succeeded', counts: { created: 1, unchanged: 1, deleted: 0 }, window: { from: d1, to: d1 } });
    const after = await eventsOf(setup);
    expect(after.map((e) => [e.agent, e.type, e.start_at])).toEqual([
      ['A1', 'Phones', utc(d1, '09:00')],
      ['A1', 'Chat', utc(d1, '18:00')],
      ['A1', 'Phones', utc(d2, '09:00')],
      ['A2', 'Phones', utc(d1, '09:00')],
    ]);
    expect(after[0].id).toBe(before[0].id);

    // The same day again without A1's chat: it is deleted; an event moved to a later end is updated in place.
    const third = await storeAndAnnounceFile(db, setup, namespace, 'c.csv', customCsv([['A1', `${d1}T09:00:00`, `${d1}T18:00:00`, 'Phones']]));
    expect((await statusOf(third.syncRunId)).value.counts).toMatchObject({ created: 0, updated: 1, deleted: 1, unchanged: 0 });
    expect((await eventsOf(setup))[0]).toMatchObject({ id: before[0].id, end_at: utc(d1, '18:00') });
  });

  it('leaves out the rows of a re-sent file’s unchanged agent-days, keeps their events and ids, and reads all again once the mapping rules change', async () => {
    const setup = await arrangeOrganization(db);
    const rows = (a2End: string): Array<[string, string, string, string]> => [
      ['A1', `${d1}T09:00:00`, `${d1}T13:00:00`, 'Phones'],
      ['A1', `${d1}T13:00:00`, `${d1}T14:00:00`, 'Lunch'],
      ['A1', `${d2}T09:00:00`, `${d2}T17:00:00`, 'Phones'],
      ['A2', `${d1}T09:00:00`, `${d1}T${a2End}:00`, 'Phones'],
      // No rule maps Training: an agent-day with a row error is never left out, so its error is reported every time.
      ['A3', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Training'],
    ];
    const entries = (syncRunId: string) =>
      db.query<{ agent: string; day: string; skipped: boolean }>(
        `SELECT platform_agent_id AS agent, to_char(day, 'YYYY-MM-DD') AS day, skipped FROM sync_run_agent_days WHERE sync_run_id = $1 ORDER BY 1, 2`,
        [syncRunId],
      );
    const first = await storeAndAnnounceFile(db, setup, namespace, 'full-1.csv', customCsv(rows('17:00')));
    expect((await statusOf(first.syncRunId)).value.counts).toMatchObject({ created: 4, rowErrors: 1 });
    const before = await eventsOf(setup);

    const second = await storeAndAnnounceFile(db, setup, namespace, 'full-2.csv', customCsv(rows('18:00')));
    expect((await statusOf(second.syncRunId)).value).toMatchObject({
      status: 'succeeded_with_errors',
      counts: { rows: 5, created: 0, updated: 1, deleted: 0, unchanged: 3, rowErrors: 1 },
    });
    expect(await entries(second.syncRunId)).toEqual([
      { agent: 'A1', day: d1, skipped: true },
      { agent: 'A1', day: d2, skipped: true },
      { agent: 'A2', day: d1, skipped: false },
      { agent: 'A3', day: d1, skipped: false },
    ]);
    const after = await eventsOf(setup);
    expect(after.map((e) => [e.id, e.agent, e.type, e.start_at])).toEqual([
      [before[0].id, 'A1', 'Phones', utc(d1, '09:00')],
      [before[1].id, 'A1', 'Lunch', utc(d1, '13:00')],
      [before[2].id, 'A1', 'Phones', utc(d2, '09:00')],
      [before[3].id, 'A2', 'Phones', utc(d1, '09:00')],
    ]);

    // Lunch now maps to Break: the same file again leaves nothing out, and A1's lunch changes type.
    await db.query(`UPDATE mapping_rules SET event_type_id = $2 WHERE integration_id = $1 AND keyword = '^lunch( break)?$'`, [setup.integrationId, setup.eventTypes.Break]);
    const third = await storeAndAnnounceFile(db, setup, namespace, 'full-3.csv', customCsv(rows('18:00')));
    expect((await statusOf(third.syncRunId)).value.counts).toMatchObject({ created: 0, updated: 1, deleted: 0, unchanged: 3, rowErrors: 1 });
    expect((await entries(third.syncRunId)).every((entry) => !entry.skipped)).toBe(true);
    expect((await eventsOf(setup)).map((e) => [e.id, e.type])).toEqual([
      [before[0].id, 'Phones'],
      [before[1].id, 'Break'],
      [before[2].id, 'Phones'],
      [before[3].id, 'Phones'],
    ]);
    // Only the runs that last applied a day keep their entries.
    const kept = await db.query<{ sync_run_id: string }>(`SELECT DISTINCT sync_run_id FROM sync_run_agent_days WHERE sync_run_id = ANY($1::uuid[])`, [[first.syncRunId, second.syncRunId, third.syncRunId]]);
    await expectEventually(async () => {
      const left = await db.query<{ sync_run_id: string }>(`SELECT DISTINCT sync_run_id FROM sync_run_agent_days WHERE sync_run_id = ANY($1::uuid[])`, [[first.syncRunId, second.syncRunId]]);
      expect(left).toEqual([]);
    });
    expect(kept.map((row) => row.sync_run_id)).toContain(third.syncRunId);
  });

  it('reads a file again in full when what it left out changed while it was read: one failed run naming the next, which syncs it exactly', async () => {
    const setup = await arrangeOrganization(db);
    const csv = await syncThreeEvents(setup, 'race-1.csv');
    const before = await eventsOf(setup);

    // The writer is away while the same file comes again: the parser leaves every agent-day out.
    const again = await resendWhileAway(setup, 'race-2.csv', csv, ['schedule-writer']);
    // As if another run had applied the days meanwhile: the run the parser compared with no longer stands for them.
    await db.query('UPDATE integration_day_versions SET sync_run_id = NULL WHERE integration_id = $1', [setup.integrationId]);
    await pipeline.startService('schedule-writer');

    const failed = (await statusOf(again.syncRunId)).value;
    expect(failed).toMatchObject({ status: 'failed', stage: 'schedule-writer' });
    const next = /as sync run ([0-9a-f-]{36})/.exec(failed.reason ?? '')?.[1];
    expect(next).toBeDefined();
    const [{ skipped }] = await db.query<{ skipped: number }>('SELECT count(*) FILTER (WHERE skipped)::int AS skipped FROM sync_run_agent_days WHERE sync_run_id = $1', [next]);
    expect(skipped).toBe(0);
    expect((await statusOf(next!)).value).toMatchObject({ status: 'succeeded', counts: { rows: 3, created: 0, updated: 0, deleted: 0, unchanged: 3 } });
    expect((await eventsOf(setup)).map((e) => [e.id, e.start_at, e.end_at])).toEqual(before.map((e) => [e.id, e.start_at, e.end_at]));
    expect(statuses.messages.filter((message) => message.value.syncRunId === again.syncRunId)).toHaveLength(1);
  });

  it('reads a file again in full when an agent ID moved to another agent after the parser compared its agent-days', async () => {
    const setup = await arrangeOrganization(db);
    const csv = await syncThreeEvents(setup, 'moved-1.csv');

    // The parser leaves every agent-day out, comparing with what A2 was then; before its agents are
    // resolved, A2 becomes another agent's ID. The stored day was that of the agent A2 was.
    const again = await resendWhileAway(setup, 'moved-2.csv', csv, ['agent-resolution', 'schedule-writer']);
    const { id: newcomer } = await db.one<{ id: string }>('INSERT INTO agents (organization_id, site_id, name) VALUES ($1, $2, $3) RETURNING id', [setup.organizationId, setup.siteId, 'Newcomer']);
    await db.query(`UPDATE agent_platform_ids SET agent_id = $2 WHERE agent_id = $1`, [setup.agents.A2, newcomer]);
    await pipeline.startService('agent-resolution');
    await pipeline.startService('schedule-writer');

    const failed = (await statusOf(again.syncRunId)).value;
    expect(failed).toMatchObject({ status: 'failed', stage: 'schedule-writer', reason: expect.stringContaining('read in full') });
    const next = /as sync run ([0-9a-f-]{36})/.exec(failed.reason ?? '')?.[1];
    // Read in full: A2's day is the newcomer's now, created; A1's two days are kept as they are.
    expect((await statusOf(next!)).value).toMatchObject({ status: 'succeeded', counts: { rows: 3, created: 1, updated: 0, deleted: 0, unchanged: 2 } });
    const [{ count: newcomerEvents }] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM schedule_events WHERE agent_id = $1', [newcomer]);
    expect(newcomerEvents).toBe(1);
  });

  it('reads a file again in full when it lists a left-out agent-day in another place too, and syncs that day whole', async () => {
    const setup = await arrangeOrganization(db);
    const a1Morning: [string, string, string, string] = ['A1', `${d1}T09:00:00`, `${d1}T13:00:00`, 'Phones'];
    const a2: [string, string, string, string] = ['A2', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones'];
    const first = await storeAndAnnounceFile(db, setup, namespace, 'split-1.csv', customCsv([a1Morning, a2]));
    expect((await statusOf(first.syncRunId)).value.counts).toMatchObject({ created: 2 });

    // A1's morning alone matches what was stored for A1's day and is left out; its afternoon comes
    // after A2's rows. The parser counts the agent-day listed twice, and the writer will not keep
    // the stored day for a part of it.
    const second = await storeAndAnnounceFile(db, setup, namespace, 'split-2.csv', customCsv([a1Morning, a2, ['A1', `${d1}T14:00:00`, `${d1}T17:00:00`, 'Phones']]));
    const failed = (await statusOf(second.syncRunId)).value;
    const [{ end }] = await db.query<{ end: { repeatedAgentDays?: number } }>('SELECT file_end AS end FROM sync_runs WHERE id = $1', [second.syncRunId]);
    expect(end.repeatedAgentDays).toBe(1);
    expect(failed).toMatchObject({ status: 'failed', stage: 'schedule-writer', reason: expect.stringContaining('read in full') });
    const next = /as sync run ([0-9a-f-]{36})/.exec(failed.reason ?? '')?.[1];
    expect((await statusOf(next!)).value).toMatchObject({ status: 'succeeded', counts: { rows: 3, created: 1, unchanged: 2 } });
    expect((await eventsOf(setup)).map((e) => [e.agent, e.start_at])).toEqual([
      ['A1', utc(d1, '09:00')],
      ['A1', utc(d1, '14:00')],
      ['A2', utc(d1, '09:00')],
    ]);
  });

  it('applies a many-day file range by range exactly, and tells downstream every change once, in parts bounded by size', async () => {
    const setup = await arrangeOrganization(db);
    const agents = Array.from({ length: 60 }, (_, index) => `B${index}`);
    await db.query(
      `WITH made AS (INSERT INTO agents (organization_id, site_id, name) SELECT $1, $2, p FROM unnest($3::text[]) p RETURNING id, name)
       INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id) SELECT id, $2, 'custom_platform_sftp', name FROM made`,
      [setup.organizationId, setup.siteId, agents],
    );
    const days = Array.from({ length: 8 }, (_, index) => dayFromToday(3 + index));
    type Row = [string, string, string, string];
    const dayOf = (agent: string, day: string, variant: 'first' | 'second'): Row[] => {
      const n = Number(agent.slice(1)) % 10;
      const at = (time: string) => `${day}T${time}:00`;
      const rows: Row[] = [
        [agent, at('09:00'), at('11:00'), 'Phones'],
        [agent, at('11:00'), variant === 'second' && n === 1 ? at('11:30') : at('11:15'), 'BRK-15'],
        [agent, at('11:30'), at('13:00'), 'Phones'],
      ];
      if (!(variant === 'second' && n === 0)) rows.push([agent, at('13:00'), at('14:00'), 'Lunch']);
      if (variant === 'second' && n === 2) rows.push([agent, at('15:00'), at('16:00'), 'Live chat']);
      return rows;
    };
    const fileOf = (variant: 'first' | 'second') => agents.flatMap((agent) => days.flatMap((day) => dayOf(agent, day, variant)));
    const changes = await new TopicReader<EventsChangedV1>(testInfrastructure().kafkaBrokers, physicalTopic({ namespace }, Topics.EventsChangedV1)).start();
    try {
      const partsOf = async (syncRunId: string) =>
        expectEventually(() => {
          const parts = changes.messages.filter((message) => message.value.syncRunId === syncRunId).map((message) => message.value);
          if (parts.length === 0 || parts.length < parts[0].parts) throw new Error('not every part yet');
          return parts;
        });
      const first = await storeAndAnnounceFile(db, setup, namespace, 'many-days-1.csv', customCsv(fileOf('first')));
      expect((await statusOf(first.syncRunId)).value).toMatchObject({ status: 'succeeded', counts: { rows: 1920, created: 1920 }, window: { from: days[0], to: days[7] } });
      const before = new Map((await eventsOf(setup)).map((event) => [`${event.agent} ${event.type} ${event.start_at} ${event.end_at}`, event.id]));
      const firstParts = await partsOf(first.syncRunId);
      // About 200 bytes an event: 1,920 of them do not fit in one part.
      expect(firstParts.length).toBeGreaterThan(1);
      expect(firstParts.map((part) => part.part).sort((a, b) => a - b)).toEqual(Array.from({ length: firstParts[0].parts }, (_, index) => index + 1));
      for (const part of firstParts) expect(Buffer.byteLength(JSON.stringify(part))).toBeLessThan(300 * 1024);
      expect(new Set(firstParts.flatMap((part) => part.created.map((event) => event.id)))).toEqual(new Set(before.values()));

      const second = await storeAndAnnounceFile(db, setup, namespace, 'many-days-2.csv', customCsv(fileOf('second')));
      // Per day, 6 agents lose their lunch, 6 have a longer break, 6 gain a chat.
      expect((await statusOf(second.syncRunId)).value.counts).toMatchObject({ rows: 1920, created: 48, updated: 48, deleted: 48, unchanged: 1920 - 96 });
      const after = await eventsOf(setup);
      const wanted = fileOf('second').map(([agent, start, end, activity]) => {
        const [day, time] = start.split('T');
        const [endDay, endTime] = end.split('T');
        const type = { Phones: 'Phones', 'BRK-15': 'Break', Lunch: 'Lunch', 'Live chat': 'Chat' }[activity];
        return `${agent} ${type} ${utc(day, time.slice(0, 5))} ${utc(endDay, endTime.slice(0, 5))}`;
      });
      expect(after.map((event) => `${event.agent} ${event.type} ${event.start_at} ${event.end_at}`).sort()).toEqual(wanted.sort());
      const kept = after.filter((event) => before.get(`${event.agent} ${event.type} ${event.start_at} ${event.end_at}`) === event.id);
      expect(kept).toHaveLength(1920 - 96);
      const secondParts = await partsOf(second.syncRunId);
      const told = (kind: 'created' | 'updated' | 'deleted') => secondParts.flatMap((part) => part[kind]);
      expect(told('created')).toHaveLength(48);
      expect(told('updated')).toHaveLength(48);
      expect(told('deleted')).toHaveLength(48);
      const afterIds = new Set(after.map((event) => event.id));
      expect(told('created').every((event) => afterIds.has(event.id))).toBe(true);
      expect(told('deleted').some((event) => afterIds.has(event.id))).toBe(false);
      expect(told('updated').every((event) => afterIds.has(event.id) && event.endAt.endsWith(':30:00.000Z'))).toBe(true);
      // Every part of each run exactly once.
      const again = changes.messages.filter((message) => [first.syncRunId, second.syncRunId].includes(message.value.syncRunId));
      expect(again).toHaveLength(firstParts[0].parts + secondParts[0].parts);
    } finally {
      await changes.stop();
    }
  });

  it('lets the newest received file win each day: an older file processed late changes only days no newer file covers', async () => {
    const setup = await arrangeOrganization(db);
    const newer = await storeAndAnnounceFile(db, setup, namespace, 'newer.csv', customCsv([['A1', `${d1}T08:00:00`, `${d1}T16:00:00`, 'Phones']]), new Date(Date.now() - 1000));
    await statusOf(newer.syncRunId);
    const older = await storeAndAnnounceFile(
      db,
      setup,
      namespace,
      'older.csv',
      customCsv([
        ['A1', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones'],
        ['A1', `${d3}T09:00:00`, `${d3}T17:00:00`, 'Phones'],
      ]),
      new Date(Date.now() - 60_000),
    );
    expect((await statusOf(older.syncRunId)).value).toMatchObject({ status: 'succeeded', counts: { created: 1 } });
    expect((await eventsOf(setup)).map((e) => e.start_at)).toEqual([utc(d1, '08:00'), utc(d3, '09:00')]);

    const oldest = await storeAndAnnounceFile(db, setup, namespace, 'oldest.csv', customCsv([['A1', `${d1}T10:00:00`, `${d1}T11:00:00`, 'Phones']]), new Date(Date.now() - 120_000));
    expect((await statusOf(oldest.syncRunId)).value).toMatchObject({ status: 'superseded', counts: { created: 0, deleted: 0 } });
  });

  it('does not sync events before the end of today unless the integration syncs past events', async () => {
    const setup = await arrangeOrganization(db);
    const yesterday = dayFromToday(-1);
    const today = dayFromToday(0);
    const csv = customCsv([
      ['A1', `${yesterday}T09:00:00`, `${yesterday}T17:00:00`, 'Phones'],
      ['A1', `${today}T09:00:00`, `${today}T17:00:00`, 'Phones'],
      ['A1', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones'],
    ]);
    const first = await storeAndAnnounceFile(db, setup, namespace, 'past.csv', csv);
    expect((await statusOf(first.syncRunId)).value.counts).toMatchObject({ created: 1, skippedPast: 2 });
    await db.query('UPDATE integrations SET sync_past_events = true WHERE id = $1', [setup.integrationId]);
    const second = await storeAndAnnounceFile(db, setup, namespace, 'past-again.csv', csv);
    expect((await statusOf(second.syncRunId)).value.counts).toMatchObject({ created: 2, unchanged: 1, skippedPast: 0 });
  });

  it('reports a file that fails to parse as failed, naming the stage and reason', async () => {
    const setup = await arrangeOrganization(db);
    const { syncRunId } = await storeAndAnnounceFile(db, setup, namespace, 'bad.csv', 'agent_id;start;end\n');
    expect((await statusOf(syncRunId)).value).toMatchObject({ status: 'failed', stage: 'parser', counts: { rows: 0, created: 0 } });
    expect((await statusOf(syncRunId)).value.reason).toMatch(/header/);
  });

  it('ignores a redelivered file message: no duplicate events, no second report', async () => {
    const setup = await arrangeOrganization(db);
    const { syncRunId, fileId } = await storeAndAnnounceFile(db, setup, namespace, 'once.csv', customCsv([['A1', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones']]));
    await statusOf(syncRunId);
    const message = { messageId: `file-received:${syncRunId}`, occurredAt: new Date().toISOString(), organizationId: setup.organizationId, integrationId: setup.integrationId, fileId, syncRunId, filename: 'once.csv', sizeBytes: 1, sha256: 'a'.repeat(64), receivedAt: new Date().toISOString(), platform: 'custom' };
    await produce(namespace, Topics.FileReceivedV1, setup.integrationId, message);
    // A later file proves the redelivered one went all the way through before it.
    const later = await storeAndAnnounceFile(db, setup, namespace, 'later.csv', customCsv([['A2', `${d1}T09:00:00`, `${d1}T17:00:00`, 'Phones']]));
    await statusOf(later.syncRunId);
    expect(statuses.messages.filter((m) => m.value.syncRunId === syncRunId)).toHaveLength(1);
    expect((await eventsOf(setup)).map((e) => e.agent)).toEqual(['A1', 'A2']);
  });

  it('keeps a redelivered batch once: duplicates of a batch and of the end message create no duplicate events', async () => {
    const setup = await arrangeOrganization(db);
    // A file stored without announcing it, so this test plays agent-resolution's part itself.
    const { syncRunId, fileId } = await storeFile(db, setup, 'redelivered.csv', 'unused');
    const envelope = { organizationId: setup.organizationId, integrationId: setup.integrationId, fileId, syncRunId, occurredAt: new Date().toISOString() };
    const row = (line: number, start: string, end: string) => ({ line, platformAgentId: 'A1', activity: 'Phones', startAt: utc(d1, start), endAt: utc(d1, end), day: d1, agentId: setup.agents.A1, eventTypeId: setup.eventTypes.Phones });
    const batch = (sequence: number, rows: ResolvedTestRow[]) => ({ ...envelope, messageId: `agent-resolution:${syncRunId}:${sequence}`, kind: 'rows', sequence, ...resolvedBatchRows(rows), errors: [] });
    const end = { ...envelope, messageId: `agent-resolution:${syncRunId}:end`, kind: 'end', batchCount: 2, rowCount: 3, rowErrorCount: 0, window: { from: d1, to: d1 }, filename: 'redelivered.csv', receivedAt: new Date().toISOString() };
    for (const message of [batch(0, [row(2, '09:00', '10:00'), row(3, '10:00', '11:00')]), batch(0, [row(2, '09:00', '10:00'), row(3, '10:00', '11:00')]), batch(1, [row(4, '11:00', '12:00')]), end, batch(1, [row(4, '11:00', '12:00')]), end]) {
      await produce(namespace, Topics.RowsResolvedV2, setup.integrationId, message);
    }
    expect((await statusOf(syncRunId)).value.counts).toMatchObject({ rows: 3, created: 3 });
    const later = await storeAndAnnounceFile(db, setup, namespace, 'after.csv', customCsv([['A2', `${d2}T09:00:00`, `${d2}T17:00:00`, 'Phones']]));
    await statusOf(later.syncRunId);
    expect(statuses.messages.filter((m) => m.value.syncRunId === syncRunId)).toHaveLength(1);
    expect((await eventsOf(setup)).map((e) => [e.agent, e.start_at])).toEqual([
      ['A1', utc(d1, '09:00')],
      ['A1', utc(d1, '10:00')],
      ['A1', utc(d1, '11:00')],
      ['A2', utc(d2, '09:00')],
    ]);
  });

  it('loses nothing and duplicates nothing when a stage is killed mid-file and restarted', async () => {
    const setup = await arrangeOrganization(db);
    const rows: Array<[string, string, string, string]> = [];
    // 60 days x 3 agents x 96 quarter-hours: 18 batches, so the kill lands while the file is in flight.
    const at = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
    for (let day = 3; day < 63; day += 1) {
      const date = dayFromToday(day);
      for (const agent of ['A1', 'A2', 'A3']) for (let slot = 0; slot < 95; slot += 1) rows.push([agent, `${date}T${at(slot * 15)}`, `${date}T${at(slot * 15 + 15)}`, 'Phones']);
    }
    for (const victim of ['parser', 'schedule-writer'] as const) {
      const { syncRunId } = await storeAndAnnounceFile(db, setup, namespace, `big-${victim}.csv`, customCsv(rows));
      await expectEventually(async () => {
        const [{ count }] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM sync_run_batches WHERE sync_run_id = $1', [syncRunId]);
        expect(count).toBeGreaterThan(0);
      });
      await pipeline.service(victim).kill();
      await pipeline.startService(victim);
      const status = (await statusOf(syncRunId)).value;
      expect(status.status).toBe('succeeded');
      expect(status.counts.rows).toBe(rows.length);
    }
    const [{ count }] = await db.query<{ count: number }>('SELECT count(*)::int AS count FROM schedule_events WHERE schedule_id = $1', [setup.scheduleId]);
    expect(count).toBe(rows.length);
  });
});

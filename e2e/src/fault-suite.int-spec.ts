import { deadLetterTopic, PipelineLanes, Topics, type SyncStatusV1 } from '@bpo/contracts';
import { expectEventually, resolvedBatchRows, type TopicReader } from '@bpo/testing';
import { arrangeOrganization, customCsv, dayFromToday, produce, produceRaw, scheduleEventKeys, storeAndAnnounceFile, storeFile, type Db, type Setup } from './support/fixtures';
import { expectedEvents, type CsvRow } from './support/expected-events';
import { arrangeLargeFile, at, statusOf, untilInFlight } from './support/faults';
import { pipelineHarness, type PipelineHarness } from './support/pipeline-harness';

/**
 * The fault suite: each fault hits a file in flight (or a topic of the pipeline), and each case ends
 * the same way: the file's events equal those of a clean run (computed from the file, apart from the
 * services), it has exactly one final status, and the integration's next file syncs.
 * A Kafka restart mid-file has its own private broker: fault-suite-kafka.int-spec.ts.
 */
describe('fault suite: stages killed, batches redelivered and out of order, malformed messages', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;
  let statuses: TopicReader<SyncStatusV1>;

  beforeAll(async () => {
    pipeline = await pipelineHarness({ name: 'fault-suite' });
    ({ db, namespace, statuses } = pipeline);
  }, 180_000);

  afterAll(() => pipeline?.stop());

  /** Exactly one status for the run, even a few seconds later (a doubled one would have shown by then). */
  const expectOneStatus = async (syncRunId: string) => {
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(statuses.messages.filter((message) => message.value.syncRunId === syncRunId)).toHaveLength(1);
  };

  /** The integration's next file syncs, with exactly its events on its days. */
  const nextFileSyncs = async (setup: Setup, agent: string, previous: CsvRow[][]) => {
    const rows: CsvRow[] = [[agent, at(dayFromToday(60), 15), at(dayFromToday(60), 16), 'Phones']];
    const next = await storeAndAnnounceFile(db, setup, namespace, `next-${Date.now()}.csv`, customCsv(rows));
    expect(await statusOf(statuses, next.syncRunId)).toMatchObject({ status: 'succeeded', counts: { rows: 1, created: 1 } });
    expect(await scheduleEventKeys(db, setup.scheduleId)).toEqual(expectedEvents([...previous, rows]));
  };

  it.each(['mapping', 'agent-resolution'] as const)('SIGKILL of %s while a file is in flight: exact events, one status, the next file syncs', async (victim) => {
    const { setup, rows } = await arrangeLargeFile(db);
    const { syncRunId } = await storeAndAnnounceFile(db, setup, namespace, 'large.csv', customCsv(rows));
    await untilInFlight(db, syncRunId);
    await pipeline.service(victim).kill();
    expect(statuses.messages.find((message) => message.value.syncRunId === syncRunId)).toBeUndefined();
    await pipeline.startService(victim);
    expect(await statusOf(statuses, syncRunId)).toMatchObject({ status: 'succeeded', counts: { rows: rows.length, created: rows.length, rowErrors: 0 } });
    expect(await scheduleEventKeys(db, setup.scheduleId)).toEqual(expectedEvents([rows]));
    await expectOneStatus(syncRunId);
    await nextFileSyncs(setup, 'P7', [rows]);
  }, 240_000);

  it('duplicated and out-of-order batches on rows-resolved: each kept once, applied once all arrived', async () => {
    const setup = await arrangeOrganization(db);
    // Stored without an announcement: the test plays agent-resolution's part.
    const { syncRunId, fileId } = await storeFile(db, setup, 'shuffled.csv', 'unused');
    const envelope = { organizationId: setup.organizationId, integrationId: setup.integrationId, fileId, syncRunId, occurredAt: new Date().toISOString() };
    const day = dayFromToday(4);
    const rowsOf: CsvRow[][] = [
      [['A1', at(day, 14), at(day, 15), 'Phones'], ['A1', at(day, 15), at(day, 16), 'Phones']],
      [['A2', at(day, 14), at(day, 15), 'Phones']],
      [['A3', at(day, 14), at(day, 18), 'Phones'], ['A1', at(day, 16), at(day, 17), 'Phones']],
    ];
    let line = 2;
    const batch = (sequence: number) => ({
      ...envelope,
      messageId: `agent-resolution:${syncRunId}:${sequence}`,
      kind: 'rows',
      sequence,
      ...resolvedBatchRows(
        rowsOf[sequence].map(([agent, start, end, activity]) => ({
          line: line++,
          platformAgentId: agent,
          activity,
          startAt: new Date(start).toISOString(),
          endAt: new Date(end).toISOString(),
          day,
          agentId: setup.agents[agent],
          eventTypeId: setup.eventTypes.Phones,
        })),
      ),
      errors: [],
    });
    const batches = [batch(0), batch(1), batch(2)];
    const end = { ...envelope, messageId: `agent-resolution:${syncRunId}:end`, kind: 'end', batchCount: 3, rowCount: 5, rowErrorCount: 0, window: { from: day, to: day }, filename: 'shuffled.csv', receivedAt: new Date().toISOString() };
    // The end first, the last batch before the first, and duplicates of batches and of the end.
    for (const message of [end, batches[2], batches[0], batches[2], end, batches[0]]) await produce(namespace, Topics.RowsResolvedV2, setup.integrationId, message);
    // Not all batches yet: the file must not be applied with a batch missing.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(statuses.messages.find((message) => message.value.syncRunId === syncRunId)).toBeUndefined();
    expect(await scheduleEventKeys(db, setup.scheduleId)).toEqual([]);
    for (const message of [batches[1], batches[1], end]) await produce(namespace, Topics.RowsResolvedV2, setup.integrationId, message);
    expect(await statusOf(statuses, syncRunId)).toMatchObject({ status: 'succeeded', counts: { rows: 5, created: 5 } });
    const fileRows = rowsOf.flat();
    expect(await scheduleEventKeys(db, setup.scheduleId)).toEqual(expectedEvents([fileRows]));
    await expectOneStatus(syncRunId);
    await nextFileSyncs(setup, 'A2', [fileRows]);
  }, 120_000);

  // Each topic a pipeline stage consumes, and the stage that consumes it.
  const consumed: Array<[topic: string, stage: string | null]> = [
    ...(['main', 'bulk'] as const).flatMap((lane): Array<[string, string]> => [
      [PipelineLanes[lane].fileReceived, 'parser'],
      [PipelineLanes[lane].rowsParsed, 'mapping'],
      [PipelineLanes[lane].rowsMapped, 'agent-resolution'],
      [PipelineLanes[lane].rowsResolved, 'schedule-writer'],
    ]),
    [Topics.FileFailedV1, null],
  ];

  it('a malformed message on each pipeline topic (not JSON; JSON of the wrong shape) is dead-lettered, its file failed at that stage, and the next file syncs', async () => {
    const setup = await arrangeOrganization(db);
    const dlqs = new Map<string, TopicReader>();
    for (const [topic] of consumed) dlqs.set(topic, await pipeline.read(deadLetterTopic(topic)));
    try {
      const runs = new Map<string, string>();
      for (const [topic, stage] of consumed) {
        await produceRaw(namespace, topic, setup.integrationId, `not json {${topic}`);
        if (stage) {
          // A wrong shape carrying a real run's ids: its file must be reported failed at the stage.
          const { syncRunId, fileId } = await storeFile(db, setup, `wrong-shape-${topic}.csv`, 'unused');
          runs.set(topic, syncRunId);
          const ids = { organizationId: setup.organizationId, integrationId: setup.integrationId, fileId, syncRunId };
          const wrong = topic.includes('file-received') ? { ...ids, messageId: `wrong:${syncRunId}`, filename: 42, sizeBytes: 'big' } : { ...ids, kind: 'rows', messageId: `wrong:${syncRunId}`, sequence: 'first', rows: 'many' };
          await produce(namespace, topic, setup.integrationId, wrong);
        } else {
          await produce(namespace, topic, setup.integrationId, { hello: 'world' });
        }
      }
      for (const [topic, stage] of consumed) {
        const dlq = dlqs.get(topic)!;
        await expectEventually(() => expect(dlq.messages).toHaveLength(2), { timeoutMs: 60_000 });
        expect(dlq.messages[0]).toMatchObject({ value: { encoding: 'base64' }, headers: { 'bpo-source-topic': topic } });
        expect(Buffer.from((dlq.messages[0].value as { raw: string }).raw, 'base64').toString()).toBe(`not json {${topic}`);
        expect(dlq.messages[1].headers['bpo-source-topic']).toBe(topic);
        if (stage) {
          const syncRunId = runs.get(topic)!;
          expect({ topic, status: await statusOf(statuses, syncRunId, 60_000) }).toMatchObject({ topic, status: { status: 'failed', stage } });
        }
      }
      for (const syncRunId of runs.values()) await expectOneStatus(syncRunId);
      await nextFileSyncs(setup, 'A3', []);
      // Nothing was left behind: no message of these topics is still retried.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      for (const dlq of dlqs.values()) expect(dlq.messages).toHaveLength(2);
    } finally {
      await Promise.all([...dlqs.values()].map((dlq) => pipeline.stopReading(dlq)));
    }
  }, 180_000);
});

import { laneOfFile, PipelineLanes, type SyncStatusV1 } from '@bpo/contracts';
import type { TopicReader } from '@bpo/testing';
import { customCsv, dayFromToday, produce, scheduleEventKeys, storeFile, type Db } from './support/fixtures';
import { expectedEvents, type CsvRow } from './support/expected-events';
import { arrangeLargeFile, at, statusOf, untilInFlight } from './support/faults';
import { pipelineHarness, type PipelineHarness } from './support/pipeline-harness';
import { PrivateKafka } from './support/private-kafka';

/**
 * The fault suite's Kafka case: the broker (a private one: never the shared broker) is SIGKILLed
 * while a file is in flight and started again. The file's events equal a clean run's, it gets
 * exactly one final status, and the next file syncs.
 */
describe('fault suite: Kafka restarted while a file is in flight', () => {
  let kafka: PrivateKafka;
  let pipeline: PipelineHarness;
  let db: Db;
  let namespace: string;
  let statuses: TopicReader<SyncStatusV1>;

  beforeAll(async () => {
    kafka = await PrivateKafka.create();
    kafka.start();
    pipeline = await pipelineHarness({ name: 'fault-kafka', kafkaBrokers: kafka.brokers });
    ({ db, namespace, statuses } = pipeline);
  }, 240_000);

  afterAll(async () => {
    // The services leave before their broker does.
    await pipeline?.stop();
    kafka?.stop();
  });

  /** Stores a file and announces it on the private broker, in the lane its size calls for. */
  const announce = async (setup: Awaited<ReturnType<typeof arrangeLargeFile>>['setup'], filename: string, rows: CsvRow[]) => {
    const { message, syncRunId } = await storeFile(db, setup, filename, customCsv(rows));
    await produce(namespace, PipelineLanes[laneOfFile(message.sizeBytes)].fileReceived, setup.integrationId, message, kafka.brokers);
    return syncRunId;
  };

  it('the file completes succeeded with exactly its events and one status; the next file syncs', async () => {
    const { setup, rows } = await arrangeLargeFile(db);
    const syncRunId = await announce(setup, 'large.csv', rows);
    await untilInFlight(db, syncRunId);
    // The test's own reader leaves first (no status can come while the broker is away); a fresh
    // one reads the topic from its start after the restart.
    await pipeline.stopReading(statuses);
    kafka.kill();
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 3000));
    kafka.start();
    process.stdout.write(`private Kafka down for ${((Date.now() - killedAt) / 1000).toFixed(1)} s\n`);
    statuses = await pipeline.readStatuses();

    expect(await statusOf(statuses, syncRunId, 300_000)).toMatchObject({ status: 'succeeded', counts: { rows: rows.length, created: rows.length, rowErrors: 0 } });
    process.stdout.write(`file finished ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill\n`);
    expect(await scheduleEventKeys(db, setup.scheduleId)).toEqual(expectedEvents([rows]));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(statuses.messages.filter((message) => message.value.syncRunId === syncRunId)).toHaveLength(1);
    expect(await db.one('SELECT status, reason FROM sync_runs WHERE id = $1', [syncRunId])).toEqual({ status: 'succeeded', reason: null });

    const next: CsvRow[] = [['P7', at(dayFromToday(60), 15), at(dayFromToday(60), 16), 'Phones']];
    const nextRun = await announce(setup, 'next.csv', next);
    expect(await statusOf(statuses, nextRun, 120_000)).toMatchObject({ status: 'succeeded', counts: { rows: 1, created: 1 } });
    expect(await scheduleEventKeys(db, setup.scheduleId)).toEqual(expectedEvents([rows, next]));
    // Every service lived through it (none exited), and nothing was dead-lettered.
    for (const service of pipeline.processes) expect({ name: service.name, alive: service.process.exitCode === null && service.process.signalCode === null }).toEqual({ name: service.name, alive: true });
    expect(pipeline.processes.map((service) => service.output()).join('\n')).not.toMatch(/message dead-lettered/);
    // The restart did reach every stage: each one's Kafka client lost its connection.
    for (const service of pipeline.processes) {
      const lost = service.output().split('\n').filter((line) => /ECONNREFUSED|Connection error|KafkaJSConnection/i.test(line));
      expect({ name: service.name, lostConnection: lost.length > 0 }).toEqual({ name: service.name, lostConnection: true });
    }
  }, 480_000);
});

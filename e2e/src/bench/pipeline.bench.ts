import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Topics, type SyncStatusV1 } from '@bpo/contracts';
import { physicalTopic } from '@bpo/messaging';
import { createTestDatabase, expectEventually, startServiceProcess, testInfrastructure, TopicReader, uniqueName, type ServiceProcess } from '@bpo/testing';
import { arrangeOrganization, dayFromToday, Db, storeAndAnnounceFile } from '../support/fixtures';

/**
 * Throughput and memory of the pipeline after ingest: a Custom-template file of BENCH_ROWS rows
 * (default 100,000; 60 days x agents x 30-minute events) stored as sftp-ingest stores it, then
 * parsed, mapped, resolved and written. Reports wall time from announcement to sync status and the
 * peak resident memory (VmHWM) of each service process. Writes .data/bench/pipeline.json.
 */
const ROWS = Number(process.env.BENCH_ROWS ?? 100_000);

function peakRssMb(service: ServiceProcess): number {
  const status = readFileSync(`/proc/${service.process.pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
}

it(`syncs a ${ROWS}-row file`, async () => {
  const database = await createTestDatabase();
  const db = await Db.connect(database.url);
  const namespace = uniqueName('bench');
  const services: ServiceProcess[] = [];
  for (const name of ['parser', 'mapping', 'agent-resolution', 'schedule-writer']) {
    services.push(await startServiceProcess(name, { databaseUrl: database.url, namespace, env: { LOG_LEVEL: 'log' } }));
  }
  const statuses = await new TopicReader<SyncStatusV1>(testInfrastructure().kafkaBrokers, physicalTopic({ namespace }, Topics.SyncStatusV1)).start();
  try {
    const setup = await arrangeOrganization(db);
    // Every activity maps (Coaching through the default mapping): a clean file, as most are.
    await db.query('UPDATE integrations SET default_event_type_id = $2 WHERE id = $1', [setup.integrationId, setup.eventTypes.Training]);
    // 60 days x 46 half-hours per agent: as many agents as the row count needs, each with a platform id.
    const agentCount = Math.ceil(ROWS / (60 * 46));
    await db.query(
      `WITH made AS (
         INSERT INTO agents (organization_id, site_id, name) SELECT $1, $2, 'Bench ' || n FROM generate_series(0, $3 - 1) n RETURNING id, name)
       INSERT INTO agent_platform_ids (agent_id, site_id, field, platform_agent_id)
       SELECT id, $2, 'custom_platform_sftp', 'B' || substr(name, 7) FROM made`,
      [setup.organizationId, setup.siteId, agentCount],
    );
    const lines = ['agent_id,agent_name,start_time,end_time,activity'];
    const activities = ['Phones', 'Live chat', 'BRK-15', 'Lunch', 'Coaching'];
    for (let i = 0; lines.length <= ROWS; i += 1) {
      const day = dayFromToday(2 + (i % 60));
      const slot = Math.floor(i / 60) % 46;
      const start = `${String(Math.floor(slot / 2)).padStart(2, '0')}:${slot % 2 ? '30' : '00'}`;
      const end = `${String(Math.floor((slot + 1) / 2)).padStart(2, '0')}:${(slot + 1) % 2 ? '30' : '00'}`;
      lines.push(`B${Math.floor(i / (60 * 46))},,${day}T${start}:00,${day}T${end}:00,${activities[i % activities.length]}`);
    }
    const csv = lines.join('\n') + '\n';
    const started = Date.now();
    const { syncRunId } = await storeAndAnnounceFile(db, setup, namespace, 'bench.csv', csv);
    const stored = Date.now();
    // When the writer holds every batch: the time to parse, map and resolve (apply comes after).
    const expectedBatches = Math.ceil(ROWS / 1000);
    let allStaged = 0;
    const watchStaging = (async () => {
      while (!allStaged) {
        const [{ staged, done }] = await db.query<{ staged: number; done: boolean }>(
          `SELECT (SELECT count(*)::int FROM sync_run_batches WHERE sync_run_id = $1) AS staged,
                  (SELECT status <> 'processing' FROM sync_runs WHERE id = $1) AS done`,
          [syncRunId],
        );
        if (staged >= expectedBatches || done) allStaged = Date.now();
        else await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    const status = await expectEventually(
      () => {
        const found = statuses.messages.find((m) => m.value.syncRunId === syncRunId);
        if (!found) throw new Error('not yet');
        return found.value;
      },
      { timeoutMs: 3_000_000, intervalMs: 500 },
    );
    const finished = Date.now();
    await watchStaging;
    const result = {
      rows: ROWS,
      bytes: Buffer.byteLength(csv),
      status: status.status,
      counts: status.counts,
      storeSeconds: (stored - started) / 1000,
      pipelineSeconds: (finished - stored) / 1000,
      parseMapResolveSeconds: (allStaged - stored) / 1000,
      applySeconds: (finished - allStaged) / 1000,
      rowsPerSecond: Math.round(ROWS / ((finished - stored) / 1000)),
      writerTimings: services
        .find((service) => service.name === 'schedule-writer')!
        .output()
        .split('\n')
        .filter((line) => line.includes('"file applied"'))
        .map((line) => JSON.parse(line).timings)[0],
      peakRssMb: Object.fromEntries(services.map((service) => [service.name, peakRssMb(service)])),
    };
    mkdirSync(join(__dirname, '..', '..', '..', '.data', 'bench'), { recursive: true });
    writeFileSync(join(__dirname, '..', '..', '..', '.data', 'bench', 'pipeline.json'), JSON.stringify(result, null, 2));
    process.stdout.write(`\nbench: ${JSON.stringify(result, null, 2)}\n`);
    expect(status.status).not.toBe('failed');
  } finally {
    await statuses.stop();
    await Promise.all(services.map((service) => service.stop()));
    await db.close();
    await database.drop();
  }
});

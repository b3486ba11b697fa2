import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SyncStatusV1 } from '@bpo/contracts';
import { expectEventually, generateClientKey, sftpBatch, type TopicReader } from '@bpo/testing';
import { addAgents, arrangeOrganization, customCsv, dayFromToday, issueApiToken, registerClientKey, scheduleEventKeys, type Db, type Setup } from './support/fixtures';
import { freePorts, pipelineHarness, STAGES, type PipelineHarness } from './support/pipeline-harness';
import { expectedEvents, type CsvRow } from './support/expected-events';

/**
 * Scale-out: two instances of every pipeline stage in their consumer groups, two sftp-ingest
 * instances on different SFTP ports and two config-api instances on their own HTTP ports. Twenty integrations upload at once with OpenSSH `sftp`, spread
 * over both servers, some files of thousands of rows; one instance of each stage is SIGKILLed while
 * files are in flight and never restarted, so its partitions move to the survivor. Every file's
 * events must be exactly the expected ones, each file must get exactly one final status, and where
 * an integration uploads two overlapping files in sequence the later-received one wins its days.
 */
const INTEGRATIONS = 20;
const BIG = [0, 1, 2, 3]; // 100 agents x 24 days x 4 segments = 9,600 rows: four batches each
const OVERLAPPING = [3, 4, 5, 6]; // two files each, uploaded in sequence, covering overlapping days

describe('scale-out: two instances of every service, twenty integrations at once, one instance of each stage killed', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let statuses: TopicReader<SyncStatusV1>;
  let sftpPorts: number[];
  const workDir = mkdtempSync(join(tmpdir(), 'scale-out-'));

  beforeAll(async () => {
    sftpPorts = await freePorts(2);
    pipeline = await pipelineHarness({
      name: 'scale',
      // Both instances of a stage at once (the first creates the topics; the second finds them).
      services: ['sftp-ingest', 'sftp-ingest', ...STAGES.map((stage) => [stage, stage]), ['config-api', 'config-api']],
      env: {
        'sftp-ingest': ({ instance }) => ({ SFTP_PORT: String(sftpPorts[instance]), SFTP_HOST_KEY_PATH: join(workDir, `host_key_${instance}`) }),
        // Two REST API instances on their own ports, answering from the same database.
        'config-api': ({ namespace }) => ({ OPERATOR_TOKEN: `scale-operator-${namespace}-token` }),
      },
    });
    ({ db, statuses } = pipeline);
  }, 240_000);

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const at = (day: string, hourUtc: number, minute = 0) => `${day}T${String(hourUtc).padStart(2, '0')}:${String(minute).padStart(2, '0')}:00Z`;
  // 09:00-17:00 in New York is 14:00-22:00 UTC all winter; every row's day is its UTC date.
  const workday = (agent: string, day: string): CsvRow[] => [
    [agent, at(day, 14), at(day, 17), 'Phones'],
    [agent, at(day, 17), at(day, 17, 15), 'BRK-15'],
    [agent, at(day, 17, 15), at(day, 18, 15), 'Lunch'],
    [agent, at(day, 18, 15), at(day, 22), 'Live chat'],
  ];
  const days = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => dayFromToday(from + index));

  it('every file syncs exactly once with exactly its events, newest-wins per day holds, though one instance of each stage died mid-flight', async () => {
    // Arrange twenty organizations, each with its integration and a key for OpenSSH.
    interface Plan { setup: Setup; key: ReturnType<typeof generateClientKey>; files: Array<{ name: string; rows: CsvRow[] }> }
    const plans: Plan[] = [];
    for (let index = 0; index < INTEGRATIONS; index += 1) {
      const setup = await arrangeOrganization(db);
      const key = generateClientKey(workDir, `key-${index}`);
      await registerClientKey(db, setup, key);
      let agents = ['A1', 'A2', 'A3'];
      if (BIG.includes(index)) {
        const many = Array.from({ length: 100 }, (_, n) => ({ platformId: `P${n}`, name: `Agent P${n}` }));
        await addAgents(db, setup, many);
        agents = many.map((agent) => agent.platformId);
      }
      const files: Plan['files'] = [];
      if (BIG.includes(index)) files.push({ name: 'big.csv', rows: agents.flatMap((agent) => days(3, 26).flatMap((day) => workday(agent, day))) });
      else files.push({ name: 'small.csv', rows: agents.flatMap((agent) => days(3 + (index % 5), 7 + (index % 5)).flatMap((day) => workday(agent, day))) });
      if (OVERLAPPING.includes(index)) {
        // The later file covers days 20-30 (BIG) or 5-12: overlapping the first one's, with other events.
        const later = BIG.includes(index) ? days(20, 30) : days(5, 12);
        files.push({ name: 'later.csv', rows: agents.flatMap((agent) => later.flatMap((day): CsvRow[] => [[agent, at(day, 15), at(day, 21), 'chat']])) });
      }
      for (const [n, file] of files.entries()) writeFileSync(join(workDir, `${index}-${n}.csv`), customCsv(file.rows));
      plans.push({ setup, key, files });
    }
    const fileCount = plans.reduce((sum, plan) => sum + plan.files.length, 0);

    // Upload all at once, integration i on server i % 2, a later file on the other server.
    const uploads = Promise.all(
      plans.map(async (plan, index) => {
        const results: Array<{ index: number; file: string; code: number; stderr: string }> = [];
        for (const [n, file] of plan.files.entries()) {
          const result = await sftpBatch({
            port: sftpPorts[(index + n) % 2],
            username: plan.setup.sftpUsername,
            key: plan.key,
            cwd: workDir,
            commands: [`put ${index}-${n}.csv ${file.name}.part`, `rename ${file.name}.part ${file.name}`],
            timeoutMs: 120_000,
          });
          results.push({ index, file: file.name, code: result.code, stderr: result.stderr });
          if (result.code !== 0) break;
        }
        return results;
      }),
    );

    // Mid-flight: a large file has batches staged at the writer but is not applied yet.
    const bigIntegrations = BIG.map((index) => plans[index].setup.integrationId);
    const inFlight = await expectEventually(
      async () => {
        const runs = await db.query<{ id: string }>(
          `SELECT r.id FROM sync_runs r WHERE r.integration_id = ANY($1) AND r.status = 'processing'
              AND EXISTS (SELECT 1 FROM sync_run_batches b WHERE b.sync_run_id = r.id)`,
          [bigIntegrations],
        );
        if (runs.length === 0) throw new Error('no large file in flight yet');
        return runs.map((run) => run.id);
      },
      { timeoutMs: 120_000, intervalMs: 50 },
    );
    await Promise.all(STAGES.map((stage) => pipeline.instances(stage)[0].kill()));
    const killedAt = Date.now();
    process.stdout.write(`killed one instance of each stage with ${inFlight.length} large file(s) in flight\n`);
    // The kill did land in flight: those runs had no final status when the instances died.
    const finalAtKill = statuses.messages.filter((message) => inFlight.includes(message.value.syncRunId));
    expect(finalAtKill).toEqual([]);

    for (const result of (await uploads).flat()) expect(result).toEqual({ index: result.index, file: result.file, code: 0, stderr: '' });
    const received = await db.query<{ integration_id: string; filename: string; sync_run_id: string; received_at: Date }>(
      `SELECT f.integration_id, f.filename, r.id AS sync_run_id, f.received_at FROM received_files f JOIN sync_runs r ON r.file_id = f.id`,
    );
    expect(received).toHaveLength(fileCount);

    // Every file: one final status, succeeded, with its row count.
    await expectEventually(
      () => {
        const have = new Set(statuses.messages.map((message) => message.value.syncRunId));
        const missing = received.filter((file) => !have.has(file.sync_run_id));
        if (missing.length) throw new Error(`${missing.length} of ${fileCount} files have no status yet`);
      },
      { timeoutMs: 150_000, intervalMs: 250 },
    );
    process.stdout.write(`every file had its status ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill\n`);
    // Give a doubled status the time to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 5000));
    expect(statuses.messages).toHaveLength(fileCount);
    for (const [index, plan] of plans.entries()) {
      for (const file of plan.files) {
        const run = received.find((row) => row.integration_id === plan.setup.integrationId && row.filename === file.name)!;
        const mine = statuses.messages.filter((message) => message.value.syncRunId === run.sync_run_id);
        expect({ index, file: file.name, statuses: mine.map((message) => [message.key, message.value.status, message.value.counts.rows, message.value.counts.rowErrors]) }).toEqual({
          index,
          file: file.name,
          statuses: [[plan.setup.integrationId, 'succeeded', file.rows.length, 0]],
        });
      }
      // Later files were received later (they were uploaded after the first returned).
      if (plan.files.length === 2) {
        const [first, later] = plan.files.map((file) => received.find((row) => row.integration_id === plan.setup.integrationId && row.filename === file.name)!);
        expect(later.received_at.getTime()).toBeGreaterThan(first.received_at.getTime());
      }
    }

    // Events: exactly those of the files, no duplicates, the later file winning its days.
    for (const [index, plan] of plans.entries()) {
      const actual = await scheduleEventKeys(db, plan.setup.scheduleId);
      const expected = expectedEvents(plan.files.map((file) => file.rows));
      if (actual.length !== expected.length || actual.some((event, n) => event !== expected[n])) {
        throw new Error(`integration ${index}: ${actual.length} events, expected ${expected.length}; first difference: ${JSON.stringify([actual.find((e) => !expected.includes(e)), expected.find((e) => !actual.includes(e))])}`);
      }
    }
    // The overlap really was decided by the later file: on a day both files cover (day 8 for
    // integration 4: its first file covers days 7-11, the later one 5-12) only the later one's event is left.
    const keys = await scheduleEventKeys(db, plans[4].setup.scheduleId);
    const day8 = dayFromToday(8);
    expect(keys.filter((key) => key.includes(`|${day8}T`))).toEqual(['A1', 'A2', 'A3'].map((agent) => `${agent}|${day8}T15:00:00.000Z|${day8}T21:00:00.000Z|Chat`));

    // Both REST API instances tell every integration's last sync alike: the file received last.
    for (const [index, plan] of plans.entries()) {
      const token = await issueApiToken(db, plan.setup.organizationId);
      const answers = await Promise.all(
        pipeline.instances('config-api').map(async (api) => {
          const response = await fetch(`${api.url}/v1/integrations/${plan.setup.integrationId}`, { headers: { authorization: `Bearer ${token}` } });
          const body = (await response.json()) as { lastStatus: string; lastFile: { filename: string } };
          return [response.status, body.lastStatus, body.lastFile.filename];
        }),
      );
      const last = plan.files[plan.files.length - 1].name;
      expect({ index, answers }).toEqual({ index, answers: [[200, 'succeeded', last], [200, 'succeeded', last]] });
    }

    // The survivors did the rest: nothing was dead-lettered anywhere.
    const logs = pipeline.processes.map((service) => service.output()).join('\n');
    expect(logs).not.toMatch(/message dead-lettered/);
  }, 420_000);
});

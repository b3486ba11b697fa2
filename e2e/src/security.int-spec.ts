import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { SyncStatusV1 } from '@bpo/contracts';
import { expectEventually, freePort, generateClientKey, sftpBatch, type ClientKey, type TopicReader } from '@bpo/testing';
import { arrangeOrganization, customCsv, dayFromToday, registerClientKey, utc, type Db, type Setup } from './support/fixtures';
import { pipelineHarness, STAGES, type PipelineHarness } from './support/pipeline-harness';

/**
 * Hostile files, uploaded as an attacker would, over OpenSSH sftp through the whole pipeline: each
 * is refused with a reason a BPO can act on, is processed once (never retried forever), and
 * another organization's file uploaded right after it syncs at once with exactly its events.
 */
describe('security: hostile files through the pipeline', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let sftpPort: number;
  let statuses: TopicReader<SyncStatusV1>;
  const workDir = mkdtempSync(join(tmpdir(), 'security-'));
  let attacker: Setup & { key: ClientKey };
  let neighbour: Setup & { key: ClientKey };

  const arrange = async (name: string) => {
    const setup = await arrangeOrganization(db);
    const key = generateClientKey(workDir, `key-${name}`);
    await registerClientKey(db, setup, key);
    return { ...setup, key };
  };

  beforeAll(async () => {
    sftpPort = await freePort();
    pipeline = await pipelineHarness({
      name: 'security',
      services: ['sftp-ingest', ...STAGES],
      env: { 'sftp-ingest': { SFTP_PORT: String(sftpPort), SFTP_HOST_KEY_PATH: join(workDir, 'host_key') } },
    });
    ({ db, statuses } = pipeline);
    attacker = await arrange('attacker');
    neighbour = await arrange('neighbour');
  }, 180_000);

  afterAll(async () => {
    await pipeline?.stop();
    rmSync(workDir, { recursive: true, force: true });
  });

  const upload = async (who: Setup & { key: ClientKey }, remote: string, content: Buffer | string, commands?: string[]) => {
    const local = `local-${Math.random().toString(16).slice(2)}`;
    writeFileSync(join(workDir, local), content);
    return sftpBatch({ port: sftpPort, username: who.sftpUsername, key: who.key, cwd: workDir, commands: commands ?? [`put ${local} ${remote}`] });
  };

  const statusOf = (integrationId: string, filename: string, timeoutMs = 30_000) =>
    expectEventually(
      () => {
        const found = statuses.messages.filter((message) => message.value.integrationId === integrationId && message.value.filename === filename);
        if (found.length === 0) throw new Error(`no status for ${filename} yet`);
        return found;
      },
      { timeoutMs, intervalMs: 100 },
    );

  const eventsOf = (setup: Setup) =>
    db.query<{ agent: string; start_at: string; end_at: string }>(
      `SELECT p.platform_agent_id AS agent, to_char(e.start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS start_at,
              to_char(e.end_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS end_at
         FROM schedule_events e JOIN agent_platform_ids p ON p.agent_id = e.agent_id WHERE e.schedule_id = $1 ORDER BY 1, 2`,
      [setup.scheduleId],
    );

  const d = dayFromToday(4);
  // A reason is words for the BPO: never an internal error's text.
  const internal = /\bat [\w.<>]+ \(|ECONN|TypeError|ReferenceError|undefined|null|\[object|stack|coordinator/i;

  const hostileFiles: Array<[string, Buffer]> = [
    ['random-bytes.csv', randomBytes(256 * 1024)],
    ['compressed.csv', gzipSync(Buffer.from(customCsv([['A1', `${d}T09:00:00`, `${d}T17:00:00`, 'Phones']]).repeat(200)))],
    ['utf16-no-bom.csv', Buffer.from(customCsv([['A1', `${d}T09:00:00`, `${d}T17:00:00`, 'Phones']]), 'utf16le')],
    ['nul-bytes.csv', Buffer.concat([Buffer.from('agent_id,start_time,end_time,activity\n'), Buffer.alloc(64 * 1024, 0), Buffer.from('\nA1,x,y,z\n')])],
  ];

  it.each(hostileFiles)('refuses %s with a reason a BPO can act on, once, while a neighbour syncs at once', async (filename, content) => {
    expect(await upload(attacker, filename, content)).toMatchObject({ code: 0 });
    // The neighbour uploads right after: its file must not wait for (or be harmed by) the hostile one.
    const neighbourFile = `neighbour-${filename}`;
    const uploaded = Date.now();
    expect(await upload(neighbour, neighbourFile, customCsv([['A1', `${d}T09:00:00`, `${d}T17:00:00`, 'Phones']]))).toMatchObject({ code: 0 });
    const [neighbourStatus] = await statusOf(neighbour.integrationId, neighbourFile, 15_000);
    expect(Date.now() - uploaded).toBeLessThan(15_000);
    // The same file each time: created the first time, unchanged after.
    expect(neighbourStatus.value).toMatchObject({ status: 'succeeded', counts: { rows: 1, rowErrors: 0 } });
    expect(neighbourStatus.value.counts.created + neighbourStatus.value.counts.unchanged).toBe(1);
    expect(await eventsOf(neighbour)).toEqual([{ agent: 'A1', start_at: utc(d, '09:00'), end_at: utc(d, '17:00') }]);

    const [hostile] = await statusOf(attacker.integrationId, filename);
    expect(hostile.value.counts.created).toBe(0);
    const outcome = hostile.value.status === 'failed' ? hostile.value.reason ?? '' : hostile.value.errors.map((error) => error.message).join('\n');
    expect(['failed', 'succeeded_with_errors']).toContain(hostile.value.status);
    expect(outcome.length).toBeGreaterThan(10);
    expect(outcome).not.toMatch(internal);
    // Processed once: a later file of the attacker still gets through, and the hostile one has one status.
    const later = `after-${filename}`;
    expect(await upload(attacker, later, customCsv([['A2', `${d}T10:00:00`, `${d}T11:00:00`, 'Phones']]))).toMatchObject({ code: 0 });
    await statusOf(attacker.integrationId, later);
    expect(statuses.messages.filter((message) => message.value.integrationId === attacker.integrationId && message.value.filename === filename)).toHaveLength(1);
    expect(await db.query('SELECT 1 FROM sync_runs WHERE integration_id = $1 AND status = $2', [attacker.integrationId, 'processing'])).toEqual([]);
  });

  it('refuses to overwrite a received file, or rename onto one, and keeps the original and its events', async () => {
    const original = customCsv([['A3', `${d}T08:00:00`, `${d}T12:00:00`, 'Phones']]);
    expect(await upload(neighbour, 'keep.csv', original)).toMatchObject({ code: 0 });
    await statusOf(neighbour.integrationId, 'keep.csv');
    const before = await eventsOf(neighbour);
    const [stored] = await db.query<{ sha256: string; size_bytes: string }>('SELECT sha256, size_bytes FROM received_files WHERE integration_id = $1 AND filename = $2', [neighbour.integrationId, 'keep.csv']);

    const forged = customCsv([['A3', `${d}T00:00:00`, `${d}T23:00:00`, 'Phones']]);
    const overwrite = await upload(neighbour, 'keep.csv', forged);
    // OpenSSH's sftp shows only that the server refused (the reason is in sftp-ingest's own tests).
    expect(overwrite.code).not.toBe(0);
    expect(overwrite.stderr).toMatch(/keep\.csv/);
    writeFileSync(join(workDir, 'forged.csv'), forged);
    const rename = await upload(neighbour, '', '', ['put forged.csv forged.csv.part', 'rename forged.csv.part keep.csv']);
    expect(rename.code).not.toBe(0);
    expect(rename.stderr).toMatch(/keep\.csv/);

    const [after] = await db.query<{ sha256: string; size_bytes: string }>('SELECT sha256, size_bytes FROM received_files WHERE integration_id = $1 AND filename = $2', [neighbour.integrationId, 'keep.csv']);
    expect(after).toEqual(stored);
    // Give a forged file time to have synced, had it been accepted.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await eventsOf(neighbour)).toEqual(before);
    expect(statuses.messages.filter((message) => message.value.integrationId === neighbour.integrationId && message.value.filename === 'keep.csv')).toHaveLength(1);
  });
});

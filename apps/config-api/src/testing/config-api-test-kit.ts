// Helpers for config-api's integration tests (imported by *.int-spec.ts only).
import { createHash } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import type { Role } from '@bpo/persistence';

export const OPERATOR_TOKEN = 'operator-token-for-config-api-tests-0123456789';

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** supertest bound to the running API and a bearer token. */
export function client(url: string, token: string | null) {
  const call = (method: Method, path: string) => {
    const test = request(url)[method](path);
    return token === null ? test : test.set('Authorization', `Bearer ${token}`);
  };
  return {
    get: (path: string) => call('get', path),
    post: (path: string) => call('post', path),
    patch: (path: string) => call('patch', path),
    put: (path: string) => call('put', path),
    delete: (path: string) => call('delete', path),
    call,
  };
}

export type ApiClient = ReturnType<typeof client>;

export interface TestOrganization {
  id: string;
  defaultScheduleId: string;
  tokens: Record<Role, string>;
  as: Record<Role, ApiClient>;
}

/** An organization created by the operator, with one token of each role. */
export async function createOrganization(url: string, name: string, timezone = 'Europe/Paris'): Promise<TestOrganization> {
  const created = await client(url, OPERATOR_TOKEN).post('/v1/organizations').send({ name, timezone }).expect(201);
  const admin = created.body.token.token as string;
  const tokens = { admin } as Record<Role, string>;
  for (const role of ['basic', 'lead', 'manager'] as const) {
    const response = await client(url, admin).post('/v1/tokens').send({ name: `${role} token`, role }).expect(201);
    tokens[role] = response.body.token;
  }
  const as = Object.fromEntries(Object.entries(tokens).map(([role, token]) => [role, client(url, token)])) as Record<Role, ApiClient>;
  return { id: created.body.organization.id, defaultScheduleId: created.body.defaultSchedule.id, tokens, as };
}

/** A BPO site with an integration on `platform`. */
export async function createIntegratedSite(api: ApiClient, name: string, platform = 'nice_iex'): Promise<{ siteId: string; integrationId: string; password: string; username: string }> {
  const site = await api.post('/v1/sites').send({ name, timezone: 'America/New_York', isBpo: true }).expect(201);
  const connected = await api.post(`/v1/sites/${site.body.id}/integration`).send({ platform }).expect(201);
  return { siteId: site.body.id, integrationId: connected.body.integration.id, password: connected.body.sftp.password, username: connected.body.sftp.username };
}

export async function withDatabase<T>(databaseUrl: string, work: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    return await work(db);
  } finally {
    await db.end();
  }
}

export interface StoredFile {
  fileId: string;
  syncRunId: string;
}

/**
 * A received file as sftp-ingest stores it (bytes in chunks) with one finished sync run and its
 * errors, as schedule-writer records them: the rows other services write in production.
 */
export async function insertReceivedFile(
  databaseUrl: string,
  file: {
    organizationId: string;
    integrationId: string;
    filename: string;
    content: Buffer;
    chunkSize?: number;
    receivedAt?: Date;
    status?: string;
    errors?: { line: number; code: string; message: string; column?: string }[];
  },
): Promise<StoredFile> {
  return withDatabase(databaseUrl, async (db) => {
    const receivedAt = file.receivedAt ?? new Date();
    const sha256 = createHash('sha256').update(file.content).digest('hex');
    const [{ id: fileId }] = (
      await db.query(
        `INSERT INTO received_files (organization_id, integration_id, filename, size_bytes, sha256, received_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
        [file.organizationId, file.integrationId, file.filename, file.content.length, sha256, receivedAt],
      )
    ).rows;
    const chunkSize = file.chunkSize ?? 64 * 1024;
    for (let seq = 0; seq * chunkSize < file.content.length; seq += 1) {
      await db.query('INSERT INTO received_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [fileId, seq, file.content.subarray(seq * chunkSize, (seq + 1) * chunkSize)]);
    }
    const errors = file.errors ?? [];
    const counts = { rows: 10, created: 8, updated: 0, deleted: 0, unchanged: 0, skippedPast: 0, rowErrors: errors.length };
    const [{ id: syncRunId }] = (
      await db.query(
        `INSERT INTO sync_runs (organization_id, integration_id, site_id, file_id, status, counts, window_from, window_to, started_at, finished_at)
         SELECT $1, $2, site_id, $3, $4, $5::jsonb, '2025-11-03', '2025-11-09', $6, $6::timestamptz + interval '2 seconds' FROM integrations WHERE id = $2
         RETURNING id`,
        [file.organizationId, file.integrationId, fileId, file.status ?? (errors.length ? 'succeeded_with_errors' : 'succeeded'), JSON.stringify(counts), receivedAt],
      )
    ).rows;
    for (const [seq, error] of errors.entries()) {
      await db.query('INSERT INTO sync_run_errors (sync_run_id, seq, line, "column", code, message) VALUES ($1, $2, $3, $4, $5, $6)', [
        syncRunId,
        seq,
        error.line,
        error.column ?? null,
        error.code,
        error.message,
      ]);
    }
    return { fileId, syncRunId };
  });
}

/** Every problem+json answer has this shape. */
export function expectProblem(response: request.Response, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status }));
}

/** The problems a validation answer lists for one field. */
export function fieldProblems(response: request.Response, field: string): string[] {
  expectProblem(response, 400);
  return (response.body.errors as { field: string; problems: string[] }[]).filter((error) => error.field === field).flatMap((error) => error.problems);
}

import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ReceivedFileRepository } from '@bpo/persistence';
import { arrangeOrganization, Db, type Setup } from './support/fixtures';
import { repositoryTestDatabase } from './support/repository-test-database';

async function collect(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(Buffer.from(chunk));
  return all;
}

/** The one owner of the `received_files` and `received_file_chunks` SQL, against the real PostgreSQL. */
describe('ReceivedFileRepository on the real PostgreSQL', () => {
  const testDatabase = repositoryTestDatabase();
  let dataSource: DataSource;
  let db: Db;
  let files: ReceivedFileRepository;

  /** A received file as a committed upload leaves it, with these chunks; returns its id. */
  async function insertFile(setup: Setup, filename: string, receivedAt: string, chunks: Buffer[] = []): Promise<string> {
    const { id } = await db.one<{ id: string }>(
      `INSERT INTO received_files (organization_id, integration_id, filename, size_bytes, sha256, received_at) VALUES ($1, $2, $3, $4, 'f00d', $5) RETURNING id`,
      [setup.organizationId, setup.integrationId, filename, chunks.reduce((sum, chunk) => sum + chunk.length, 0), receivedAt],
    );
    for (const [seq, data] of chunks.entries()) await db.query('INSERT INTO received_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [id, seq, data]);
    return id;
  }

  beforeAll(() => {
    ({ dataSource, db } = testDatabase);
    files = new ReceivedFileRepository(dataSource);
  });

  it('stages an upload unseen by others, refuses a taken name keeping the staging, and receives the file under a free one', async () => {
    const setup = await arrangeOrganization(db);
    const taken = await insertFile(setup, 'week-1.csv', '2026-12-01T08:00:00Z');
    const fileId = randomUUID();
    const receivedAt = new Date('2026-12-01T09:30:00.250Z');
    const runner = dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      const upload = new ReceivedFileRepository(runner.manager);
      await upload.stage({ id: fileId, organizationId: setup.organizationId, integrationId: setup.integrationId });
      await upload.addChunk(fileId, 0, Buffer.from('agent_id,'));
      await upload.addChunk(fileId, 1, Buffer.from('activity\n'));
      expect(await db.query('SELECT id FROM received_files WHERE id = $1', [fileId])).toEqual([]);
      expect(await upload.get(fileId)).toEqual({
        id: fileId,
        organizationId: setup.organizationId,
        integrationId: setup.integrationId,
        filename: `.staging-${fileId}`,
        sizeBytes: 0,
        sha256: '',
        receivedAt: expect.any(Date),
      });

      expect(await upload.receive(fileId, { filename: 'week-1.csv', sizeBytes: 18, sha256: 'abc', receivedAt })).toBe(false);
      // The transaction goes on, the staging as it was.
      expect((await upload.get(fileId))?.filename).toBe(`.staging-${fileId}`);
      await expect(upload.receive(fileId, { filename: null as unknown as string, sizeBytes: 18, sha256: 'abc', receivedAt })).rejects.toThrow(/null value/);
      await runner.query('ROLLBACK TO SAVEPOINT final_name');
      expect(await upload.receive(fileId, { filename: 'week-2.csv', sizeBytes: 18, sha256: 'abc', receivedAt })).toBe(true);
      await runner.commitTransaction();
    } finally {
      await runner.release();
    }

    const received = { id: fileId, organizationId: setup.organizationId, integrationId: setup.integrationId, filename: 'week-2.csv', sizeBytes: 18, sha256: 'abc', receivedAt };
    expect(await files.get(fileId)).toEqual(received);
    expect(await files.find(setup.integrationId, 'week-2.csv')).toEqual(received);
    expect((await files.list(setup.integrationId)).map((file) => [file.id, file.filename])).toEqual([
      [taken, 'week-1.csv'],
      [fileId, 'week-2.csv'],
    ]);
    expect(Buffer.concat(await collect(files.chunks(fileId))).toString()).toBe('agent_id,activity\n');
    expect(await files.find(setup.integrationId, 'week-3.csv')).toBeNull();
    expect(await files.find(randomUUID(), 'week-2.csv')).toBeNull();
    expect(await files.get(randomUUID())).toBeNull();
    expect(await files.list(randomUUID())).toEqual([]);
  });

  it('reads chunk lengths, a part of a chunk, and every chunk in order by binary COPY, a few at a time', async () => {
    const setup = await arrangeOrganization(db);
    // Nine chunks (more than two COPYs' worth), every byte value among them.
    const nine = Array.from({ length: 9 }, (_, seq) => Buffer.concat([Buffer.from([0, 255, 10, 92, seq]), randomBytes(1000 + seq)]));
    const nineId = await insertFile(setup, 'nine.csv', '2026-12-01T08:00:00Z', nine);
    const fourId = await insertFile(setup, 'four.csv', '2026-12-01T08:00:00Z', nine.slice(0, 4));
    const emptyId = await insertFile(setup, 'empty.csv', '2026-12-01T08:00:00Z');

    expect(await files.chunkLengths(nineId)).toEqual(nine.map((chunk, seq) => ({ seq, length: chunk.length })));
    expect(await files.chunkLengths(emptyId)).toEqual([]);
    expect(await files.chunkBytes(nineId, 2, 10, 5)).toEqual(nine[2].subarray(10, 15));
    expect(await files.chunkBytes(nineId, 2, nine[2].length - 3, 10)).toEqual(nine[2].subarray(nine[2].length - 3));
    expect(await files.chunkBytes(nineId, 0, 0, 2)).toEqual(Buffer.from([0, 255]));
    expect(await files.chunkBytes(nineId, 99, 0, 5)).toEqual(Buffer.alloc(0));

    expect(await collect(files.chunks(nineId))).toEqual(nine);
    expect(await collect(files.chunks(fourId))).toEqual(nine.slice(0, 4));
    expect(await collect(files.chunks(emptyId))).toEqual([]);
    // COPY takes no parameters: anything but a file id is refused before it reaches SQL.
    await expect(collect(files.chunks(`${nineId}' OR TRUE --`))).rejects.toThrow('not a file id');
    // COPY runs on connections of its own, never silently outside a caller's transaction.
    await dataSource.transaction(async (manager) => {
      await expect(collect(new ReceivedFileRepository(manager).chunks(nineId))).rejects.toThrow('build the repository on the DataSource');
    });
  });

  it('lists the files for the API newest first by cursor or offset, finds them by id within an integration, and locks a row', async () => {
    const setup = await arrangeOrganization(db);
    const neighbour = await arrangeOrganization(db);
    const oldest = await insertFile(setup, 'a.csv', '2026-12-01T08:00:00.123Z');
    // Microseconds apart from the oldest: a cursor key cut to milliseconds would skip or repeat it.
    const later = await insertFile(setup, 'b.csv', '2026-12-01T08:00:00.123456Z');
    const newest = await insertFile(setup, 'c.csv', '2026-12-02T08:00:00Z');
    const theirs = await insertFile(neighbour, 'a.csv', '2026-12-03T08:00:00Z');

    const first = await files.listing(setup.integrationId, { limit: 2, offset: 0, olderThan: null });
    expect(first).toEqual([
      { id: newest, integration_id: setup.integrationId, filename: 'c.csv', size_bytes: '0', sha256: 'f00d', received_at: new Date('2026-12-02T08:00:00Z'), received_key: expect.any(String) },
      expect.objectContaining({ id: later, filename: 'b.csv', received_key: expect.stringContaining('.123456') }),
    ]);
    const next = await files.listing(setup.integrationId, { limit: 2, offset: 0, olderThan: { receivedKey: first[1].received_key, id: first[1].id } });
    expect(next.map((file) => file.id)).toEqual([oldest]);
    expect((await files.listing(setup.integrationId, { limit: 10, offset: 1, olderThan: null })).map((file) => file.id)).toEqual([later, oldest]);
    expect(await files.listing(randomUUID(), { limit: 10, offset: 0, olderThan: null })).toEqual([]);

    const some = await files.listingOf([oldest, theirs, randomUUID()]);
    expect([...some.keys()].sort()).toEqual([oldest, theirs].sort());
    expect(some.get(theirs)).toMatchObject({ integration_id: neighbour.integrationId, filename: 'a.csv' });
    expect([...(await files.listingOf([oldest, theirs], setup.integrationId)).keys()]).toEqual([oldest]);
    expect(await files.listingOf([])).toEqual(new Map());

    await dataSource.transaction(async (manager) => {
      expect(await new ReceivedFileRepository(manager).lock(oldest)).toBe(true);
      expect(await new ReceivedFileRepository(manager).lock(randomUUID())).toBe(false);
      // Another connection cannot lock the row until this transaction ends, but rows referencing it are not held up.
      expect(await db.query('SELECT id FROM received_files WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED', [oldest])).toEqual([]);
      expect(await db.query('SELECT id FROM received_files WHERE id = $1 FOR KEY SHARE SKIP LOCKED', [oldest])).toEqual([{ id: oldest }]);
    });
    expect(await db.query('SELECT id FROM received_files WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED', [oldest])).toEqual([{ id: oldest }]);
  });
});

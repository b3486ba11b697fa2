import { DataSource } from 'typeorm';
import { copyOutBinary, uuidLiteral } from '../copy/binary-copy-out';
import type { Queryable } from './integration.repository';

/** A file a BPO uploaded (its bytes are its chunks'). */
export interface ReceivedFile {
  id: string;
  organizationId: string;
  integrationId: string;
  filename: string;
  sizeBytes: number;
  sha256: string;
  receivedAt: Date;
}

/**
 * A received file as the API lists it (columns as stored). `received_key` is its arrival as
 * PostgreSQL writes it: a page cursor's key, which a Date would cut to milliseconds.
 */
export interface ReceivedFileListing {
  id: string;
  integration_id: string;
  filename: string;
  size_bytes: string;
  sha256: string;
  received_at: Date;
  received_key: string;
}

/** A page of an integration's files, newest first: `limit` rows after the last one's keys (`olderThan`), or from `offset`. */
export interface ReceivedFilePage {
  limit: number;
  offset: number;
  /** The last listed file's `received_key` and id; checked by the caller (they are bound as timestamptz and uuid). */
  olderThan: { receivedKey: string; id: string } | null;
}

/** What the upload's end tells of the file: its final name, size, hash and arrival time. */
export interface ReceivedFileArrival {
  filename: string;
  sizeBytes: number;
  sha256: string;
  receivedAt: Date;
}

const UNIQUE_VIOLATION = '23505';
/** Chunks per binary COPY: a few, so no snapshot is held while the reader works on the file. */
const CHUNKS_PER_COPY = 4;

const FILE_COLUMNS = 'id, organization_id, integration_id, filename, size_bytes, sha256, received_at';
const LISTING_COLUMNS = 'id, integration_id, filename, size_bytes, sha256, received_at, received_at::text AS received_key';

interface FileRow {
  id: string;
  organization_id: string;
  integration_id: string;
  filename: string;
  size_bytes: string;
  sha256: string;
  received_at: Date;
}

function toReceivedFile(row: FileRow): ReceivedFile {
  return {
    id: row.id,
    organizationId: row.organization_id,
    integrationId: row.integration_id,
    filename: row.filename,
    sizeBytes: Number(row.size_bytes),
    sha256: row.sha256,
    receivedAt: row.received_at,
  };
}

/**
 * The one owner of the `received_files` and `received_file_chunks` SQL (config-api reads a file
 * to replay through the typed ReceivedFileEntity): sftp-ingest stages and stores uploads, the
 * parser and the API read their bytes, the API and the writer read the files' rows, all through
 * here. Each method runs on what it was built with: the DataSource, or a transaction's
 * EntityManager (`chunks` needs the DataSource).
 */
export class ReceivedFileRepository {
  constructor(private readonly db: Queryable) {}

  /** The integration's files, by name. */
  async list(integrationId: string): Promise<ReceivedFile[]> {
    const rows: FileRow[] = await this.db.query(`SELECT ${FILE_COLUMNS} FROM received_files WHERE integration_id = $1 ORDER BY filename`, [integrationId]);
    return rows.map(toReceivedFile);
  }

  /** The integration's file of this name; null when there is none. */
  async find(integrationId: string, filename: string): Promise<ReceivedFile | null> {
    const [row]: FileRow[] = await this.db.query(`SELECT ${FILE_COLUMNS} FROM received_files WHERE integration_id = $1 AND filename = $2`, [integrationId, filename]);
    return row ? toReceivedFile(row) : null;
  }

  /** The file; null when it is gone. */
  async get(fileId: string): Promise<ReceivedFile | null> {
    const [row]: FileRow[] = await this.db.query(`SELECT ${FILE_COLUMNS} FROM received_files WHERE id = $1`, [fileId]);
    return row ? toReceivedFile(row) : null;
  }

  /** A page of the integration's files as the API lists them, newest first (by arrival, then id). */
  async listing(integrationId: string, page: ReceivedFilePage): Promise<ReceivedFileListing[]> {
    const params: unknown[] = [integrationId, page.limit, page.offset];
    let olderThan = '';
    if (page.olderThan) {
      params.push(page.olderThan.receivedKey, page.olderThan.id);
      olderThan = 'AND (received_at, id) < ($4::timestamptz, $5::uuid)';
    }
    return this.db.query(
      `SELECT ${LISTING_COLUMNS} FROM received_files WHERE integration_id = $1 ${olderThan} ORDER BY received_at DESC, id DESC LIMIT $2 OFFSET $3`,
      params,
    );
  }

  /** These files as the API lists them, by id; files that are gone (or, with `integrationId`, are another integration's) are absent. */
  async listingOf(fileIds: readonly string[], integrationId?: string): Promise<Map<string, ReceivedFileListing>> {
    if (fileIds.length === 0) return new Map();
    const rows: ReceivedFileListing[] = await this.db.query(
      `SELECT ${LISTING_COLUMNS} FROM received_files WHERE id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR integration_id = $2)`,
      [fileIds, integrationId ?? null],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }

  /**
   * Locks the file's row until the transaction ends (FOR NO KEY UPDATE: rows that merely reference
   * the file are not held up), so what is done to a file takes turns. False when it is gone.
   */
  async lock(fileId: string): Promise<boolean> {
    const rows: unknown[] = await this.db.query('SELECT 1 FROM received_files WHERE id = $1 FOR NO KEY UPDATE', [fileId]);
    return rows.length > 0;
  }

  /**
   * An upload's row before its end: under a placeholder name (`.staging-<id>`, never a valid file
   * name), no size and no hash. Run it in the upload's transaction: uncommitted, no one sees it.
   */
  async stage(file: { id: string; organizationId: string; integrationId: string }): Promise<void> {
    await this.db.query(
      `INSERT INTO received_files (id, organization_id, integration_id, filename, size_bytes, sha256)
       VALUES ($1, $2, $3, $4, 0, '')`,
      [file.id, file.organizationId, file.integrationId, `.staging-${file.id}`],
    );
  }

  /** Stores chunk `seq` of the file's bytes. */
  async addChunk(fileId: string, seq: number, data: Buffer): Promise<void> {
    await this.db.query('INSERT INTO received_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [fileId, seq, data]);
  }

  /**
   * The staged file is received: its final name, size, hash and arrival time. False when the
   * integration has a file of that name already; a savepoint then leaves the transaction (which
   * this must run in) as it was, so the caller may try another name or roll back.
   */
  async receive(fileId: string, arrival: ReceivedFileArrival): Promise<boolean> {
    await this.db.query('SAVEPOINT final_name');
    try {
      await this.db.query('UPDATE received_files SET filename = $2, size_bytes = $3, sha256 = $4, received_at = $5 WHERE id = $1', [
        fileId,
        arrival.filename,
        arrival.sizeBytes,
        arrival.sha256,
        arrival.receivedAt,
      ]);
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code !== UNIQUE_VIOLATION) throw error;
      await this.db.query('ROLLBACK TO SAVEPOINT final_name');
      return false;
    }
    return true;
  }

  /** Each chunk's length in bytes, in `seq` order. */
  async chunkLengths(fileId: string): Promise<Array<{ seq: number; length: number }>> {
    const rows: Array<{ seq: number; length: number }> = await this.db.query(
      'SELECT seq, octet_length(data) AS length FROM received_file_chunks WHERE file_id = $1 ORDER BY seq',
      [fileId],
    );
    return rows.map((row) => ({ seq: row.seq, length: Number(row.length) }));
  }

  /** `length` bytes of chunk `seq` from `start` (0-based) on; fewer at the chunk's end, none when there is no such chunk. */
  async chunkBytes(fileId: string, seq: number, start: number, length: number): Promise<Buffer> {
    const [row]: Array<{ data: Buffer }> = await this.db.query(
      'SELECT substring(data FROM $3 FOR $4) AS data FROM received_file_chunks WHERE file_id = $1 AND seq = $2',
      [fileId, seq, start + 1, length],
    );
    return row?.data ?? Buffer.alloc(0);
  }

  /**
   * The file's bytes, chunk by chunk in `seq` order, never the whole file at once. By binary COPY:
   * a query brought bytea as hex text, twice the size, whose decoding and strings cost about 2 s
   * of CPU per 74 MB file. A few chunks per COPY, each on a connection of its own (hence the
   * DataSource): no snapshot is held while the caller works on a chunk.
   */
  async *chunks(fileId: string): AsyncIterable<Buffer> {
    if (!(this.db instanceof DataSource)) throw new Error('chunks are read by COPY on connections of their own: build the repository on the DataSource');
    // COPY takes no parameters: only a checked id and numbers are quoted into it.
    const file = uuidLiteral(fileId, 'a file id');
    for (let next = 0; ; ) {
      const rows = await copyOutBinary(
        this.db,
        `SELECT seq, data FROM received_file_chunks WHERE file_id = ${file} AND seq >= ${next} ORDER BY seq LIMIT ${CHUNKS_PER_COPY}`,
      );
      for (const [, data] of rows) yield data!;
      if (rows.length < CHUNKS_PER_COPY) return;
      next = rows[rows.length - 1][0]!.readInt32BE(0) + 1;
    }
  }
}

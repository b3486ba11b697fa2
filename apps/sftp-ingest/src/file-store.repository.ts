import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { Platform } from '@bpo/contracts';
import { Metrics } from '@bpo/service-kit';
import { MessagingLifecycle } from '@bpo/messaging';
import { queueFileForSync } from '@bpo/pipeline';
import { IntegrationRepository } from '@bpo/persistence';
import type { ChunkSink } from './staged-upload';

/** The integration an upload belongs to: everything the stored rows and the message need. */
export interface FileOwner {
  integrationId: string;
  organizationId: string;
  siteId: string;
  platform: Platform;
}

export interface StoredFile {
  fileId: string;
  filename: string;
  sizeBytes: number;
  receivedAt: Date;
}

/** Where one stored chunk sits in its file. */
export interface ChunkPlacement {
  seq: number;
  offset: number;
  length: number;
}

export interface Arrival {
  filename: string;
  sizeBytes: number;
  sha256: string;
  receivedAt: Date;
}

export type CommitResult = { kind: 'stored'; fileId: string; syncRunId: string } | { kind: 'duplicate' };

/** An upload's bytes in staging: invisible to everyone until `commit`, gone after `discard`. */
export interface StagedFile extends ChunkSink {
  readonly fileId: string;
  /**
   * Stores the file under its final name with its sync run and `file-received` message, atomically.
   * A name already received leaves the staging as it was ('duplicate'), so the caller may retry
   * under another name or discard it.
   */
  commit(arrival: Arrival): Promise<CommitResult>;
  /** Drops everything staged; safe to call more than once, and after a commit (then a no-op). */
  discard(): Promise<void>;
}

/** The integration's files. A port, so the SFTP rules can be tested without a database. */
export abstract class FileStore {
  abstract listFiles(integrationId: string): Promise<StoredFile[]>;
  abstract findFile(integrationId: string, filename: string): Promise<StoredFile | null>;
  abstract chunkPlacements(fileId: string): Promise<ChunkPlacement[]>;
  /** `length` bytes of chunk `seq` from `start` (0-based) on; fewer at the chunk's end. */
  abstract readChunk(fileId: string, seq: number, start: number, length: number): Promise<Buffer>;
  abstract stage(owner: FileOwner): StagedFile;
}

const UNIQUE_VIOLATION = '23505';

interface FileRow {
  id: string;
  filename: string;
  size_bytes: string;
  received_at: Date;
}

function toStoredFile(row: FileRow): StoredFile {
  return { fileId: row.id, filename: row.filename, sizeBytes: Number(row.size_bytes), receivedAt: row.received_at };
}

/**
 * Files in PostgreSQL: `received_files` plus the bytes in `received_file_chunks`.
 *
 * Staging is one open transaction per upload: a `received_files` row under a placeholder name
 * (`.staging-<id>`, never a valid file name, and invisible to others until commit), then each chunk
 * as it comes. The commit gives the row its final name, size and hash, adds the sync run and the
 * outbox row of `file-received` and commits: the file and its message exist together or not at all.
 * A disconnect, a crash or a refused upload rolls the transaction back, leaving nothing behind.
 * The transaction starts with the first stored chunk, so a small file holds no connection while it
 * is being written.
 */
@Injectable()
export class TypeOrmFileStore extends FileStore {
  constructor(private readonly dataSource: DataSource, private readonly messaging: MessagingLifecycle) {
    super();
  }

  async listFiles(integrationId: string): Promise<StoredFile[]> {
    const rows: FileRow[] = await this.dataSource.query(
      'SELECT id, filename, size_bytes, received_at FROM received_files WHERE integration_id = $1 ORDER BY filename',
      [integrationId],
    );
    return rows.map(toStoredFile);
  }

  async findFile(integrationId: string, filename: string): Promise<StoredFile | null> {
    const rows: FileRow[] = await this.dataSource.query(
      'SELECT id, filename, size_bytes, received_at FROM received_files WHERE integration_id = $1 AND filename = $2',
      [integrationId, filename],
    );
    return rows.length > 0 ? toStoredFile(rows[0]) : null;
  }

  async chunkPlacements(fileId: string): Promise<ChunkPlacement[]> {
    const rows: Array<{ seq: number; length: number }> = await this.dataSource.query(
      'SELECT seq, octet_length(data) AS length FROM received_file_chunks WHERE file_id = $1 ORDER BY seq',
      [fileId],
    );
    let offset = 0;
    return rows.map((row) => {
      const placement = { seq: row.seq, offset, length: Number(row.length) };
      offset += placement.length;
      return placement;
    });
  }

  async readChunk(fileId: string, seq: number, start: number, length: number): Promise<Buffer> {
    const rows: Array<{ data: Buffer }> = await this.dataSource.query(
      'SELECT substring(data FROM $3 FOR $4) AS data FROM received_file_chunks WHERE file_id = $1 AND seq = $2',
      [fileId, seq, start + 1, length],
    );
    return rows[0]?.data ?? Buffer.alloc(0);
  }

  stage(owner: FileOwner): StagedFile {
    return new PostgresStagedFile(this.dataSource, this.messaging, owner);
  }
}

class PostgresStagedFile implements StagedFile {
  readonly fileId = randomUUID();
  private runner?: QueryRunner;
  private opening?: Promise<QueryRunner>;
  private done = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly messaging: MessagingLifecycle,
    private readonly owner: FileOwner,
  ) {}

  async writeChunk(seq: number, data: Buffer): Promise<void> {
    const runner = await this.transaction();
    await runner.query('INSERT INTO received_file_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [this.fileId, seq, data]);
  }

  async commit(arrival: Arrival): Promise<CommitResult> {
    const runner = await this.transaction();
    const { integrationId, organizationId, siteId, platform } = this.owner;
    await runner.query('SAVEPOINT final_name');
    try {
      await runner.query('UPDATE received_files SET filename = $2, size_bytes = $3, sha256 = $4, received_at = $5 WHERE id = $1', [
        this.fileId,
        arrival.filename,
        arrival.sizeBytes,
        arrival.sha256,
        arrival.receivedAt,
      ]);
    } catch (error) {
      if ((error as { driverError?: { code?: string } }).driverError?.code !== UNIQUE_VIOLATION) throw error;
      await runner.query('ROLLBACK TO SAVEPOINT final_name');
      return { kind: 'duplicate' };
    }
    // A file arrived: it ends the integration's stale episode, if any. The row is locked before the
    // outbox's per-key lock (queueFileForSync), in the order the stale check takes them.
    await new IntegrationRepository(runner.manager).recordFileArrival(integrationId, arrival.receivedAt);
    const syncRunId = await queueFileForSync(
      runner.manager,
      { organizationId, integrationId, siteId, platform, fileId: this.fileId, filename: arrival.filename, sizeBytes: arrival.sizeBytes, sha256: arrival.sha256, receivedAt: arrival.receivedAt },
      arrival.receivedAt,
    );
    await runner.commitTransaction();
    this.done = true;
    await runner.release();
    this.messaging.wakeRelay();
    Metrics.filesReceived.inc({ platform });
    Metrics.fileBytesReceived.inc({ platform }, arrival.sizeBytes);
    return { kind: 'stored', fileId: this.fileId, syncRunId };
  }

  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    const runner = this.runner ?? (await this.opening?.catch(() => undefined));
    if (!runner || runner.isReleased) return;
    try {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
    } finally {
      await runner.release();
    }
  }

  /** The upload's transaction, opened with the placeholder row on first use. */
  private transaction(): Promise<QueryRunner> {
    if (this.done) return Promise.reject(new Error('the upload was already committed or discarded'));
    this.opening ??= this.open();
    return this.opening;
  }

  private async open(): Promise<QueryRunner> {
    const runner = this.dataSource.createQueryRunner();
    try {
      await runner.connect();
      await runner.startTransaction();
      await runner.query(
        `INSERT INTO received_files (id, organization_id, integration_id, filename, size_bytes, sha256)
         VALUES ($1, $2, $3, $4, 0, '')`,
        [this.fileId, this.owner.organizationId, this.owner.integrationId, `.staging-${this.fileId}`],
      );
    } catch (error) {
      await runner.release().catch(() => undefined);
      throw error;
    }
    this.runner = runner;
    if (this.done) {
      // discarded while the transaction was being opened
      await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
      throw new Error('the upload was discarded');
    }
    return runner;
  }
}

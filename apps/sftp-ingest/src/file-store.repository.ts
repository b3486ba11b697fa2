import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, type QueryRunner } from 'typeorm';
import type { Platform } from '@bpo/contracts';
import { Metrics } from '@bpo/service-kit';
import { MessagingLifecycle } from '@bpo/messaging';
import { queueFileForSync } from '@bpo/pipeline';
import { IntegrationRepository, ReceivedFileRepository, type ReceivedFile } from '@bpo/persistence';
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

function toStoredFile(file: ReceivedFile): StoredFile {
  return { fileId: file.id, filename: file.filename, sizeBytes: file.sizeBytes, receivedAt: file.receivedAt };
}

/**
 * Files in PostgreSQL: `received_files` plus the bytes in `received_file_chunks`, through
 * ReceivedFileRepository (their SQL's one owner).
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
  private readonly files: ReceivedFileRepository;

  constructor(private readonly dataSource: DataSource, private readonly messaging: MessagingLifecycle) {
    super();
    this.files = new ReceivedFileRepository(dataSource);
  }

  async listFiles(integrationId: string): Promise<StoredFile[]> {
    return (await this.files.list(integrationId)).map(toStoredFile);
  }

  async findFile(integrationId: string, filename: string): Promise<StoredFile | null> {
    const file = await this.files.find(integrationId, filename);
    return file ? toStoredFile(file) : null;
  }

  async chunkPlacements(fileId: string): Promise<ChunkPlacement[]> {
    let offset = 0;
    return (await this.files.chunkLengths(fileId)).map(({ seq, length }) => {
      const placement = { seq, offset, length };
      offset += length;
      return placement;
    });
  }

  readChunk(fileId: string, seq: number, start: number, length: number): Promise<Buffer> {
    return this.files.chunkBytes(fileId, seq, start, length);
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
    await new ReceivedFileRepository(runner.manager).addChunk(this.fileId, seq, data);
  }

  async commit(arrival: Arrival): Promise<CommitResult> {
    const runner = await this.transaction();
    const { integrationId, organizationId, siteId, platform } = this.owner;
    if (!(await new ReceivedFileRepository(runner.manager).receive(this.fileId, arrival))) return { kind: 'duplicate' };
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
      await new ReceivedFileRepository(runner.manager).stage({ id: this.fileId, organizationId: this.owner.organizationId, integrationId: this.owner.integrationId });
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

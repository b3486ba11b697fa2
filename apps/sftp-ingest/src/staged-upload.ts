import { createHash, type Hash } from 'node:crypto';

/** Where an upload's bytes go while it is in progress, one chunk at a time, in order. */
export interface ChunkSink {
  /** `data` is lent: it is reused for a later chunk once the promise settled, so copy it to keep it. */
  writeChunk(seq: number, data: Buffer): Promise<void>;
}

export type UploadFailureCode = 'too_large' | 'out_of_order' | 'incomplete' | 'storage' | 'finished';

/** Why an upload cannot go on; the message is shown to the SFTP client as is. */
export class UploadFailure extends Error {
  override name = 'UploadFailure';
  constructor(readonly code: UploadFailureCode, message: string) {
    super(message);
  }
}

export interface UploadLimits {
  /** The largest file accepted; a write beyond it fails the upload. */
  maxBytes: number;
  /** Size of the stored chunks (the last one may be shorter). */
  chunkBytes?: number;
  /** How many bytes of writes ahead of a gap are held in memory, waiting for the gap to be filled. */
  maxReorderBytes?: number;
  /** Full chunks that may wait for the store before writes are no longer acknowledged at once. */
  maxQueuedChunks?: number;
}

export interface UploadResult {
  sizeBytes: number;
  /** hex */
  sha256: string;
}

export const DEFAULT_CHUNK_BYTES = 1024 * 1024;
const DEFAULT_MAX_REORDER_BYTES = 8 * 1024 * 1024;
const DEFAULT_MAX_QUEUED_CHUNKS = 2;

/**
 * The byte stream of one upload: SFTP WRITEs (offset + data) in, sequential chunks of `chunkBytes`
 * out to a sink, with the size and SHA-256 computed on the way. Nothing is held beyond a couple of
 * chunks and a bounded reorder window, so any file size streams in constant memory.
 *
 * Offsets are checked: a write at the next expected offset is appended; a write ahead of it (a
 * client pipelining out of order) waits in memory until the gap is filled; a write behind it
 * (rewriting data already received) fails the upload, as does a gap never filled by `finish()`.
 *
 * `write` updates all state synchronously (events of one SFTP channel arrive in order) and returns a
 * promise for the acknowledgement: it resolves at once while few chunks wait for the store, and
 * otherwise only when the store catches up. The client's limit on unacknowledged requests then
 * slows it down to the speed of the store (backpressure): memory stays at a few chunks per upload.
 */
export class StagedUpload {
  private readonly chunkBytes: number;
  private readonly maxReorderBytes: number;
  private readonly maxQueuedChunks: number;
  private readonly hash: Hash = createHash('sha256');
  private chunk: Buffer;
  /** Chunk buffers the sink is done with, reused rather than left to the garbage collector. */
  private readonly spare: Buffer[] = [];
  private chunkFill = 0;
  private nextSeq = 0;
  private nextOffset = 0;
  private readonly ahead = new Map<number, Buffer>();
  private aheadBytes = 0;
  /** Completion of each chunk handed to the sink and not yet stored, oldest first. */
  private readonly storing: Promise<void>[] = [];
  private stored: Promise<void> = Promise.resolve();
  private failure?: UploadFailure;
  private finished = false;

  constructor(private readonly sink: ChunkSink, private readonly limits: UploadLimits) {
    this.chunkBytes = limits.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.maxReorderBytes = limits.maxReorderBytes ?? DEFAULT_MAX_REORDER_BYTES;
    this.maxQueuedChunks = limits.maxQueuedChunks ?? DEFAULT_MAX_QUEUED_CHUNKS;
    this.chunk = Buffer.allocUnsafe(this.chunkBytes);
  }

  /** Bytes received so far in sequence (what FSTAT reports while uploading). */
  get receivedBytes(): number {
    return this.nextOffset;
  }

  /** Set once the upload failed; every later call fails with it. */
  get failed(): UploadFailure | undefined {
    return this.failure;
  }

  write(offset: number, data: Buffer): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.finished) return Promise.reject(new UploadFailure('finished', 'the file is already closed'));
    if (data.length === 0) return Promise.resolve();
    const end = offset + data.length;
    if (end > this.limits.maxBytes) {
      return Promise.reject(this.fail('too_large', `file too large: the limit is ${this.limits.maxBytes} bytes; the upload was discarded`));
    }
    if (offset < this.nextOffset) {
      return Promise.reject(
        this.fail('out_of_order', `write at offset ${offset} overlaps data already received (next offset is ${this.nextOffset}); rewriting is not supported, the upload was discarded`),
      );
    }
    if (offset > this.nextOffset) {
      if (this.ahead.has(offset) || this.aheadBytes + data.length > this.maxReorderBytes) {
        return Promise.reject(
          this.fail('out_of_order', `writes arrived too far out of order (nothing received at offset ${this.nextOffset}); the upload was discarded`),
        );
      }
      // A copy: the SSH layer may reuse the buffer of a packet once its event returned.
      this.ahead.set(offset, Buffer.from(data));
      this.aheadBytes += data.length;
      return this.acknowledgement();
    }
    this.append(data);
    for (let next = this.ahead.get(this.nextOffset); next; next = this.ahead.get(this.nextOffset)) {
      this.ahead.delete(this.nextOffset);
      this.aheadBytes -= next.length;
      this.append(next);
    }
    return this.acknowledgement();
  }

  /** The client closed the file: store the last chunk, check nothing is missing, return size and hash. */
  async finish(): Promise<UploadResult> {
    if (this.failure) throw this.failure;
    if (this.finished) throw new UploadFailure('finished', 'the file is already closed');
    this.finished = true;
    if (this.ahead.size > 0) {
      throw this.fail('incomplete', `the upload is incomplete: nothing was written at offset ${this.nextOffset}; it was discarded`);
    }
    if (this.chunkFill > 0) this.store(this.chunk.subarray(0, this.chunkFill));
    await this.stored;
    if (this.failure) throw this.failure;
    return { sizeBytes: this.nextOffset, sha256: this.hash.digest('hex') };
  }

  /** Marks the upload failed (e.g. the session ended); the chunks already handed to the sink are the caller's to discard. */
  abort(reason: string): void {
    if (!this.failure) this.fail('incomplete', reason);
  }

  private append(data: Buffer): void {
    this.hash.update(data);
    this.nextOffset += data.length;
    let from = 0;
    while (from < data.length) {
      const take = Math.min(this.chunkBytes - this.chunkFill, data.length - from);
      // Copied into our own chunk buffer at once, for the same reason as above.
      data.copy(this.chunk, this.chunkFill, from, from + take);
      this.chunkFill += take;
      from += take;
      if (this.chunkFill === this.chunkBytes) {
        this.store(this.chunk);
        this.chunk = this.spare.pop() ?? Buffer.allocUnsafe(this.chunkBytes);
        this.chunkFill = 0;
      }
    }
  }

  private store(data: Buffer): void {
    const seq = this.nextSeq++;
    const done: Promise<void> = this.stored.then(() =>
      this.sink.writeChunk(seq, data).then(
        () => {
          this.storing.splice(this.storing.indexOf(done), 1);
          if (data.length === this.chunkBytes) this.spare.push(data);
        },
        (error: Error) => {
          throw this.fail('storage', `the file could not be stored (${error.message}); the upload was discarded`);
        },
      ),
    );
    this.storing.push(done);
    this.stored = done;
    // Awaited by acknowledgements and finish(); this keeps a failure from counting as unhandled meanwhile.
    done.catch(() => undefined);
  }

  /**
   * Resolves once at most `maxQueuedChunks` chunks are still waiting for the store: while the store
   * keeps up, at once; otherwise when the oldest chunks are stored. The newest chunk never has to
   * be stored before the client may go on, so receiving and storing overlap.
   */
  private acknowledgement(): Promise<void> {
    const excess = this.storing.length - this.maxQueuedChunks;
    if (excess <= 0) return Promise.resolve();
    return this.storing[excess - 1];
  }

  private fail(code: UploadFailureCode, message: string): UploadFailure {
    this.failure ??= new UploadFailure(code, message);
    this.ahead.clear();
    this.aheadBytes = 0;
    return this.failure;
  }
}

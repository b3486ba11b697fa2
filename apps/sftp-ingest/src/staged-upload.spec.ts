import { createHash, randomBytes } from 'node:crypto';
import { StagedUpload, UploadFailure, type ChunkSink } from './staged-upload';

class MemorySink implements ChunkSink {
  readonly chunks = new Map<number, Buffer>();
  /** Chunk writes wait for `release()` while set. */
  gate?: { promise: Promise<void>; release: () => void };
  failWith?: Error;

  async writeChunk(seq: number, data: Buffer): Promise<void> {
    await this.gate?.promise;
    if (this.failWith) throw this.failWith;
    if (this.chunks.has(seq)) throw new Error(`chunk ${seq} written twice`);
    this.chunks.set(seq, Buffer.from(data));
  }

  hold(): void {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.gate = { promise, release };
  }

  bytes(): Buffer {
    return Buffer.concat([...this.chunks.keys()].sort((a, b) => a - b).map((seq) => this.chunks.get(seq) as Buffer));
  }
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function slices(data: Buffer, size: number): Array<{ offset: number; data: Buffer }> {
  const out = [];
  for (let offset = 0; offset < data.length; offset += size) out.push({ offset, data: data.subarray(offset, offset + size) });
  return out;
}

describe('StagedUpload', () => {
  it('cuts sequential writes into chunks of the configured size and hashes the whole file', async () => {
    const sink = new MemorySink();
    const file = randomBytes(10_000);
    const upload = new StagedUpload(sink, { maxBytes: 1_000_000, chunkBytes: 4096 });
    for (const part of slices(file, 1000)) await upload.write(part.offset, part.data);
    await expect(upload.finish()).resolves.toEqual({ sizeBytes: 10_000, sha256: sha256(file) });
    expect([...sink.chunks.values()].map((chunk) => chunk.length)).toEqual([4096, 4096, 1808]);
    expect(sink.bytes().equals(file)).toBe(true);
  });

  it('stores an empty file as no chunks', async () => {
    const sink = new MemorySink();
    const upload = new StagedUpload(sink, { maxBytes: 10 });
    await expect(upload.finish()).resolves.toEqual({ sizeBytes: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(sink.chunks.size).toBe(0);
  });

  it('copies the data it is given, so a reused packet buffer cannot corrupt the file', async () => {
    const sink = new MemorySink();
    const upload = new StagedUpload(sink, { maxBytes: 100, chunkBytes: 64 });
    const packet = Buffer.from('abcd');
    await upload.write(4, packet); // held ahead of the gap
    packet.fill('x');
    await upload.write(0, packet);
    packet.fill('y');
    await upload.finish();
    expect(sink.bytes().toString()).toBe('xxxxabcd');
  });

  it('puts writes that arrive out of order back in order', async () => {
    const sink = new MemorySink();
    const file = randomBytes(20_000);
    const parts = slices(file, 1500);
    const shuffled = [parts[1], parts[0], parts[3], parts[4], parts[2], ...parts.slice(5).reverse()];
    const upload = new StagedUpload(sink, { maxBytes: 1_000_000, chunkBytes: 4096 });
    await Promise.all(shuffled.map((part) => upload.write(part.offset, part.data)));
    await expect(upload.finish()).resolves.toEqual({ sizeBytes: file.length, sha256: sha256(file) });
    expect(sink.bytes().equals(file)).toBe(true);
  });

  it('refuses a write that overlaps data already received, and fails the upload', async () => {
    const upload = new StagedUpload(new MemorySink(), { maxBytes: 1000 });
    await upload.write(0, Buffer.alloc(100));
    await expect(upload.write(50, Buffer.alloc(10))).rejects.toThrow(/offset 50 overlaps data already received \(next offset is 100\)/);
    await expect(upload.write(100, Buffer.alloc(10))).rejects.toThrow(/overlaps/);
    await expect(upload.finish()).rejects.toBeInstanceOf(UploadFailure);
  });

  it('refuses writes too far ahead of a gap', async () => {
    const upload = new StagedUpload(new MemorySink(), { maxBytes: 10_000_000, maxReorderBytes: 1000 });
    await upload.write(100, Buffer.alloc(600));
    await expect(upload.write(700, Buffer.alloc(600))).rejects.toThrow(/too far out of order \(nothing received at offset 0\)/);
  });

  it('fails at close when a gap was never filled', async () => {
    const upload = new StagedUpload(new MemorySink(), { maxBytes: 1000 });
    await upload.write(0, Buffer.alloc(10));
    await upload.write(20, Buffer.alloc(10));
    await expect(upload.finish()).rejects.toThrow(/incomplete: nothing was written at offset 10/);
  });

  it('refuses the write that passes the size limit', async () => {
    const upload = new StagedUpload(new MemorySink(), { maxBytes: 150 });
    await upload.write(0, Buffer.alloc(100));
    const refused = upload.write(100, Buffer.alloc(100));
    await expect(refused).rejects.toThrow('file too large: the limit is 150 bytes; the upload was discarded');
    await expect(refused).rejects.toMatchObject({ code: 'too_large' });
    await expect(upload.finish()).rejects.toMatchObject({ code: 'too_large' });
  });

  it('accepts a file of exactly the limit', async () => {
    const upload = new StagedUpload(new MemorySink(), { maxBytes: 100 });
    await upload.write(0, Buffer.alloc(100));
    await expect(upload.finish()).resolves.toMatchObject({ sizeBytes: 100 });
  });

  it('holds acknowledgements back while more chunks than allowed wait for the store (backpressure)', async () => {
    const sink = new MemorySink();
    sink.hold();
    const upload = new StagedUpload(sink, { maxBytes: 1_000_000, chunkBytes: 100, maxQueuedChunks: 2 });
    await upload.write(0, Buffer.alloc(100)); // chunk 0 waits for the store: acknowledged at once
    await upload.write(100, Buffer.alloc(100)); // chunk 1 too: two may wait
    await upload.write(200, Buffer.alloc(50)); // not a full chunk yet
    let acknowledged = false;
    const third = upload.write(250, Buffer.alloc(50)).then(() => (acknowledged = true)); // chunk 2: one too many
    await new Promise((resolve) => setImmediate(resolve));
    expect(acknowledged).toBe(false);
    sink.gate?.release();
    await third;
    expect(acknowledged).toBe(true);
    await upload.finish();
    expect(sink.chunks.size).toBe(3);
  });

  it('fails every later write once the store failed', async () => {
    const sink = new MemorySink();
    sink.failWith = new Error('connection lost');
    const upload = new StagedUpload(sink, { maxBytes: 1_000_000, chunkBytes: 10 });
    await upload.write(0, Buffer.alloc(10)); // acknowledged before the store answers
    await new Promise((resolve) => setImmediate(resolve));
    await expect(upload.write(10, Buffer.alloc(10))).rejects.toThrow(/could not be stored \(connection lost\)/);
    await expect(upload.finish()).rejects.toMatchObject({ code: 'storage' });
  });
});

/**
 * kafkajs (2.2.4, its last release) encodes a produce request level by level: a record, its batch,
 * the batch's CRC frame, the partition, the topic, the request and its size frame. Each level is a
 * new Encoder that copies the level below into a zero-filled buffer grown by doubling. A 1 MB row
 * batch was allocated and copied about eight times over: about 3 s of CPU per million rows in each
 * stage that produces them, and much of the parser's GC.
 *
 * `chainEncoderChunks` changes how an Encoder holds its bytes, never which bytes it writes: large
 * buffers and nested encoders are kept as a list of chunks (not copied), and small writes go into
 * a tail buffer that is never copied when it fills (a new one is started). The bytes are joined
 * once, when a level reads them whole (`buffer`: the batch's CRC, its size frame, the socket).
 * Every other write method of kafkajs' Encoder only relies on `ensureAvailable(n)` leaving `n`
 * bytes free at `offset` in `buf`, which still holds.
 */

/** The part of kafkajs' Encoder this relies on (src/protocol/encoder.js, 2.2.4). */
export interface KafkaEncoder {
  buf: Buffer;
  offset: number;
  readonly buffer: Buffer;
  size(): number;
  ensureAvailable(length: number): void;
  writeBufferInternal(buffer: Buffer): void;
  writeInt32(value: number): KafkaEncoder;
  writeBytes(value: Buffer | string | null | undefined): KafkaEncoder;
  writeEncoder(value: KafkaEncoder): KafkaEncoder;
  writeEncoderArray(value: KafkaEncoder[]): KafkaEncoder;
}

export interface KafkaEncoderClass {
  new (initialSize?: number): KafkaEncoder;
  prototype: KafkaEncoder;
}

interface Chained extends KafkaEncoder {
  /** Bytes before the tail, in order (buffers shared, never written again). */
  chunks?: Buffer[];
  /** Their total length. */
  chunkBytes?: number;
}

/** Buffers at least this long are chained, not copied. */
export const CHAINED_BYTES = 4096;
/** A new tail's least size. */
const TAIL_BYTES = 8192;

const isEncoder = (value: unknown): value is Chained => value != null && Buffer.isBuffer((value as KafkaEncoder).buf);

function pushChunk(encoder: Chained, chunk: Buffer): void {
  if (chunk.length === 0) return;
  (encoder.chunks ??= []).push(chunk);
  encoder.chunkBytes = (encoder.chunkBytes ?? 0) + chunk.length;
}

/** Moves the tail's written bytes to the chunks; the rest of the tail stays free to write. */
function closeTail(encoder: Chained): void {
  if (encoder.offset === 0) return;
  pushChunk(encoder, encoder.buf.subarray(0, encoder.offset));
  encoder.buf = encoder.buf.subarray(encoder.offset);
  encoder.offset = 0;
}

/** Patches kafkajs' Encoder class (once; idempotent) to chain its chunks. */
export function chainEncoderChunks(Encoder: KafkaEncoderClass): void {
  const proto = Encoder.prototype as Chained & { chainsChunks?: boolean };
  if (proto.chainsChunks) return;
  Object.defineProperty(proto, 'chainsChunks', { value: true });

  proto.ensureAvailable = function (this: Chained, length: number) {
    if (this.offset + length <= this.buf.length) return;
    closeTail(this);
    // Unzeroed: only bytes below `offset` are ever read.
    this.buf = Buffer.allocUnsafe(Math.max(length, TAIL_BYTES));
  };

  proto.writeBufferInternal = function (this: Chained, buffer: Buffer) {
    if (buffer.length >= CHAINED_BYTES) {
      closeTail(this);
      pushChunk(this, buffer);
      return;
    }
    this.ensureAvailable(buffer.length);
    buffer.copy(this.buf, this.offset, 0);
    this.offset += buffer.length;
  };

  Object.defineProperty(proto, 'buffer', {
    configurable: true,
    get(this: Chained): Buffer {
      const chunks = this.chunks;
      if (!chunks || chunks.length === 0) return this.buf.subarray(0, this.offset);
      if (chunks.length === 1 && this.offset === 0) return chunks[0];
      // Joined once; the encoder keeps the joined bytes as its only chunk.
      const whole = Buffer.concat(this.offset > 0 ? [...chunks, this.buf.subarray(0, this.offset)] : chunks, this.size());
      this.chunks = [whole];
      this.chunkBytes = whole.length;
      this.buf = this.buf.subarray(this.offset);
      this.offset = 0;
      return whole;
    },
  });

  proto.size = function (this: Chained) {
    return (this.chunkBytes ?? 0) + this.offset;
  };

  const writeBytes = proto.writeBytes;
  proto.writeBytes = function (this: Chained, value: Buffer | string | null | undefined) {
    // kafkajs reserves room for the whole buffer first, only to chain it.
    if (!Buffer.isBuffer(value) || value.length < CHAINED_BYTES) return writeBytes.call(this, value);
    this.writeInt32(value.length);
    this.writeBufferInternal(value);
    return this;
  };

  proto.writeEncoder = function (this: Chained, value: Chained) {
    if (!isEncoder(value)) throw new Error('value should be an instance of Encoder');
    if (value.size() < CHAINED_BYTES) {
      this.writeBufferInternal(value.buffer);
      return this;
    }
    closeTail(this);
    for (const chunk of value.chunks ?? []) pushChunk(this, chunk);
    pushChunk(this, value.buf.subarray(0, value.offset));
    return this;
  };

  proto.writeEncoderArray = function (this: Chained, value: Chained[]) {
    if (!Array.isArray(value) || value.some((item) => !isEncoder(item))) throw new Error('all values should be an instance of Encoder[]');
    for (const item of value) this.writeEncoder(item);
    return this;
  };
}

/**
 * CRC-32C (Castagnoli) of the bytes, eight bytes a step (slicing-by-8). kafkajs computes each
 * record batch's CRC a byte a step: about 0.4 s of CPU per million rows in each producing stage.
 */
export function crc32c(bytes: Uint8Array): number {
  const t = CRC32C_TABLES;
  let crc = ~0;
  let i = 0;
  for (const whole = bytes.length - (bytes.length % 8); i < whole; i += 8) {
    const low = crc ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    crc =
      t[1792 + (low & 0xff)] ^ t[1536 + ((low >>> 8) & 0xff)] ^ t[1280 + ((low >>> 16) & 0xff)] ^ t[1024 + (low >>> 24)] ^
      t[768 + bytes[i + 4]] ^ t[512 + bytes[i + 5]] ^ t[256 + bytes[i + 6]] ^ t[bytes[i + 7]];
  }
  for (; i < bytes.length; i++) crc = t[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** Table k holds the CRC of a byte followed by k zero bytes. */
const CRC32C_TABLES = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let k = 1; k < 8; k++) for (let n = 0; n < 256; n++) t[k * 256 + n] = (t[(k - 1) * 256 + n] >>> 8) ^ t[t[(k - 1) * 256 + n] & 0xff];
  return t;
})();

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs' internal modules, not in its public API */
/**
 * Applies `chainEncoderChunks` to the Encoder kafkajs itself uses, and `crc32c` to its record
 * batches (see message-publisher). kafkajs binds its CRC function when it first loads a record
 * batch module, at its first produce or fetch: this must run before, as the messaging lib's own
 * loading does. Returns false when that moment had passed (kafkajs' CRC is kept; it is correct).
 */
export function speedUpKafkaProduceEncoding(): boolean {
  chainEncoderChunks(require('kafkajs/src/protocol/encoder') as KafkaEncoderClass);
  if (require.cache[require.resolve('kafkajs/src/protocol/recordBatch/v0/index.js')]) return false;
  const crcModule = require.resolve('kafkajs/src/protocol/recordBatch/crc32C/index.js');
  require(crcModule);
  require.cache[crcModule]!.exports = crc32c;
  return true;
}
/* eslint-enable @typescript-eslint/no-require-imports */

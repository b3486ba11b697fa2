import { randomBytes } from 'node:crypto';
import { CHAINED_BYTES, chainEncoderChunks, crc32c, type KafkaEncoder, type KafkaEncoderClass } from './kafka-encoder';

/* eslint-disable @typescript-eslint/no-require-imports -- kafkajs' internal modules, as the patch and the produce request use them */
const load = () => ({
  Encoder: require('kafkajs/src/protocol/encoder') as KafkaEncoderClass,
  produceV3: require('kafkajs/src/protocol/requests/produce/v3/request') as (request: object) => { encode(): Promise<KafkaEncoder> },
  frame: require('kafkajs/src/protocol/request') as (request: object) => Promise<KafkaEncoder>,
  Types: require('kafkajs/src/protocol/message/compression').Types as { None: number; GZIP: number },
});
/* eslint-enable @typescript-eslint/no-require-imports */

/** A produce request as kafkajs frames it for the socket: two topics, partitions, records of every size, headers. */
async function produceRequestBytes(compression: 'None' | 'GZIP'): Promise<Buffer> {
  const { produceV3, frame, Types } = load();
  const value = (bytes: number, seed: number) => Buffer.alloc(bytes, seed).toString('latin1').replace(/[^a-z]/g, 'x');
  const messages = (sizes: number[]) =>
    sizes.map((bytes, i) => ({
      key: i % 3 === 0 ? null : `key-${i}`,
      value: i % 2 === 0 ? value(bytes, i) : Buffer.from(value(bytes, i)),
      headers: { 'bpo-message-id': `m-${i}`, big: value(i === 1 ? 5000 : 10, i) },
      timestamp: String(1_700_000_000_000 + i),
    }));
  const request = produceV3({
    acks: -1,
    timeout: 30_000,
    compression: Types[compression],
    topicData: [
      { topic: 'rows', partitions: [{ partition: 0, messages: messages([10, 700_000, 3, 4096, 4095, 0]) }, { partition: 2, messages: messages([200_000]) }] },
      { topic: 'status', partitions: [{ partition: 1, messages: messages([120, 90]) }] },
    ],
  });
  const framed = await frame({ correlationId: 7, clientId: 'bpo', request });
  return framed.buffer;
}

describe('chainEncoderChunks: kafkajs encoders hold chunks, write the same bytes', () => {
  beforeEach(() => jest.resetModules());

  it.each(['None', 'GZIP'] as const)('frames a produce request (compression %s) byte for byte as kafkajs does', async (compression) => {
    const before = await produceRequestBytes(compression);
    chainEncoderChunks(load().Encoder);
    const after = await produceRequestBytes(compression);
    if (compression === 'None') expect(after.length).toBeGreaterThan(900_000);
    expect(after.equals(before)).toBe(true);
  });

  it('matches the plain encoder on random writes of every kind, nested, whatever the sizes', () => {
    const { Encoder } = load();
    class Chained extends (Encoder as unknown as new () => KafkaEncoder) {}
    chainEncoderChunks(Chained as unknown as KafkaEncoderClass);
    let seed = 42;
    const random = (n: number) => {
      // xorshift32: the same scripts every run
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    let chainedWrites = 0;
    const lengths = [0, 1, 7, CHAINED_BYTES - 1, CHAINED_BYTES, CHAINED_BYTES + 1, 9000, 70_000];
    type Step = { kind: number; length: number };
    type Any = KafkaEncoder & Record<string, (...args: unknown[]) => Any>;
    const pattern = randomBytes(80_000);
    const bytesOf = ({ kind, length }: Step) => pattern.subarray(kind * 7, kind * 7 + length);
    // The same script of writes, on a plain encoder and on a chained one.
    const write = (make: () => Any, depth: number, script: Step[]): Any => {
      const encoder = make();
      for (const [index, step] of script.entries()) {
        const bytes = bytesOf(step);
        switch (step.kind) {
          case 0: encoder.writeInt32(step.length); break;
          case 1: encoder.writeBytes(bytes); break;
          case 2: encoder.writeVarIntBytes(bytes.toString('hex').slice(0, step.length)); break;
          case 3: encoder.writeString(bytes.toString('base64').slice(0, Math.min(step.length, 30_000))); break;
          case 4: encoder.writeBuffer(bytes); break;
          case 5: encoder.writeVarLong(step.length * 1_000_003); break;
          case 6: encoder.writeUVarIntBytes(bytes); break;
          case 7: if (depth < 3) {
            const inner = write(make, depth + 1, script.slice(0, 6));
            if (inner.size() >= CHAINED_BYTES) chainedWrites++;
            encoder.writeEncoder(inner);
          } break;
          default: if (depth < 3) encoder.writeEncoderArray([write(make, depth + 1, script.slice(2, 5)), write(make, depth + 1, script.slice(1, 3))]);
        }
        if (index % 4 === 3) void encoder.buffer; // read part way, as the CRC frame does
      }
      return encoder;
    };
    for (let round = 0; round < 40; round++) {
      const script = Array.from({ length: 1 + random(14) }, () => ({ kind: random(9), length: lengths[random(lengths.length)] }));
      const plain = write(() => new Encoder() as Any, 0, script);
      const chained = write(() => new Chained() as Any, 0, script);
      expect(chained.size()).toBe(plain.size());
      expect(chained.buffer.equals(plain.buffer)).toBe(true);
      expect(chained.buffer.equals(plain.buffer)).toBe(true); // read twice
    }
    expect(chainedWrites).toBeGreaterThan(20);
  });

  it('copies nothing large until the bytes are read whole, then joins them once', () => {
    const { Encoder } = load();
    chainEncoderChunks(Encoder);
    const value = randomBytes(100_000);
    const inner = new Encoder().writeInt32(1).writeBytes(value);
    const outer = new Encoder().writeInt32(2).writeEncoder(inner);
    value[0] ^= 0xff; // still shared: not copied
    expect(outer.buffer.subarray(12, 13)[0]).toBe(value[0]);
    const whole = outer.buffer;
    expect(outer.buffer).toBe(whole);
    expect(whole.length).toBe(4 + 4 + 4 + 100_000);
  });

  it('patches once', () => {
    const { Encoder } = load();
    chainEncoderChunks(Encoder);
    const patched = Encoder.prototype.writeEncoder;
    chainEncoderChunks(Encoder);
    expect(Encoder.prototype.writeEncoder).toBe(patched);
  });
});

describe('crc32c', () => {
  beforeEach(() => jest.resetModules());

  it('is CRC-32C (Castagnoli), as kafkajs computes it, at every length and offset', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs' own CRC, the reference
    const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C') as (bytes: Buffer) => number;
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    const bytes = randomBytes(70_000);
    for (let length = 0; length < 40; length++) for (let start = 0; start < 9; start++) {
      const slice = bytes.subarray(start, start + length);
      expect(crc32c(slice)).toBe(kafkajsCrc(slice));
    }
    expect(crc32c(bytes)).toBe(kafkajsCrc(bytes));
    expect(crc32c(bytes.subarray(3))).toBe(kafkajsCrc(bytes.subarray(3)));
  });

  it('frames the same bytes once the messaging lib loaded: chained encoder and this CRC', async () => {
    const before = await produceRequestBytes('None');
    jest.resetModules();
    // Loaded as a service loads it, before any produce.
    /* eslint-disable @typescript-eslint/no-require-imports */
    require('./message-publisher');
    const installed = (require('./kafka-encoder') as { crc32c: unknown }).crc32c;
    expect(require('kafkajs/src/protocol/recordBatch/crc32C')).toBe(installed);
    /* eslint-enable @typescript-eslint/no-require-imports */
    const after = await produceRequestBytes('None');
    expect(after.equals(before)).toBe(true);
  });
});

import { promisify } from 'node:util';
import { gzip, unzip } from 'node:zlib';
import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { withTraceHeaders } from '@bpo/service-kit';
import { speedUpKafkaProduceEncoding } from './kafka-encoder';
import { physicalTopic, type KafkaSettings } from './kafka-settings';

const gzipFast = promisify(gzip);
const gunzip = promisify(unzip);

/**
 * GZIP at level 1, not zlib's default 6: kafkajs compresses in this process, and a large file's
 * events-changed parts (about 200 MB of JSON a million events) took the relay's process about 2 s
 * of CPU at level 6 and 0.8 s at level 1, for output about a tenth larger. Any gzip reader reads it.
 */
CompressionCodecs[CompressionTypes.GZIP] = () => ({
  compress: (encoder: { buffer: Buffer }) => gzipFast(encoder.buffer, { level: 1 }),
  decompress: (buffer: Buffer) => gunzip(buffer),
});

/** Produce requests are framed without copying each level, and their CRCs taken 8 bytes a step (see kafka-encoder). */
speedUpKafkaProduceEncoding();

export interface OutgoingMessage {
  topic: string;
  key: string | null;
  /** Encoded as JSON; a JsonBytes value is sent as it is. */
  value: object;
  headers?: Record<string, string>;
}

/**
 * A value already encoded as JSON, sent byte for byte: a stage that hands on a large message with a
 * field or two changed need not encode it again (see @bpo/pipeline rows-stage). Anything that needs
 * it as a value (the outbox) gets the value it encodes.
 */
export class JsonBytes {
  constructor(readonly bytes: Buffer) {}

  toJSON(): unknown {
    return JSON.parse(this.bytes.toString('utf8'));
  }
}

/** A message already encoded as it goes on the wire (the value is its JSON text, or its bytes). */
export interface EncodedMessage {
  topic: string;
  key: string | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

/** The broker's `message.max.bytes` (TOOLING.md: 10485760 here): a record batch above it is refused whole. */
export const BROKER_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
/**
 * Bytes of key + value + headers (before compression) put in one produce request: well under the
 * broker's limit, so a request is never refused for the sum of its messages.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;
/**
 * A single message whose encoded key + value + headers exceed this is never sent: it cannot fit a
 * record batch on the broker (whatever its compression) and no consumer expects it.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = BROKER_MAX_MESSAGE_BYTES - 1024;

export interface PublisherLimits {
  /** Bytes (key + value + headers, uncompressed) per produce request; a larger single message goes alone. */
  maxRequestBytes: number;
  /** Hard maximum for one message; larger ones are refused with MessageTooLargeError, never sent. */
  maxMessageBytes: number;
  /**
   * Compression of requests that do not choose their own: none, since the pipeline's row batches
   * are hot and small (and compressing them costs each stage more CPU than the wire saves). The
   * outbox relay asks for GZIP (kafkajs has it built in; Snappy/LZ4/ZSTD need codecs we do not install).
   */
  compression: CompressionTypes;
}

export const DEFAULT_PUBLISHER_LIMITS: PublisherLimits = {
  maxRequestBytes: DEFAULT_MAX_REQUEST_BYTES,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  compression: CompressionTypes.None,
};

/** Refused before sending: the message is over the hard maximum, it can never be published. */
export class MessageTooLargeError extends Error {
  readonly type = 'MESSAGE_TOO_LARGE_FOR_PUBLISHER';
  constructor(readonly bytes: number, readonly maxBytes: number) {
    super(`message is ${bytes} bytes (key + value + headers), over the ${maxBytes}-byte maximum a message may have`);
    this.name = 'MessageTooLargeError';
  }
}

/**
 * Broker error types that refuse a message for what it is (retrying it can never succeed).
 * Everything else (broker down, timeouts, leadership changes, unknown topic) is worth retrying.
 */
const PERMANENT_BROKER_ERRORS = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'CORRUPT_MESSAGE']);

/**
 * When `error` (or an error it wraps; kafkajs wraps broker errors in retry errors) refuses the
 * message permanently, its reason; otherwise undefined (a retryable failure).
 */
export function permanentPublishFailure(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  for (let current = error; current && typeof current === 'object' && !seen.has(current); current = (current as { cause?: unknown }).cause) {
    seen.add(current);
    if (current instanceof MessageTooLargeError) return current.message;
    const type = (current as { type?: unknown }).type;
    if (typeof type === 'string' && PERMANENT_BROKER_ERRORS.has(type)) {
      return `broker refused the message: ${type}: ${(current as Error).message}`;
    }
  }
  return undefined;
}

/** Encodes a message as the publisher sends it (JSON value). */
export function encodeMessage(message: OutgoingMessage): EncodedMessage {
  const value = message.value instanceof JsonBytes ? message.value.bytes : JSON.stringify(message.value);
  return { topic: message.topic, key: message.key, value, headers: message.headers };
}

/** What a message weighs in a produce request before compression: key + value + header names and values. */
export function encodedSize(message: EncodedMessage): number {
  let bytes = Buffer.byteLength(message.value) + (message.key === null ? 0 : Buffer.byteLength(message.key));
  for (const [name, value] of Object.entries(message.headers ?? {})) bytes += Buffer.byteLength(name) + Buffer.byteLength(String(value));
  return bytes;
}

/**
 * Splits messages, in order, into consecutive groups of at most `maxBytes` each; a message larger
 * than `maxBytes` on its own is a group of one.
 */
export function groupByBytes<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number): T[][] {
  const groups: T[][] = [];
  let group: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (group.length > 0 && bytes + size > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(item);
    bytes += size;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

/**
 * Sends messages and resolves only once the broker has acknowledged them on all in-sync replicas:
 * an un-awaited send is a lost message when the process dies. Requests are bounded by bytes
 * (`maxRequestBytes`), never by message count.
 */
export class MessagePublisher {
  readonly limits: PublisherLimits;
  private producer?: Producer;
  private connected?: Promise<void>;

  constructor(private readonly kafka: Kafka, private readonly settings: KafkaSettings, limits: Partial<PublisherLimits> = {}) {
    this.limits = { ...DEFAULT_PUBLISHER_LIMITS, ...limits };
  }

  connect(): Promise<void> {
    if (!this.connected) {
      this.producer = this.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      const producer = this.producer;
      this.connected = producer.connect().catch((error: unknown) => {
        if (this.producer === producer) {
          this.connected = undefined;
          this.producer = undefined;
        }
        throw error;
      });
    }
    return this.connected;
  }

  /**
   * Publishes messages in order, in as many requests of at most `maxRequestBytes` as needed.
   * Throws MessageTooLargeError (sending nothing) when one message is over `maxMessageBytes`.
   * On a failure, the requests before the failing one have been acknowledged. With tracing on, each
   * message carries the active span's trace context (`traceparent`) in its headers.
   */
  async publish(messages: readonly OutgoingMessage[], compression = this.limits.compression): Promise<void> {
    const encoded = messages.map((message) => encodeMessage({ ...message, headers: withTraceHeaders(message.headers) }));
    for (const message of encoded) {
      const bytes = encodedSize(message);
      if (bytes > this.limits.maxMessageBytes) throw new MessageTooLargeError(bytes, this.limits.maxMessageBytes);
    }
    for (const group of groupByBytes(encoded, encodedSize, this.limits.maxRequestBytes)) await this.send(group, compression);
  }

  /**
   * Sends encoded messages in ONE produce request (the caller bounds its bytes) and resolves once
   * acknowledged. After a failure the producer is replaced (a fresh idempotent producer id), so
   * a partly accepted request cannot leave sequence numbers out of step for the next send.
   */
  async send(messages: readonly EncodedMessage[], compression = this.limits.compression): Promise<void> {
    if (messages.length === 0) return;
    for (const message of messages) {
      const bytes = encodedSize(message);
      if (bytes > this.limits.maxMessageBytes) throw new MessageTooLargeError(bytes, this.limits.maxMessageBytes);
    }
    await this.connect();
    const producer = this.producer!;
    const byTopic = new Map<string, { key: string | null; value: string | Buffer; headers?: IHeaders }[]>();
    for (const message of messages) {
      const topic = physicalTopic(this.settings, message.topic);
      const list = byTopic.get(topic) ?? [];
      list.push({ key: message.key, value: message.value, headers: stringHeaders(message.headers) });
      byTopic.set(topic, list);
    }
    try {
      await producer.sendBatch({
        acks: -1,
        compression,
        topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
      });
    } catch (error) {
      await this.replaceProducer(producer);
      throw error;
    }
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    const connected = this.connected;
    this.producer = undefined;
    this.connected = undefined;
    if (producer && connected) {
      await connected.catch(() => undefined);
      await producer.disconnect();
    }
  }

  private async replaceProducer(failed: Producer): Promise<void> {
    if (this.producer !== failed) return;
    this.producer = undefined;
    this.connected = undefined;
    await failed.disconnect().catch(() => undefined);
  }
}

function stringHeaders(headers: Record<string, unknown> | undefined): IHeaders | undefined {
  if (!headers) return undefined;
  const result: IHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined && value !== null) result[name] = String(value);
  return result;
}

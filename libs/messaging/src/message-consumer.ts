import type { Consumer, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { deadLetterTopic, MessageHeaders } from '@bpo/contracts';
import { Metrics, withMessageSpan } from '@bpo/service-kit';
import { isTransientKafkaError, retryWithBackoff } from './kafka-retry';
import type { MessagePublisher } from './message-publisher';
import { physicalTopic, type KafkaSettings } from './kafka-settings';
import { classifyFailure, PermanentMessageError, type Classification } from './error-classification';

export { PermanentMessageError };

const HEARTBEAT_INTERVAL_MS = 3_000;
/** Partitions one consumer works at the same time (each in order). */
const PARTITIONS_CONSUMED_CONCURRENTLY = 3;

/** How long a message whose failures are all transient (database or broker away) is retried: 10 minutes. */
export const DEFAULT_TRANSIENT_RETRY_MS = 10 * 60_000;

export interface ReceivedMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Keeps the consumer's group membership alive during long work. */
  heartbeat: () => Promise<void>;
}

export interface DeadLetter {
  message: ReceivedMessage;
  error: Error;
  attempts: number;
  /** Why it failed: a content problem, the transient limit reached, or an unexpected error. */
  classification: Classification;
  /** For a transient failure: how long it was retried. */
  transientRetryMs?: number;
}

export interface ConsumerOptions {
  groupId: string;
  /** Contract topic name (the namespace is applied here). */
  topic: string;
  handle: (message: ReceivedMessage) => Promise<void>;
  /** Called after a message went to the dead-letter topic, e.g. to report its file failed. */
  onDeadLetter?: (dead: DeadLetter) => Promise<void>;
  /** Attempts before dead-lettering a message that keeps failing. */
  maxAttempts?: number;
  /** First retry delay; doubles each time, capped at 5 s (unexpected errors) or `maxTransientBackoffMs`. */
  initialBackoffMs?: number;
  /**
   * How long a message is retried while its failures are transient (lost database or broker
   * connections, leadership moves): it is never dead-lettered before. Default 10 minutes.
   */
  transientRetryMs?: number;
  /** Cap of the retry delay for transient failures; default 30 s. */
  maxTransientBackoffMs?: number;
  log?: (level: 'warn' | 'error' | 'log', message: string, fields: object) => void;
  /** How long start() keeps retrying transient errors (a topic not served yet, no coordinator yet). Default 60 s. */
  startTimeoutMs?: number;
}

/**
 * At-least-once consumption: the offset is committed only after the handler resolved, or after the
 * message was safely dead-lettered. Handlers must therefore be idempotent: a redelivered message
 * must not apply its effect twice. There is no inbox table: each stage's effect is idempotent by
 * itself (message ids derived from the sync run and batch, the writer staging each batch once and
 * applying a run once under its row lock), so a claim per message would only add a write.
 * A failing message is retried in place with backoff, never forever (see classifyFailure):
 * content problems are dead-lettered at once; transient failures (database or broker away) are
 * retried until the infrastructure is back, up to `transientRetryMs`; a lost group membership
 * hands the message back to kafkajs (it re-joins and the message is redelivered, never
 * dead-lettered from a member that could not commit it); anything else gets `maxAttempts`.
 */
export class MessageConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private joinCount = 0;
  /** The partitions of its topic this member was assigned at its last join (for the lag gauge). */
  private assigned: number[] = [];

  constructor(
    kafka: Kafka,
    private readonly settings: KafkaSettings,
    private readonly publisher: MessagePublisher,
    private readonly options: ConsumerOptions,
  ) {
    this.consumer = kafka.consumer({
      groupId: physicalTopic(settings, options.groupId),
      // A crashed instance's partitions move to another after this long.
      sessionTimeout: 10_000,
      heartbeatInterval: HEARTBEAT_INTERVAL_MS,
      allowAutoTopicCreation: false,
      retry: { retries: 10 },
    });
  }

  /** How many times this consumer joined its group: 1, plus one per rebalance it went through. */
  get joins(): number {
    return this.joinCount;
  }

  /** Its group and topic (contract names, without namespace) and the partitions it holds now. */
  get assignment(): { groupId: string; topic: string; partitions: readonly number[] } {
    return { groupId: this.options.groupId, topic: this.options.topic, partitions: this.running ? this.assigned : [] };
  }

  /**
   * Connects and subscribes, retrying (with backoff, bounded by startTimeoutMs) the transient errors
   * of a broker or topic that is not ready yet rather than failing the service's start-up.
   */
  async start(): Promise<void> {
    const topic = physicalTopic(this.settings, this.options.topic);
    this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joinCount += 1;
      this.assigned = [...(payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
    });
    // kafkajs restarts a consumer that crashed on a retriable error (e.g. its group coordinator is
    // not available yet on a fresh broker) by itself; say so, and say when it gives up.
    this.consumer.on(this.consumer.events.CRASH, ({ payload }) => {
      const fields = { groupId: this.options.groupId, topic: this.options.topic, error: payload.error?.message };
      if (payload.restart) this.options.log?.('warn', 'consumer crashed on a transient error; kafkajs restarts it', fields);
      else this.options.log?.('error', 'consumer crashed and will not restart', fields);
    });
    const subscribed = retryWithBackoff(
      async () => {
        await this.consumer.connect();
        await this.consumer.subscribe({ topic, fromBeginning: true });
      },
      {
        what: `consumer ${this.options.groupId} subscribing to ${topic}`,
        timeoutMs: this.options.startTimeoutMs ?? 60_000,
        initialDelayMs: 200,
        isRetriable: isTransientKafkaError,
        onRetry: (error, attempt, delayMs) =>
          this.options.log?.('warn', 'consumer could not subscribe yet, retrying', { groupId: this.options.groupId, topic, attempt, retryInMs: delayMs, error: error.message }),
      },
    );
    // Giving up: leave nothing connected behind.
    await subscribed.catch(async (error: unknown) => {
      await this.consumer.disconnect().catch(() => undefined);
      throw error;
    });
    this.running = true;
    await this.consumer.run({
      autoCommit: true,
      // Partitions are worked in order each, but several at once: one integration's long file
      // (its key's partition) does not hold up the files of integrations on other partitions.
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachMessage: (payload) => this.process(payload),
    });
  }

  /** Resolves once the consumer joined its group, so tests can produce without racing the subscription. */
  waitUntilJoined(timeoutMs = 30_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumer ${this.options.groupId} did not join within ${timeoutMs} ms`)), timeoutMs);
      const off = this.consumer.on(this.consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        off();
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    // disconnect() lets the in-flight message finish, commits, and leaves the group.
    await this.consumer.disconnect();
  }

  private async process({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const received = toReceived(topic, partition, message, heartbeat);
    // kafkajs heartbeats only between messages: a handler that works longer than the session
    // timeout (a large file's apply) would be dropped from its group and its work redelivered.
    const keepAlive = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
    try {
      // With tracing on: one span per message (retries included), a child of the trace context its headers carry.
      await withMessageSpan(`process ${this.options.topic}`, received.headers, () => ({
        'messaging.system': 'kafka',
        'messaging.operation.type': 'process',
        'messaging.destination.name': this.options.topic,
        'messaging.consumer.group.name': this.options.groupId,
        'messaging.destination.partition.id': String(partition),
        'messaging.kafka.offset': Number(message.offset),
      }), () => this.processWithRetries(received));
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async processWithRetries(received: ReceivedMessage): Promise<void> {
    const { topic, partition, heartbeat } = received;
    const maxAttempts = this.options.maxAttempts ?? 5;
    const configured = this.options.transientRetryMs;
    const transientRetryMs = configured !== undefined && Number.isFinite(configured) && configured >= 0 ? configured : DEFAULT_TRANSIENT_RETRY_MS;
    const initialDelay = this.options.initialBackoffMs ?? 200;
    let delay = initialDelay;
    let unexpectedFailures = 0;
    let transientSince: number | undefined;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.options.handle(received);
        return;
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        const classification = classifyFailure(error);
        const fields = { topic, partition, offset: received.offset, attempt, groupId: this.options.groupId, failure: classification.kind, error: error.message };
        if (classification.kind === 'membership') {
          // Nothing this member does with the message can be committed any more.
          this.options.log?.('warn', 'group membership lost while handling a message; it will be redelivered', fields);
          throw error;
        }
        if (!this.running && classification.kind !== 'permanent') throw error; // shutting down: leave it uncommitted for the next owner
        let exhausted = classification.kind === 'permanent';
        let cap = 5_000;
        if (classification.kind === 'transient') {
          transientSince ??= Date.now();
          exhausted = Date.now() - transientSince >= transientRetryMs;
          cap = this.options.maxTransientBackoffMs ?? 30_000;
        } else if (classification.kind === 'unexpected') {
          transientSince = undefined;
          unexpectedFailures += 1;
          exhausted = unexpectedFailures >= maxAttempts;
          if (delay > 5_000) delay = initialDelay;
        }
        if (exhausted) {
          this.options.log?.('error', 'message dead-lettered', fields);
          await this.deadLetter(received, error, attempt);
          await this.options.onDeadLetter?.({ message: received, error, attempts: attempt, classification, ...(classification.kind === 'transient' ? { transientRetryMs } : {}) });
          return;
        }
        // Transient failures never wait past the limit: the last retry comes right at it.
        const wait = classification.kind === 'transient' ? Math.max(0, Math.min(delay, cap, transientSince! + transientRetryMs - Date.now())) : Math.min(delay, cap);
        this.options.log?.('warn', 'message failed, retrying', { ...fields, retryInMs: wait });
        await sleepWithHeartbeat(wait, heartbeat, () => this.running);
        if (!this.running) throw error; // stopped while waiting: the next owner takes the message over
        delay = Math.min(delay * 2, cap);
      }
    }
  }

  private async deadLetter(message: ReceivedMessage, error: Error, attempts: number): Promise<void> {
    await this.publisher.publish([
      {
        topic: deadLetterTopic(this.options.topic),
        key: message.key,
        value: parseOrRaw(message.value),
        headers: {
          ...message.headers,
          [MessageHeaders.Error]: error.message.slice(0, 2000),
          [MessageHeaders.Attempts]: String(attempts),
          [MessageHeaders.SourceTopic]: this.options.topic,
          [MessageHeaders.ConsumerGroup]: this.options.groupId,
          [MessageHeaders.FailedAt]: new Date().toISOString(),
        },
      },
    ]);
    Metrics.deadLetters.inc({ topic: this.options.topic, group: this.options.groupId });
  }
}

function toReceived(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): ReceivedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  return { topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value, headers, heartbeat };
}

function parseOrRaw(value: Buffer | null): object {
  if (value === null) return { raw: null };
  try {
    const parsed: unknown = JSON.parse(value.toString());
    return typeof parsed === 'object' && parsed !== null ? parsed : { raw: value.toString() };
  } catch {
    return { raw: value.toString('base64'), encoding: 'base64' };
  }
}

/** Waits (the periodic heartbeat of process() keeps running), ending early once the consumer stops. */
async function sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>, running: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && running()) await new Promise((resolve) => setTimeout(resolve, Math.min(250, until - Date.now())));
  await heartbeat().catch((error: unknown) => {
    // Dropped from the group while waiting: retrying here could never be committed.
    if (classifyFailure(error).kind === 'membership') throw error;
  });
}

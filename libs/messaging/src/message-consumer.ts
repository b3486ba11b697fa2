import type { Consumer, EachMessagePayload, Kafka, KafkaMessage } from 'kafkajs';
import { deadLetterTopic, MessageHeaders } from '@bpo/contracts';
import type { MessagePublisher } from './message-publisher';
import { physicalTopic, type KafkaSettings } from './kafka-settings';

const HEARTBEAT_INTERVAL_MS = 3_000;

/** Thrown by a handler for a message that can never succeed: it goes to the dead-letter topic at once. */
export class PermanentMessageError extends Error {
  override name = 'PermanentMessageError';
}

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
  /** First retry delay; doubles each time, capped at 5 s. */
  initialBackoffMs?: number;
  log?: (level: 'warn' | 'error' | 'log', message: string, fields: object) => void;
}

/**
 * At-least-once consumption: the offset is committed only after the handler resolved, or after the
 * message was safely dead-lettered. Handlers must therefore be idempotent (see Inbox).
 * A failing message is retried in place with backoff a bounded number of times, never forever.
 */
export class MessageConsumer {
  private readonly consumer: Consumer;
  private running = false;
  private joinCount = 0;

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

  async start(): Promise<void> {
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joinCount += 1));
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: physicalTopic(this.settings, this.options.topic), fromBeginning: true });
    this.running = true;
    await this.consumer.run({
      autoCommit: true,
      partitionsConsumedConcurrently: 1,
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
      await this.processWithRetries(received);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async processWithRetries(received: ReceivedMessage): Promise<void> {
    const { topic, partition, heartbeat } = received;
    const maxAttempts = this.options.maxAttempts ?? 5;
    let delay = this.options.initialBackoffMs ?? 200;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.options.handle(received);
        return;
      } catch (caught) {
        const error = caught instanceof Error ? caught : new Error(String(caught));
        const permanent = error instanceof PermanentMessageError;
        const fields = { topic, partition, offset: received.offset, attempt, groupId: this.options.groupId, error: error.message };
        if (permanent || attempt >= maxAttempts || !this.running) {
          if (!this.running && !permanent) throw error; // shutting down: leave it uncommitted for the next owner
          this.options.log?.('error', 'message dead-lettered', fields);
          await this.deadLetter(received, error, attempt);
          await this.options.onDeadLetter?.({ message: received, error, attempts: attempt });
          return;
        }
        this.options.log?.('warn', 'message failed, retrying', { ...fields, retryInMs: delay });
        await sleepWithHeartbeat(delay, heartbeat);
        delay = Math.min(delay * 2, 5_000);
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

async function sleepWithHeartbeat(ms: number, heartbeat: () => Promise<void>): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  await heartbeat().catch(() => undefined);
}

import type { Admin, Kafka } from 'kafkajs';
import { deadLetterTopic } from '@bpo/contracts';
import { retryWithBackoff } from './kafka-retry';
import { createKafka, physicalTopic, type KafkaSettings } from './kafka-settings';

/** Partitions of a topic we create when KAFKA_TOPIC_PARTITIONS does not say: room for 12 instances of a stage. */
export const DEFAULT_TOPIC_PARTITIONS = 12;

export interface EnsureTopicsOptions {
  /** Also create `<topic>.dlq` for each topic (default true). */
  withDeadLetters?: boolean;
  /** How long to wait for the topics to be created and served before giving up (default 60 s). */
  timeoutMs?: number;
  log?: (level: 'warn' | 'log', message: string, fields: object) => void;
}

/**
 * Creates the topics a service uses (and their dead-letter topics) if missing, then waits until
 * every partition of every one of them is served: listed with a leader in the metadata of each
 * bootstrap broker, and answering a ListOffsets request at its leader. Only then may a consumer
 * subscribe or a producer send: right after CreateTopics (by us or by another service starting at
 * the same moment) a broker may not host the new partitions yet ("This server does not host this
 * topic-partition"). Transient errors are retried with backoff, bounded by `timeoutMs`.
 *
 * The broker never auto-creates topics, so partition counts are always ours
 * (`settings.topicPartitions`, default 12). A topic that already exists keeps its partitions.
 * Safe to call from many services at once.
 */
export async function ensureTopics(
  kafka: Kafka,
  settings: KafkaSettings,
  topics: readonly string[],
  optionsOrWithDeadLetters: EnsureTopicsOptions | boolean = {},
): Promise<void> {
  // A boolean is the older `withDeadLetters` argument.
  const options = typeof optionsOrWithDeadLetters === 'boolean' ? { withDeadLetters: optionsOrWithDeadLetters } : optionsOrWithDeadLetters;
  const names = new Set<string>();
  for (const topic of topics) {
    names.add(physicalTopic(settings, topic));
    if (options.withDeadLetters ?? true) names.add(physicalTopic(settings, deadLetterTopic(topic)));
  }
  const wanted = [...names];
  if (wanted.length === 0) return;
  const partitions = settings.topicPartitions ?? DEFAULT_TOPIC_PARTITIONS;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const onRetry = (what: string) => (error: Error, attempt: number, delayMs: number) => {
    if (attempt === 1 || attempt % 5 === 0) options.log?.('warn', `${what}: not yet, retrying`, { attempt, retryInMs: delayMs, error: error.message });
  };

  const admin = kafka.admin();
  try {
    await retryWithBackoff(
      async () => {
        await admin.connect();
        const existing = new Set(await admin.listTopics());
        const missing = wanted.filter((name) => !existing.has(name));
        if (missing.length === 0) return;
        // Topics that another service created in between come back as TOPIC_ALREADY_EXISTS, which
        // kafkajs swallows when every error is that; other failures are retried if transient.
        await admin.createTopics({
          waitForLeaders: false, // kafkajs' own wait gives up on the first "does not host" answer; ours below does not
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
        });
        options.log?.('log', 'created topics', { topics: missing, partitions });
      },
      { what: `creating topics ${wanted.join(', ')}`, timeoutMs, onRetry: onRetry('creating topics') },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  await waitForTopicsReady(kafka, settings, wanted, { timeoutMs: Math.max(deadline - Date.now(), 1_000), log: options.log });
}

export interface TopicReadinessOptions {
  timeoutMs?: number;
  log?: EnsureTopicsOptions['log'];
}

/**
 * Resolves once every partition of every topic (physical names) has a leader in the metadata of
 * each bootstrap broker (the one a consumer or producer will ask) and its leader answers for it.
 * Throws, naming what was still missing, after `timeoutMs`.
 */
export async function waitForTopicsReady(kafka: Kafka, settings: KafkaSettings, topics: readonly string[], options: TopicReadinessOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  // One client per bootstrap broker: each broker has its own metadata cache, and a client asks
  // whichever bootstrap broker it reached first.
  const clients = settings.brokers.length > 1 ? settings.brokers.map((broker) => createKafka({ ...settings, brokers: [broker] })) : [kafka];
  const admins = clients.map((client) => client.admin());
  try {
    await retryWithBackoff(
      async () => {
        for (const admin of admins) {
          await admin.connect();
          const problem = await partitionProblem(admin, topics);
          if (problem) throw new TopicsNotReadyError(problem);
        }
      },
      {
        what: `waiting for topics ${topics.join(', ')} to be served`,
        timeoutMs,
        isRetriable: () => true, // every failure here means "not served yet"; the deadline bounds it
        onRetry: (error, attempt, delayMs) => {
          if (attempt === 1 || attempt % 5 === 0) options.log?.('warn', 'topics not served yet, waiting', { attempt, retryInMs: delayMs, reason: error.message });
        },
      },
    );
    if (settings.topicPartitions) {
      const metadata = await admins[0].fetchTopicMetadata({ topics: [...topics] });
      const fewer = metadata.topics.filter((topic) => topic.partitions.length !== settings.topicPartitions);
      if (fewer.length > 0) {
        options.log?.('warn', 'existing topics keep their partition count; KAFKA_TOPIC_PARTITIONS applies to new topics only', {
          wanted: settings.topicPartitions,
          topics: Object.fromEntries(fewer.map((topic) => [topic.name, topic.partitions.length])),
        });
      }
    }
  } finally {
    await Promise.all(admins.map((admin) => admin.disconnect().catch(() => undefined)));
  }
}

class TopicsNotReadyError extends Error {
  override name = 'TopicsNotReadyError';
}

/** Why the topics are not served yet, or null when they are. */
async function partitionProblem(admin: Admin, topics: readonly string[]): Promise<string | null> {
  const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
  for (const name of topics) {
    const topic = metadata.topics.find((candidate) => candidate.name === name);
    if (!topic || topic.partitions.length === 0) return `${name}: no partitions in the metadata yet`;
    const leaderless = topic.partitions.filter((partition) => partition.leader < 0 || partition.partitionErrorCode !== 0);
    if (leaderless.length > 0) return `${name}: partitions ${leaderless.map((partition) => partition.partitionId).join(', ')} have no leader yet`;
  }
  // ListOffsets goes to each partition's leader: it fails until that broker hosts the partition.
  await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
  return null;
}

import type { Kafka } from 'kafkajs';
import { deadLetterTopic, TOPIC_PARTITIONS } from '@bpo/contracts';
import { physicalTopic, type KafkaSettings } from './kafka-settings';

/**
 * Creates the topics a service uses (and their dead-letter topics) if missing. The broker never
 * auto-creates topics, so partition counts are always ours. Safe to call from many services at once.
 */
export async function ensureTopics(kafka: Kafka, settings: KafkaSettings, topics: readonly string[], withDeadLetters = true): Promise<void> {
  const names = new Set<string>();
  for (const topic of topics) {
    names.add(physicalTopic(settings, topic));
    if (withDeadLetters) names.add(physicalTopic(settings, deadLetterTopic(topic)));
  }
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = [...names].filter((name) => !existing.has(name));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions: TOPIC_PARTITIONS, replicationFactor: 1 })),
      });
    } catch (error) {
      // Another service may have created some of them in between: only a topic still missing is a problem.
      const now = new Set(await admin.listTopics());
      if (missing.some((name) => !now.has(name))) throw error;
    }
  } finally {
    await admin.disconnect();
  }
}

import { Kafka, logLevel, type LogEntry } from 'kafkajs';

export interface KafkaSettings {
  /** host:port list */
  brokers: string[];
  clientId: string;
  /** Prefix for every topic name ('' in production; tests set their own to stay apart). */
  namespace: string;
  /** Partitions of each topic created at start-up (KAFKA_TOPIC_PARTITIONS); default 12. Existing topics keep theirs. */
  topicPartitions?: number;
}

export function parseBrokers(list: string): string[] {
  return list.split(',').map((broker) => broker.trim()).filter(Boolean);
}

/** The name a contract topic has on the broker. */
export function physicalTopic(settings: Pick<KafkaSettings, 'namespace'>, topic: string): string {
  return settings.namespace ? `${settings.namespace}.${topic}` : topic;
}

export function createKafka(settings: KafkaSettings, log?: (level: string, message: string, extra: object) => void): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: 5000,
    retry: { initialRetryTime: 200, retries: 8 },
    logLevel: logLevel.WARN,
    logCreator: () => (entry: LogEntry) => {
      const { message, ...extra } = entry.log;
      log?.(logLevel[entry.level] ?? 'INFO', String(message), { namespace: entry.namespace, ...extra });
    },
  });
}

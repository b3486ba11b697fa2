import type { IHeaders, Kafka, Producer } from 'kafkajs';
import { CompressionTypes } from 'kafkajs';
import { physicalTopic, type KafkaSettings } from './kafka-settings';

export interface OutgoingMessage {
  topic: string;
  key: string | null;
  value: object;
  headers?: Record<string, string>;
}

/**
 * Sends messages and resolves only once the broker has acknowledged them on all in-sync replicas:
 * an un-awaited send is a lost message when the process dies.
 */
export class MessagePublisher {
  private readonly producer: Producer;
  private connected?: Promise<void>;

  constructor(kafka: Kafka, private readonly settings: KafkaSettings) {
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    this.connected ??= this.producer.connect();
    return this.connected;
  }

  async publish(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, { key: string | null; value: string; headers?: IHeaders }[]>();
    for (const message of messages) {
      const topic = physicalTopic(this.settings, message.topic);
      const list = byTopic.get(topic) ?? [];
      list.push({ key: message.key, value: JSON.stringify(message.value), headers: message.headers });
      byTopic.set(topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })),
    });
  }

  async disconnect(): Promise<void> {
    if (this.connected) await this.producer.disconnect();
    this.connected = undefined;
  }
}

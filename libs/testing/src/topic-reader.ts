import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { uniqueName } from './infrastructure';

export interface ReadMessage<T = unknown> {
  key: string | null;
  value: T;
  headers: Record<string, string>;
}

/** A plain Kafka consumer, as an operations team would run one, collecting a topic from its start. */
export class TopicReader<T = unknown> {
  readonly messages: ReadMessage<T>[] = [];
  private consumer?: Consumer;

  constructor(private readonly brokers: string, private readonly topic: string) {}

  async start(): Promise<this> {
    const kafka = new Kafka({ clientId: 'test-reader', brokers: this.brokers.split(','), logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: uniqueName('test-reader') });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(message.headers ?? {})) if (value !== undefined) headers[name] = String(value);
        this.messages.push({ key: message.key?.toString() ?? null, value: JSON.parse(message.value?.toString() ?? 'null') as T, headers });
      },
    });
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

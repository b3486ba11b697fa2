import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  Optional,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { DataSource } from 'typeorm';
import { Topics } from '@bpo/contracts';
import { HealthIndicator } from '@bpo/service-kit';
import { ConsumerLagMonitor } from './consumer-lag';
import { createKafka, type KafkaSettings } from './kafka-settings';
import { MessageConsumer, type ConsumerOptions } from './message-consumer';
import { MessagePublisher } from './message-publisher';
import { OutboxRelay, type OutboxLane } from './outbox-relay';
import { ensureTopics } from './topic-admin';

export const MESSAGING_OPTIONS = Symbol('MESSAGING_OPTIONS');

/**
 * The outbox is published in two lanes: a large file's events-changed parts (bulk, possibly
 * hundreds of MB) apart from everything else (sync statuses, file announcements), so no file's
 * status waits behind another file's changes.
 */
export const OUTBOX_LANES: readonly OutboxLane[] = [
  { name: 'events-changed', topics: [Topics.EventsChangedV1] },
  { name: 'main', exceptTopics: [Topics.EventsChangedV1] },
];

export interface MessagingOptions extends KafkaSettings {
  /** Contract topics this service produces to or consumes from; created (with DLQs) at start-up. */
  topics: readonly string[];
  /** Run the outbox relay in this service (needs the PersistenceModule). */
  outboxRelay?: boolean;
  /** How long consumers retry transient failures (TRANSIENT_RETRY_MINUTES); see MessageConsumer. */
  transientRetryMs?: number;
}

@Injectable()
export class KafkaHealthIndicator extends HealthIndicator {
  readonly name = 'kafka';
  constructor(private readonly kafka: Kafka) {
    super();
  }
  async check(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      await admin.describeCluster();
    } finally {
      await admin.disconnect();
    }
  }
}

/** Where a service's consumers are registered; they start after every module is ready and stop first on shutdown. */
@Injectable()
export class ConsumerRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ConsumerRegistry.name);
  private readonly consumers: MessageConsumer[] = [];
  private readonly lag: ConsumerLagMonitor;

  constructor(
    private readonly kafka: Kafka,
    private readonly publisher: MessagePublisher,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    this.lag = new ConsumerLagMonitor(kafka, options, () => this.consumers, (error) =>
      this.logger.warn({ message: 'measuring consumer lag failed; will retry', error: error.message }),
    );
  }

  register(options: ConsumerOptions): MessageConsumer {
    const consumer = new MessageConsumer(this.kafka, this.options, this.publisher, {
      log: (level, message, fields) => this.logger[level]({ message, ...fields }),
      transientRetryMs: this.options.transientRetryMs,
      ...options,
    });
    this.consumers.push(consumer);
    return consumer;
  }

  async onApplicationBootstrap(): Promise<void> {
    const joined = this.consumers.map((consumer) => consumer.waitUntilJoined(60_000));
    await Promise.all(this.consumers.map((consumer) => consumer.start()));
    await Promise.all(joined);
    if (this.consumers.length > 0) this.lag.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.lag.stop();
    await Promise.all(this.consumers.map((consumer) => consumer.stop()));
  }
}

@Injectable()
export class MessagingLifecycle implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Messaging');
  private relays: OutboxRelay[] = [];

  constructor(
    private readonly kafka: Kafka,
    private readonly publisher: MessagePublisher,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    @Optional() private readonly dataSource?: DataSource,
  ) {}

  async onModuleInit(): Promise<void> {
    // Every topic is created and served before any consumer subscribes (consumers start in
    // onApplicationBootstrap, after every module's onModuleInit).
    await ensureTopics(this.kafka, this.options, this.options.topics, {
      log: (level, message, fields) => this.logger[level]({ message, ...fields }),
    });
    await this.publisher.connect();
    if (this.options.outboxRelay) {
      if (!this.dataSource) throw new Error('the outbox relay needs the PersistenceModule');
      const dataSource = this.dataSource;
      this.relays = OUTBOX_LANES.map(
        (lane) =>
          new OutboxRelay(dataSource, this.publisher, {
            lane,
            onError: (error) => this.logger.warn({ message: 'outbox relay failed, will retry', lane: lane.name, error: error.message }),
          }),
      );
      for (const relay of this.relays) relay.start();
    }
  }

  /** Publish queued outbox messages now rather than at the next poll. */
  wakeRelay(): void {
    for (const relay of this.relays) relay.wake();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.relays.map((relay) => relay.stop()));
  }
}

/**
 * Disconnects the producer once the consumers and the outbox relays have stopped, so a message
 * in flight and the relay's last request can still publish. Nest runs the `beforeApplicationShutdown`
 * hooks of one module's providers concurrently, so this must be a later phase:
 * `onApplicationShutdown` runs after every module's `beforeApplicationShutdown` has finished.
 */
@Injectable()
export class PublisherCloser implements OnApplicationShutdown {
  constructor(private readonly publisher: MessagePublisher) {}
  async onApplicationShutdown(): Promise<void> {
    await this.publisher.disconnect();
  }
}

@Global()
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingOptions): DynamicModule {
    return {
      module: MessagingModule,
      providers: [
        { provide: MESSAGING_OPTIONS, useValue: options },
        {
          provide: Kafka,
          useFactory: () => {
            const logger = new Logger('kafkajs');
            return createKafka(options, (level, message, extra) =>
              level === 'ERROR' ? logger.error({ message, ...extra }) : logger.warn({ message, ...extra }),
            );
          },
        },
        { provide: MessagePublisher, inject: [Kafka], useFactory: (kafka: Kafka) => new MessagePublisher(kafka, options) },
        PublisherCloser,
        MessagingLifecycle,
        ConsumerRegistry,
        KafkaHealthIndicator,
      ],
      exports: [Kafka, MessagePublisher, MessagingLifecycle, ConsumerRegistry, KafkaHealthIndicator, MESSAGING_OPTIONS],
    };
  }
}

import type { DynamicModule } from '@nestjs/common';
import { DatabaseHealthIndicator, PersistenceModule } from '@bpo/persistence';
import { HealthModule, MetricsModule, type ServiceConfig } from '@bpo/service-kit';
import { parseBrokers } from './kafka-settings';
import { KafkaHealthIndicator, MessagingModule } from './messaging.module';

export interface InfrastructureOptions {
  /** Contract topics the service uses (created with their DLQs at start-up). */
  topics: readonly string[];
  /** Run the outbox relay (services that queue outgoing messages in their transactions). */
  outboxRelay?: boolean;
  poolSize?: number;
}

/** The modules every service starts with: database, Kafka, a /health that checks both, and /metrics. */
export function infrastructureModules(service: string, config: ServiceConfig, options: InfrastructureOptions): DynamicModule[] {
  return [
    PersistenceModule.forRoot({ url: config.DATABASE_URL, poolSize: options.poolSize }),
    MessagingModule.forRoot({
      brokers: parseBrokers(config.KAFKA_BROKERS),
      clientId: service,
      namespace: config.KAFKA_TOPIC_NAMESPACE,
      topicPartitions: config.KAFKA_TOPIC_PARTITIONS,
      topics: options.topics,
      outboxRelay: options.outboxRelay,
      transientRetryMs: config.TRANSIENT_RETRY_MINUTES * 60_000,
    }),
    HealthModule.forRoot(service, [DatabaseHealthIndicator, KafkaHealthIndicator]),
    MetricsModule.forRoot(service),
  ];
}

import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topics } from '@bpo/contracts';
import { keepDeadLetter, MessagePublisher, orderedMessage, sendInOrder } from '@bpo/messaging';
import { Metrics } from '@bpo/service-kit';

/**
 * Where a run's events-changed parts go: straight to Kafka, keyed by the integration, in order.
 * (Through the outbox, a million changes were about 200 MB written to the database, read back and
 * marked, after the status and beside the next files.)
 */
export abstract class EventsChangedPublisher {
  /**
   * Publishes one integration's parts (rendered JSON) in order; resolves once the broker
   * acknowledged each, or a part it can never take was kept as a dead letter. Throws on a failure
   * worth retrying (broker down): nothing after the failed request was sent.
   */
  abstract publish(integrationId: string, payloads: readonly Buffer[]): Promise<void>;
}

@Injectable()
export class KafkaEventsChangedPublisher extends EventsChangedPublisher {
  private readonly logger = new Logger('EventsChangedPublisher');

  constructor(
    private readonly publisher: MessagePublisher,
    private readonly dataSource: DataSource,
  ) {
    super();
  }

  async publish(integrationId: string, payloads: readonly Buffer[]): Promise<void> {
    const items = payloads.map((value) => orderedMessage({ topic: Topics.EventsChangedV1, key: integrationId, value }));
    await sendInOrder(this.publisher, items, {
      acknowledged: async (group) => void Metrics.eventsChangedPublished.inc(group.length),
      deadLetter: async (item, reason) => {
        // As the outbox relay does with its own: kept where the sync pages and the gauge see it, and logged.
        await keepDeadLetter(this.dataSource, item.message, item.bytes, reason);
        Metrics.outboxDeadLetters.inc({ lane: 'events-changed' });
        this.logger.error({ message: 'events-changed part can never be published: kept in outbox_dead_letters', integrationId, bytes: item.bytes, reason });
      },
    });
  }
}

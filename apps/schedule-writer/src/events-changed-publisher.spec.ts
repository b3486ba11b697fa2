import { CompressionTypes } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { Topics } from '@bpo/contracts';
import type { EncodedMessage, MessagePublisher } from '@bpo/messaging';
import { metricsRegistry } from '@bpo/service-kit';
import { KafkaEventsChangedPublisher } from './events-changed-publisher';

describe('KafkaEventsChangedPublisher', () => {
  function setup(maxMessageBytes: number) {
    const requests: EncodedMessage[][] = [];
    const compressions: CompressionTypes[] = [];
    const publisher = {
      limits: { maxRequestBytes: 1000, maxMessageBytes },
      send: jest.fn(async (messages: EncodedMessage[], compression: CompressionTypes) => {
        requests.push(messages);
        compressions.push(compression);
      }),
    };
    const queries: unknown[][] = [];
    const dataSource = { query: jest.fn(async (...args: unknown[]) => void queries.push(args)) };
    return { requests, compressions, queries, sender: new KafkaEventsChangedPublisher(publisher as unknown as MessagePublisher, dataSource as unknown as DataSource) };
  }

  it("publishes the parts in order on the events-changed topic, keyed by the integration, GZIP-compressed, and counts them", async () => {
    metricsRegistry.resetMetrics();
    const { sender, requests, compressions, queries } = setup(10_000);
    await sender.publish('integration-1', [Buffer.from('{"part":1}'), Buffer.from('{"part":2}')]);
    expect(requests).toEqual([
      [
        { topic: Topics.EventsChangedV1, key: 'integration-1', value: Buffer.from('{"part":1}') },
        { topic: Topics.EventsChangedV1, key: 'integration-1', value: Buffer.from('{"part":2}') },
      ],
    ]);
    expect(compressions).toEqual([CompressionTypes.GZIP]);
    expect(queries).toEqual([]);
    expect(await metricsRegistry.metrics()).toContain('bpo_events_changed_parts_published_total 2');
  });

  it('keeps a part the broker can never take as a dead letter, with its reason, and publishes the others', async () => {
    const { sender, requests, queries } = setup(50);
    const big = Buffer.from(`{"part":2,"created":"${'x'.repeat(60)}"}`);
    await sender.publish('integration-1', [Buffer.from('{"part":1}'), big, Buffer.from('{"part":3}')]);
    expect(requests.flat().map((message) => String(message.value))).toEqual(['{"part":1}', '{"part":3}']);
    expect(queries).toHaveLength(1);
    const [sql, params] = queries[0] as [string, unknown[]];
    expect(sql).toMatch(/INSERT INTO outbox_dead_letters/);
    expect(params).toEqual([Topics.EventsChangedV1, 'integration-1', big.toString('utf8'), '{}', big.length + 'integration-1'.length, expect.stringMatching(/over the 50-byte maximum/)]);
  });
});

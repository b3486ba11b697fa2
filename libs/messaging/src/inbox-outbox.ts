import type { EntityManager } from 'typeorm';
import type { OutgoingMessage } from './message-publisher';

/**
 * Records that a consumer group processed a message, inside the transaction of its effect.
 * Returns false when it was processed before: the caller then does nothing (exactly-once effect).
 */
export async function claimMessage(manager: EntityManager, consumerGroup: string, messageId: string): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    'INSERT INTO inbox (consumer_group, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING message_id',
    [consumerGroup, messageId],
  );
  return rows.length === 1;
}

/** Queues messages in the same transaction as the change they announce; the relay publishes them. */
export async function enqueueMessages(manager: EntityManager, messages: readonly OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  const params: unknown[] = [];
  const values = messages.map((message, index) => {
    params.push(message.topic, message.key, JSON.stringify(message.value), JSON.stringify(message.headers ?? {}));
    const at = index * 4;
    return `($${at + 1}, $${at + 2}, $${at + 3}::jsonb, $${at + 4}::jsonb)`;
  });
  await manager.query(`INSERT INTO outbox (topic, message_key, payload, headers) VALUES ${values.join(', ')}`, params);
}

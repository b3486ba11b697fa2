import type { EntityManager } from 'typeorm';
import { withTraceHeaders } from '@bpo/service-kit';
import type { OutgoingMessage } from './message-publisher';
import { OUTBOX_CHANNEL } from './outbox-relay';

/** The first half of the advisory locks `enqueueMessages` takes per message key (the second is the key's hash). */
export const OUTBOX_KEY_LOCK_CLASS = 7_310_412;

/**
 * Queues messages in the same transaction as the change they announce; the relay publishes them,
 * in queue order per key, in requests bounded by bytes. At commit, the active relay (whichever
 * service runs it) is notified and publishes at once. A message over the publisher's hard maximum
 * (about 10 MiB of key + value + headers) is never published: the relay moves it to
 * outbox_dead_letters, so split large payloads into parts well below that. With tracing on, the
 * active span's trace context is stored with each message's headers and published with it.
 */
export async function enqueueMessages(manager: EntityManager, messages: readonly OutgoingMessage[]): Promise<void> {
  if (messages.length === 0) return;
  // Rows of one key must become visible in id order, or the relay (reading committed rows in id
  // order) could publish a later row before an earlier one that commits after it. So transactions
  // queueing the same key take turns from here to their commit: the next one inserts (and takes its
  // ids) only once the previous one committed. Locks are taken in one order (by hash) to avoid
  // deadlocks between callers; call this once per transaction, at the end of its work.
  const keys = [...new Set(messages.map((message) => message.key).filter((key): key is string => key !== null))];
  if (keys.length > 0) {
    await manager.query(
      `SELECT count(pg_advisory_xact_lock($1, h)) FROM (SELECT DISTINCT hashtext(k) AS h FROM unnest($2::text[]) AS k ORDER BY 1) AS sorted`,
      [OUTBOX_KEY_LOCK_CLASS, keys],
    );
  }
  // A few dozen per statement: large files queue many events-changed parts, each up to ~200 KB.
  for (let at = 0; at < messages.length; at += 20) {
    const slice = messages.slice(at, at + 20);
    const params: unknown[] = [];
    const values = slice.map((message, index) => {
      params.push(message.topic, message.key, JSON.stringify(message.value), JSON.stringify(withTraceHeaders(message.headers) ?? {}));
      const first = index * 4;
      return `($${first + 1}, $${first + 2}, $${first + 3}::json, $${first + 4}::jsonb)`;
    });
    await manager.query(`INSERT INTO outbox (topic, message_key, payload, headers) VALUES ${values.join(', ')}`, params);
  }
  // Delivered at commit (never for a rolled-back transaction); repeats in one transaction fold into one.
  await manager.query(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
}

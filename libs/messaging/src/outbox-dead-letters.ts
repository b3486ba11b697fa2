import type { DataSource, EntityManager } from 'typeorm';
import type { EncodedMessage } from './message-publisher';

/** A message that could never be published, as the relay kept it in outbox_dead_letters. */
export interface UndeliveredMessage {
  topic: string;
  /** Why it could never be published. */
  reason: string;
  failedAt: Date;
}

/**
 * The dead letters of each sync run (messages whose payload's `syncRunId` names it, as the
 * pipeline's messages do), in queue order; a run without any is absent from the map. One statement
 * for all the runs, on the index outbox_dead_letters_by_sync_run.
 */
export async function undeliveredBySyncRun(manager: EntityManager, syncRunIds: readonly string[]): Promise<Map<string, UndeliveredMessage[]>> {
  const byRun = new Map<string, UndeliveredMessage[]>();
  if (syncRunIds.length === 0) return byRun;
  const rows: Array<{ sync_run_id: string; topic: string; failure: string; failed_at: Date }> = await manager.query(
    `SELECT payload->>'syncRunId' AS sync_run_id, topic, failure, failed_at
       FROM outbox_dead_letters WHERE payload->>'syncRunId' = ANY($1::text[]) ORDER BY id`,
    [syncRunIds],
  );
  for (const row of rows) {
    const letters = byRun.get(row.sync_run_id) ?? [];
    letters.push({ topic: row.topic, reason: row.failure, failedAt: row.failed_at });
    byRun.set(row.sync_run_id, letters);
  }
  return byRun;
}

/**
 * Keeps a message that was sent straight to Kafka (never queued in the outbox) and that the broker
 * can never take, as the relay keeps its own: in outbox_dead_letters, with the reason, where the
 * sync pages and the dead-letter gauge see it. Its id is taken from the outbox's, so the two never
 * collide. The value must be JSON (a Buffer is read as UTF-8).
 */
export async function keepDeadLetter(db: DataSource | EntityManager, message: EncodedMessage, encodedBytes: number, failure: string): Promise<void> {
  const value = typeof message.value === 'string' ? message.value : message.value.toString('utf8');
  await db.query(
    `INSERT INTO outbox_dead_letters (id, topic, message_key, payload, headers, created_at, encoded_bytes, failure)
     VALUES (nextval(pg_get_serial_sequence('outbox', 'id')), $1, $2, $3::jsonb, $4::jsonb, now(), $5, $6)`,
    [message.topic, message.key, value, JSON.stringify(message.headers ?? {}), encodedBytes, failure],
  );
}

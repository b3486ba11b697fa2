import type { DataSource } from 'typeorm';
import type { MessagePublisher } from './message-publisher';

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string | null;
  payload: object;
  headers: Record<string, string>;
}

/**
 * Publishes outbox rows in id order and marks them published. A crash between the broker's
 * acknowledgement and the mark re-sends the rows: consumers dedupe by message id.
 */
export class OutboxRelay {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: MessagePublisher,
    private readonly pollMs = 500,
    private readonly onError: (error: Error) => void = () => undefined,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Publish now (called right after a commit that queued messages). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Published rows are kept a day (to look into), then removed, so the table stays small. */
  async prune(): Promise<void> {
    await this.dataSource.query(`DELETE FROM outbox WHERE published_at < now() - interval '1 day'`);
  }

  /** Publishes everything pending; returns how many rows went out. */
  async flush(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.dataSource.transaction(async (manager) => {
        const rows: OutboxRow[] = await manager.query(
          `SELECT id, topic, message_key, payload, headers FROM outbox
            WHERE published_at IS NULL ORDER BY id LIMIT 200 FOR UPDATE SKIP LOCKED`,
        );
        if (rows.length === 0) return 0;
        await this.publisher.publish(rows.map((row) => ({ topic: row.topic, key: row.message_key, value: row.payload, headers: row.headers })));
        await manager.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [rows.map((row) => row.id)]);
        return rows.length;
      });
      total += sent;
      if (sent === 0) return total;
    }
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private lastPrune = 0;

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const prune = Date.now() - this.lastPrune > 3_600_000;
    if (prune) this.lastPrune = Date.now();
    this.running = (prune ? this.prune().then(() => this.flush()) : this.flush()).then(
      () => undefined,
      (error: Error) => this.onError(error),
    );
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const next = this.again ? 0 : this.pollMs;
    this.again = false;
    this.schedule(next);
  }
}

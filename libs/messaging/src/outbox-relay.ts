import { Logger } from '@nestjs/common';
import type { DataSource, QueryRunner } from 'typeorm';
import { Metrics } from '@bpo/service-kit';
import type { MessagePublisher } from './message-publisher';
import { orderedMessage, sendInOrder, type OrderedMessage } from './ordered-send';

/** `enqueueMessages` notifies this channel at commit; the active relay listens and publishes at once. */
export const OUTBOX_CHANNEL = 'bpo_outbox';
/**
 * The session-level advisory locks (this class, and the lane's name hashed) that make one relay per
 * lane and database the active one (the others wait on standby).
 */
export const OUTBOX_RELAY_LOCK_CLASS = 7_310_413;

/**
 * Which outbox rows a relay publishes. Order is kept per key within a topic (all a consumer can
 * see), so topics can be published by separate relays: the bulk of a large file (its
 * events-changed parts) then never holds back another file's sync status. Each lane has its own
 * lock, so one relay per lane per database is active.
 */
export interface OutboxLane {
  name: string;
  /** Only these topics (contract names)... */
  topics?: readonly string[];
  /** ...or every topic but these. */
  exceptTopics?: readonly string[];
}

export const ALL_TOPICS_LANE: OutboxLane = { name: 'all' };

export interface OutboxRelayOptions {
  /** The rows this relay publishes (default: every topic). */
  lane: OutboxLane;
  /** Poll interval when idle, and how often a standby relay tries to take over (ms). */
  pollMs: number;
  /** Upper bound of the backoff after a retryable failure (broker or database down), ms. */
  maxBackoffMs: number;
  /** Most rows read from the outbox at once. */
  fetchRows: number;
  /** Stored (pg_column_size) payload bytes read from the outbox at once (at least one row). */
  fetchBytes: number;
  /** Published rows are kept this long (to look into), then pruned. */
  publishedRetentionHours: number;
  /** Dead letters are kept this long, then pruned; 0 keeps them forever. */
  deadLetterRetentionDays: number;
  /** How often pruning runs (ms). */
  pruneEveryMs: number;
  /** How often the active relay measures its lane's backlog for the metrics (ms); 0 never. */
  measureEveryMs: number;
  /** A retryable failure (logged as a warning by the caller) */
  onError: (error: Error) => void;
  /** Where dead letters are reported (error level) and take-overs (log level). */
  logger: Pick<Logger, 'error' | 'log'>;
}

export const DEFAULT_OUTBOX_RELAY_OPTIONS: OutboxRelayOptions = {
  lane: ALL_TOPICS_LANE,
  pollMs: 500,
  maxBackoffMs: 30_000,
  fetchRows: 500,
  fetchBytes: 4 * 1024 * 1024,
  publishedRetentionHours: 24,
  deadLetterRetentionDays: 30,
  pruneEveryMs: 3_600_000,
  measureEveryMs: 10_000,
  onError: () => undefined,
  logger: new Logger('OutboxRelay'),
};

/** What this relay did since it started, for health checks and metrics. */
export interface OutboxRelayStats {
  /** This relay holds the lock and is the one publishing for the database. */
  active: boolean;
  /** Messages this relay published (acknowledged and marked). */
  published: number;
  /** Produce requests this relay sent successfully. */
  requests: number;
  /** Messages this relay moved to outbox_dead_letters. */
  deadLettered: number;
  /** Retryable failures in a row (0 once a pass succeeds); the backoff grows with it. */
  consecutiveFailures: number;
  lastError?: string;
}

interface PendingRow {
  id: string;
  topic: string;
  message_key: string | null;
  value: string;
  headers: Record<string, string>;
}

interface Encoded extends OrderedMessage {
  id: string;
}

/**
 * Publishes the outbox rows of its lane in id order. Only one relay per lane and database publishes
 * at a time: it holds a session-level advisory lock on a connection of its own, so rows of one key
 * can never be sent by two relays out of order; the others are standbys that take over when that
 * connection ends.
 *
 * Rows go out in produce requests of at most the publisher's `maxRequestBytes` (bytes, not rows);
 * each request's rows are marked published (committed) as soon as the broker acknowledged it, so
 * a failure part way republishes nothing already acknowledged. Only a crash between an
 * acknowledgement and its mark re-sends that one request: consumers dedupe by message id.
 *
 * A message the broker can never accept (over the publisher's `maxMessageBytes`, or refused as too
 * large or invalid when sent alone) moves to `outbox_dead_letters` with the reason and is logged as
 * an error; the rows behind it go on. Any other failure (broker or database down) is retried with
 * exponential backoff and never dead-letters anything.
 */
export class OutboxRelay {
  private readonly options: OutboxRelayOptions;
  private timer?: NodeJS.Timeout;
  private measureTimer?: NodeJS.Timeout;
  private measuring: Promise<unknown> = Promise.resolve();
  private running?: Promise<void>;
  private again = false;
  private stopped = true;
  /** stop() was called: finish the request in flight, then return. */
  private halting = false;
  private lastPrune = 0;
  /** The connection holding the advisory lock while this relay is the active one. */
  private lock?: { runner: QueryRunner; unlisten: () => void };
  private readonly counters: Omit<OutboxRelayStats, 'active'> = { published: 0, requests: 0, deadLettered: 0, consecutiveFailures: 0 };

  /** `options` may be the poll interval alone (ms), as before. */
  constructor(
    private readonly dataSource: DataSource,
    private readonly publisher: MessagePublisher,
    options: Partial<OutboxRelayOptions> | number = {},
    onError?: (error: Error) => void,
  ) {
    const given = typeof options === 'number' ? { pollMs: options } : options;
    this.options = { ...DEFAULT_OUTBOX_RELAY_OPTIONS, ...given, ...(onError ? { onError } : {}) };
  }

  start(): void {
    this.stopped = false;
    this.halting = false;
    this.schedule(0);
    if (this.options.measureEveryMs > 0) {
      // Apart from the publishing loop: a relay stuck on a broker that does not answer still reports its backlog.
      this.measureTimer = setInterval(() => {
        this.measuring = this.measuring.then(() => this.reportBacklog()).catch(() => undefined);
      }, this.options.measureEveryMs);
      this.measureTimer.unref();
    }
  }

  /** Publish now (called right after a commit that queued messages). */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** Stops after the request in flight (acknowledged rows are marked), and hands the lock over. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.halting = true;
    clearTimeout(this.timer);
    clearInterval(this.measureTimer);
    await this.running;
    await this.measuring;
    await this.releaseLock();
    this.forgetBacklog();
  }

  stats(): OutboxRelayStats {
    return { active: this.isActive(), ...this.counters };
  }

  /**
   * The unpublished rows of this relay's lane and the age of the oldest (seconds; 0 when none), as
   * the metrics report them.
   */
  async backlog(): Promise<{ messages: number; oldestAgeSeconds: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*)::int AS messages, coalesce(extract(epoch FROM clock_timestamp() - min(created_at)), 0)::float8 AS age
         FROM outbox WHERE published_at IS NULL AND ($1::text[] IS NULL OR topic = ANY($1)) AND ($2::text[] IS NULL OR topic <> ALL($2))`,
      [this.options.lane.topics ?? null, this.options.lane.exceptTopics ?? null],
    );
    return { messages: row.messages, oldestAgeSeconds: Math.max(0, row.age) };
  }

  /** Sets the outbox gauges when this relay is the active one for its lane (standbys report nothing). */
  async reportBacklog(): Promise<void> {
    if (!this.isActive()) {
      this.forgetBacklog();
      return;
    }
    const lane = { lane: this.options.lane.name };
    const { messages, oldestAgeSeconds } = await this.backlog();
    Metrics.outboxBacklog.set(lane, messages);
    Metrics.outboxOldestAge.set(lane, oldestAgeSeconds);
    Metrics.outboxDeadLetterRows.set(await this.countDeadLetters());
  }

  private forgetBacklog(): void {
    Metrics.outboxBacklog.remove({ lane: this.options.lane.name });
    Metrics.outboxOldestAge.remove({ lane: this.options.lane.name });
  }

  /** Dead letters in the database (from every relay), e.g. for a health check or a gauge. */
  async countDeadLetters(): Promise<number> {
    const [{ count }] = await this.dataSource.query('SELECT count(*)::int AS count FROM outbox_dead_letters');
    return count;
  }

  /**
   * Published rows are kept `publishedRetentionHours` (a day), dead letters
   * `deadLetterRetentionDays` (30 days; 0 = forever), then removed, so the tables stay small.
   */
  async prune(): Promise<void> {
    await this.dataSource.query(`DELETE FROM outbox WHERE published_at < now() - make_interval(hours => $1)`, [
      this.options.publishedRetentionHours,
    ]);
    if (this.options.deadLetterRetentionDays > 0) {
      await this.dataSource.query(`DELETE FROM outbox_dead_letters WHERE failed_at < now() - make_interval(days => $1)`, [
        this.options.deadLetterRetentionDays,
      ]);
    }
  }

  /**
   * Publishes everything pending when this relay is (or becomes) the active one; returns how many
   * rows it published or dead-lettered (0 when another relay is active). Throws on a retryable failure.
   */
  async flush(): Promise<number> {
    const lock = await this.acquireLock();
    if (!lock) return 0;
    let total = 0;
    for (;;) {
      if (this.halting) return total;
      const rows = await this.fetch(lock);
      if (rows.length === 0) return total;
      total += await this.relay(lock, rows);
    }
  }

  private isActive(): boolean {
    return !!this.lock && !this.lock.runner.isReleased;
  }

  /** The lock's connection, taking the lock if free; undefined while another relay holds it. */
  private async acquireLock(): Promise<QueryRunner | undefined> {
    if (this.lock && !this.lock.runner.isReleased) return this.lock.runner;
    this.lock = undefined;
    const runner = this.dataSource.createQueryRunner();
    try {
      const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS locked', [OUTBOX_RELAY_LOCK_CLASS, this.options.lane.name]);
      if (!locked) {
        await runner.release();
        return undefined;
      }
      const client = (await runner.connect()) as NodeJS.EventEmitter;
      const onNotification = () => this.wake();
      client.on('notification', onNotification);
      this.lock = { runner, unlisten: () => client.removeListener('notification', onNotification) };
      await runner.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.options.logger.log({ message: 'outbox relay is now the active one for this database', lane: this.options.lane.name });
      return runner;
    } catch (error) {
      await this.dropLock(runner, error as Error);
      throw error;
    }
  }

  /** After a failure: when the lock's connection no longer answers, drop it (ending its session frees the lock). */
  private async checkLock(): Promise<void> {
    const runner = this.lock?.runner;
    if (!runner) return;
    if (runner.isReleased) {
      this.lock = undefined;
      return;
    }
    try {
      await runner.query('SELECT 1');
    } catch (error) {
      await this.dropLock(runner, error as Error);
    }
  }

  /** Releases the connection as broken: the pool destroys it, its session (and lock) ends. */
  private async dropLock(runner: QueryRunner, error: Error): Promise<void> {
    if (this.lock?.runner === runner) {
      this.lock.unlisten();
      this.lock = undefined;
    }
    await (runner as unknown as { releasePostgresConnection(error: Error): Promise<void> }).releasePostgresConnection(error);
  }

  private async releaseLock(): Promise<void> {
    const lock = this.lock;
    if (!lock || lock.runner.isReleased) {
      this.lock = undefined;
      return;
    }
    try {
      await lock.runner.query(`UNLISTEN ${OUTBOX_CHANNEL}`);
      await lock.runner.query('SELECT pg_advisory_unlock($1, hashtext($2))', [OUTBOX_RELAY_LOCK_CLASS, this.options.lane.name]);
      lock.unlisten();
      this.lock = undefined;
      await lock.runner.release();
    } catch (error) {
      await this.dropLock(lock.runner, error as Error);
    }
  }

  /** The oldest pending rows, up to `fetchRows` rows and about `fetchBytes` stored bytes (at least one row). */
  private fetch(lock: QueryRunner): Promise<PendingRow[]> {
    return lock.query(
      `SELECT o.id, o.topic, o.message_key, o.payload::text AS value, o.headers
         FROM (SELECT id, sum(pg_column_size(payload)) OVER (ORDER BY id) - pg_column_size(payload) AS before
                 FROM (SELECT id, payload FROM outbox
                        WHERE published_at IS NULL AND ($3::text[] IS NULL OR topic = ANY($3)) AND ($4::text[] IS NULL OR topic <> ALL($4))
                        ORDER BY id LIMIT $1) oldest) sized
         JOIN outbox o USING (id)
        WHERE sized.before < $2
        ORDER BY o.id`,
      [this.options.fetchRows, this.options.fetchBytes, this.options.lane.topics ?? null, this.options.lane.exceptTopics ?? null],
    );
  }

  /** Publishes (or dead-letters) the rows in order; returns how many it handled. */
  private relay(lock: QueryRunner, rows: readonly PendingRow[]): Promise<number> {
    const items = rows.map((row): Encoded => ({ id: row.id, ...orderedMessage({ topic: row.topic, key: row.message_key, value: row.value, headers: row.headers }) }));
    return sendInOrder(this.publisher, items, {
      // stop() waits for the request in flight only.
      halted: () => this.halting,
      acknowledged: async (group) => {
        // Committed at once (autocommit on the lock's connection): a later failure never re-sends these.
        await lock.query('UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY($1::bigint[])', [group.map((item) => item.id)]);
        this.counters.published += group.length;
        this.counters.requests += 1;
        Metrics.outboxPublished.inc({ lane: this.options.lane.name }, group.length);
      },
      deadLetter: (item, reason) => this.deadLetter(lock, item, reason),
    });
  }

  private async deadLetter(lock: QueryRunner, item: Encoded, reason: string): Promise<void> {
    await lock.query(
      `WITH moved AS (DELETE FROM outbox WHERE id = $1 AND published_at IS NULL RETURNING *)
       INSERT INTO outbox_dead_letters (id, topic, message_key, payload, headers, created_at, encoded_bytes, failure)
       SELECT id, topic, message_key, payload, headers, created_at, $2, $3 FROM moved`,
      [item.id, item.bytes, reason],
    );
    this.counters.deadLettered += 1;
    Metrics.outboxDeadLetters.inc({ lane: this.options.lane.name });
    this.options.logger.error({
      message: 'outbox message can never be published: moved to outbox_dead_letters',
      outboxId: item.id,
      topic: item.message.topic,
      key: item.message.key,
      bytes: item.bytes,
      reason,
    });
  }

  private schedule(ms: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    let failed = false;
    this.running = (async () => {
      try {
        await this.flush();
        if (this.isActive() && Date.now() - this.lastPrune > this.options.pruneEveryMs) {
          this.lastPrune = Date.now();
          await this.prune();
        }
        this.counters.consecutiveFailures = 0;
      } catch (error) {
        failed = true;
        this.counters.consecutiveFailures += 1;
        this.counters.lastError = (error as Error).message;
        this.options.onError(error as Error);
        // A database failure may have cost the lock's connection: then another relay (or this one, later) takes over.
        await this.checkLock();
      }
    })();
    await this.running;
    this.running = undefined;
    if (this.stopped) return;
    const backoff = Math.min(this.options.maxBackoffMs, this.options.pollMs * 2 ** Math.min(this.counters.consecutiveFailures, 16));
    const next = failed ? backoff : this.again ? 0 : this.options.pollMs;
    this.again = false;
    this.schedule(next);
  }
}

import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MessageHeaders, Topics, type IntegrationStaleV1, type Platform } from '@bpo/contracts';
import { enqueueMessages, MessagingLifecycle, type OutgoingMessage } from '@bpo/messaging';
import { Metrics } from '@bpo/service-kit';
import { SftpIngestConfig } from './sftp-ingest.config';

/** Integrations marked in one transaction at most (the next round takes the rest). */
const MARK_LIMIT = 500;

/** An integration the check just marked stale. */
export interface StaleIntegration {
  id: string;
  organizationId: string;
  siteId: string;
  platform: Platform;
  staleSince: Date;
  lastFileReceivedAt: Date | null;
  expectedCadenceMinutes: number;
}

/** The silence (minutes) that makes an integration stale: its cadence times the multiple. */
export function staleAfterMinutes(expectedCadenceMinutes: number, multiple: number): number {
  return expectedCadenceMinutes * multiple;
}

/**
 * When an integration becomes stale if no file arrives: its last file (or, with none yet, its
 * creation) plus cadence x multiple.
 */
export function staleDeadline(lastFileReceivedAt: Date | null, createdAt: Date, expectedCadenceMinutes: number, multiple: number): Date {
  const from = lastFileReceivedAt ?? createdAt;
  return new Date(from.getTime() + staleAfterMinutes(expectedCadenceMinutes, multiple) * 60_000);
}

/** The episode's one message; its id names the episode, so a re-sent copy is recognised downstream. */
export function integrationStaleMessage(stale: StaleIntegration, multiple: number, now: Date): OutgoingMessage {
  const value: IntegrationStaleV1 = {
    messageId: `integration-stale:${stale.id}:${stale.staleSince.toISOString()}`,
    occurredAt: now.toISOString(),
    organizationId: stale.organizationId,
    integrationId: stale.id,
    siteId: stale.siteId,
    platform: stale.platform,
    staleSince: stale.staleSince.toISOString(),
    lastFileReceivedAt: stale.lastFileReceivedAt?.toISOString() ?? null,
    expectedCadenceMinutes: stale.expectedCadenceMinutes,
    staleAfterMinutes: staleAfterMinutes(stale.expectedCadenceMinutes, multiple),
  };
  return { topic: Topics.IntegrationStaleV1, key: stale.id, value, headers: { [MessageHeaders.MessageId]: value.messageId } };
}

/**
 * Marks the integrations whose silence passed cadence x multiple as stale and queues one
 * message each, in one transaction (the outbox publishes it, so it is never lost).
 *
 * Safe with any number of instances running it at once: the UPDATE only takes rows still not
 * stale, locked `FOR NO KEY UPDATE SKIP LOCKED`. Two checks racing for a row take turns on its lock,
 * and the second finds `stale_since` already set (PostgreSQL re-checks the condition on the row it
 * locked), so it marks nothing: exactly one instance marks each episode and queues its message. A
 * row locked by an upload committing right now is skipped (that file ends the silence anyway).
 */
export async function markStaleIntegrations(dataSource: DataSource, multiple: number, now = new Date()): Promise<StaleIntegration[]> {
  return dataSource.transaction(async (manager) => {
    // TypeORM answers an UPDATE with [rows, rowCount].
    const [rows]: [Array<{
      id: string;
      organization_id: string;
      site_id: string;
      platform: Platform;
      stale_since: Date;
      last_file_received_at: Date | null;
      expected_cadence_minutes: number;
    }>, number] = await manager.query(
      `WITH due AS (
         SELECT id, coalesce(last_file_received_at, created_at) + interval '1 minute' * (expected_cadence_minutes * $1::float8) AS deadline
           FROM integrations
          WHERE stale_since IS NULL
            AND coalesce(last_file_received_at, created_at) + interval '1 minute' * (expected_cadence_minutes * $1::float8) <= clock_timestamp()
          ORDER BY id
          LIMIT $2
          FOR NO KEY UPDATE SKIP LOCKED)
       UPDATE integrations i SET stale_since = due.deadline
         FROM due
        WHERE i.id = due.id AND i.stale_since IS NULL
       RETURNING i.id, i.organization_id, i.site_id, i.platform, i.stale_since, i.last_file_received_at, i.expected_cadence_minutes`,
      [multiple, MARK_LIMIT],
    );
    const marked = rows.map((row) => ({
      id: row.id,
      organizationId: row.organization_id,
      siteId: row.site_id,
      platform: row.platform,
      staleSince: row.stale_since,
      lastFileReceivedAt: row.last_file_received_at,
      expectedCadenceMinutes: row.expected_cadence_minutes,
    }));
    await enqueueMessages(manager, marked.map((stale) => integrationStaleMessage(stale, multiple, now)));
    return marked;
  });
}

/**
 * Ends the episodes that are no longer overdue because the integration's cadence was raised (a
 * manager saying "this BPO sends daily"); a file ends an episode at once (sftp-ingest, at commit).
 */
export async function clearNoLongerStale(dataSource: DataSource, multiple: number): Promise<number> {
  const [, count]: [unknown, number] = await dataSource.query(
    `UPDATE integrations SET stale_since = NULL
      WHERE stale_since IS NOT NULL
        AND coalesce(last_file_received_at, created_at) + interval '1 minute' * (expected_cadence_minutes * $1::float8) > clock_timestamp()`,
    [multiple],
  );
  return count;
}

export async function countStaleIntegrations(dataSource: DataSource): Promise<number> {
  const [{ count }] = await dataSource.query('SELECT count(*)::int AS count FROM integrations WHERE stale_since IS NOT NULL');
  return count;
}

/**
 * Every STALE_CHECK_SECONDS: marks the integrations that went silent (see markStaleIntegrations),
 * logs each, and sets `bpo_integrations_stale`. Runs in every sftp-ingest instance.
 */
@Injectable()
export class StaleIntegrationCheck implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(StaleIntegrationCheck.name);
  private timer?: NodeJS.Timeout;
  private checking: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly messaging: MessagingLifecycle,
    private readonly config: SftpIngestConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => {
      this.checking = this.checking
        .then(async () => void (await this.check()))
        .catch((error: Error) => this.logger.warn({ message: 'checking for stale integrations failed; will retry', error: error.message }));
    }, this.config.STALE_CHECK_SECONDS * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
  }

  /** One round; returns the integrations this instance marked stale. */
  async check(): Promise<StaleIntegration[]> {
    const multiple = this.config.STALE_INTEGRATION_MULTIPLE;
    await clearNoLongerStale(this.dataSource, multiple);
    const marked = await markStaleIntegrations(this.dataSource, multiple);
    if (marked.length > 0) this.messaging.wakeRelay();
    for (const stale of marked) {
      this.logger.warn({
        message: 'integration is stale: no file within its expected cadence',
        integrationId: stale.id,
        staleSince: stale.staleSince.toISOString(),
        lastFileReceivedAt: stale.lastFileReceivedAt?.toISOString() ?? null,
        staleAfterMinutes: staleAfterMinutes(stale.expectedCadenceMinutes, multiple),
      });
    }
    Metrics.staleEpisodes.inc(marked.length);
    Metrics.staleIntegrations.set(await countStaleIntegrations(this.dataSource));
    return marked;
  }
}

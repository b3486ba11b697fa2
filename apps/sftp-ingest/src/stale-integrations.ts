import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MessageHeaders, Topics, type IntegrationStaleV1 } from '@bpo/contracts';
import { enqueueMessages, MessagingLifecycle, type OutgoingMessage } from '@bpo/messaging';
import { IntegrationRepository, type StaleIntegrationRecord } from '@bpo/persistence';
import { Metrics } from '@bpo/service-kit';
import { SftpIngestConfig } from './sftp-ingest.config';

/** Integrations marked in one transaction at most (the next round takes the rest). */
const MARK_LIMIT = 500;

/** An integration the check just marked stale. */
export type StaleIntegration = StaleIntegrationRecord;

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
    const marked = await new IntegrationRepository(manager).markStale(multiple, MARK_LIMIT);
    await enqueueMessages(manager, marked.map((stale) => integrationStaleMessage(stale, multiple, now)));
    return marked;
  });
}

/**
 * Ends the episodes that are no longer overdue because the integration's cadence was raised (a
 * manager saying "this BPO sends daily"); a file ends an episode at once (sftp-ingest, at commit).
 */
export function clearNoLongerStale(dataSource: DataSource, multiple: number): Promise<number> {
  return new IntegrationRepository(dataSource).clearNoLongerStale(multiple);
}

export function countStaleIntegrations(dataSource: DataSource): Promise<number> {
  return new IntegrationRepository(dataSource).countStale();
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

import { Controller, Get, Header, Module, type DynamicModule } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Every Prometheus metric of the platform, defined once per process in one registry (so a module
 * booted twice, e.g. in tests, never registers a metric twice). Names use the product's words and
 * the `bpo_` prefix; labels never carry ids (integration, file, sync run): an integration is a
 * log field and an API lookup, not a time series.
 *
 * `GET /metrics` on each service's HTTP port (no token, like /health) answers the text format.
 */
export const metricsRegistry = new Registry();

const registers = [metricsRegistry];

/** Seconds: a small file takes about a second, a 1,000,000-row file a few minutes. */
export const SYNC_DURATION_BUCKETS = [0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600];

export const Metrics = {
  /** sftp-ingest: a file stored and announced (the upload's transaction committed). */
  filesReceived: new Counter({ name: 'bpo_files_received_total', help: 'Schedule files received over SFTP and stored', labelNames: ['platform'] as const, registers }),
  fileBytesReceived: new Counter({ name: 'bpo_file_bytes_received_total', help: 'Bytes of the schedule files received over SFTP', labelNames: ['platform'] as const, registers }),
  /**
   * Rows handed on by each stage of the pipeline (a redelivered batch counts again): parser (rows
   * parsed), mapping, agent-resolution (rows in the batches it passed on), schedule-writer (rows staged).
   */
  rowsProcessed: new Counter({ name: 'bpo_rows_processed_total', help: 'Schedule rows handled by each pipeline stage', labelNames: ['stage'] as const, registers }),
  /** schedule-writer: from the sync run's start (file received) to its end, by final status. */
  syncDuration: new Histogram({
    name: 'bpo_sync_duration_seconds',
    help: 'Duration of sync runs, from the file received to the schedule written, by status',
    labelNames: ['status'] as const,
    buckets: SYNC_DURATION_BUCKETS,
    registers,
  }),
  /** schedule-writer: row errors of finished sync runs, by code (unknown_agent, invalid_time, ...). */
  rowErrors: new Counter({ name: 'bpo_row_errors_total', help: 'Row errors of finished sync runs, by code', labelNames: ['code'] as const, registers }),
  /** Consumers: committed offset behind the partition's end, for the partitions this instance is assigned. */
  consumerLag: new Gauge({
    name: 'bpo_consumer_lag_messages',
    help: 'Messages not yet consumed, per consumer group and partition (partitions assigned to this instance)',
    labelNames: ['group', 'topic', 'partition'] as const,
    registers,
  }),
  /** Consumers: messages moved to `<topic>.dlq`. */
  deadLetters: new Counter({ name: 'bpo_dead_letter_messages_total', help: 'Messages dead-lettered by consumers to <topic>.dlq', labelNames: ['topic', 'group'] as const, registers }),
  /** Outbox relay (active relay only): rows queued and not yet published, and how old the oldest is. */
  outboxBacklog: new Gauge({ name: 'bpo_outbox_backlog_messages', help: 'Outbox rows not yet published, per lane (reported by the active relay)', labelNames: ['lane'] as const, registers }),
  outboxOldestAge: new Gauge({
    name: 'bpo_outbox_oldest_message_age_seconds',
    help: 'Age of the oldest unpublished outbox row, per lane; 0 when none (reported by the active relay)',
    labelNames: ['lane'] as const,
    registers,
  }),
  outboxPublished: new Counter({ name: 'bpo_outbox_published_total', help: 'Outbox messages published', labelNames: ['lane'] as const, registers }),
  /** Outbox relay: messages moved to outbox_dead_letters (never publishable). */
  outboxDeadLetters: new Counter({ name: 'bpo_outbox_dead_letters_total', help: 'Outbox messages moved to outbox_dead_letters', labelNames: ['lane'] as const, registers }),
  outboxDeadLetterRows: new Gauge({ name: 'bpo_outbox_dead_letter_rows', help: 'Rows in outbox_dead_letters (reported by the active relay)', registers }),
  /** schedule-writer: events-changed parts the broker acknowledged (published straight, not through the outbox). */
  eventsChangedPublished: new Counter({ name: 'bpo_events_changed_parts_published_total', help: 'Events-changed parts published by the schedule-writer', registers }),
  /** schedule-writer (every instance, the same database-wide figures): sync runs whose events-changed parts are not all published yet, and the oldest's age. */
  eventsChangedPendingRuns: new Gauge({ name: 'bpo_events_changed_pending_runs', help: 'Sync runs whose events-changed parts are not all published yet (database-wide)', registers }),
  eventsChangedOldestPending: new Gauge({
    name: 'bpo_events_changed_oldest_pending_seconds',
    help: 'Seconds since the oldest sync run still owing events-changed parts finished; 0 when none (database-wide)',
    registers,
  }),
  /** sftp-ingest: logins accepted, refused (wrong password or key signature; locked out) and lockouts begun. */
  sftpLogins: new Counter({ name: 'bpo_sftp_logins_total', help: 'SFTP logins accepted', labelNames: ['method'] as const, registers }),
  sftpLoginFailures: new Counter({
    name: 'bpo_sftp_login_failures_total',
    help: 'SFTP logins refused: wrong credentials, or refused unchecked because the username or address is locked out',
    labelNames: ['method', 'reason'] as const,
    registers,
  }),
  sftpLockouts: new Counter({ name: 'bpo_sftp_lockouts_total', help: 'SFTP lockouts begun, by kind (username, address)', labelNames: ['kind'] as const, registers }),
  sftpActiveUploads: new Gauge({ name: 'bpo_sftp_active_uploads', help: 'Uploads in progress on this sftp-ingest instance', registers }),
  /** The stale-integration check: integrations stale now, and episodes begun. */
  staleIntegrations: new Gauge({ name: 'bpo_integrations_stale', help: 'Integrations with no file within their expected cadence times the stale multiple', registers }),
  staleEpisodes: new Counter({ name: 'bpo_integration_stale_episodes_total', help: 'Integrations marked stale (one per episode, by the instance that marked it)', registers }),
} as const;

let defaultMetricsCollected = false;

/** Node.js process metrics (memory, event loop lag, GC) with the `bpo_` prefix, once per process. */
export function collectProcessMetrics(service: string): void {
  metricsRegistry.setDefaultLabels({ service });
  if (defaultMetricsCollected) return;
  defaultMetricsCollected = true;
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'bpo_' });
}

@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', metricsRegistry.contentType)
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return metricsRegistry.metrics();
  }
}

@Module({})
export class MetricsModule {
  /** `GET /metrics` for the service; every metric is labelled with its service name. */
  static forRoot(service: string): DynamicModule {
    collectProcessMetrics(service);
    return { module: MetricsModule, controllers: [MetricsController] };
  }
}

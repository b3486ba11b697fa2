/**
 * Every Kafka topic of the platform. The version is part of the name: an additive change keeps
 * the topic, a breaking one gets a new `.v2` topic (see README, "Topics").
 */
export const Topics = {
  /** sftp-ingest -> parser: a schedule file was stored and is ready to parse. */
  FileReceivedV1: 'bpo.ingest.file-received.v1',
  /** parser -> mapping: batches of parsed rows, then one end-of-file message. */
  RowsParsedV1: 'bpo.pipeline.rows-parsed.v1',
  /** mapping -> agent-resolution: the same batches with event types resolved. */
  RowsMappedV1: 'bpo.pipeline.rows-mapped.v1',
  /** agent-resolution -> schedule-writer: the same batches with agents resolved. */
  RowsResolvedV1: 'bpo.pipeline.rows-resolved.v1',
  /** any stage -> schedule-writer: a file could not go on (poison message, dead-lettered). */
  FileFailedV1: 'bpo.pipeline.file-failed.v1',
  /** schedule-writer -> everyone: the outcome of each sync run (operations teams watch this). */
  SyncStatusV1: 'bpo.schedule.sync-status.v1',
  /** schedule-writer -> downstream: events created, updated and deleted by each file. */
  EventsChangedV1: 'bpo.schedule.events-changed.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Messages that keep failing end here, with the error in headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** Partitions per topic: messages are keyed by integration id, so this bounds parallelism per stage. */
export const TOPIC_PARTITIONS = 3;

export const MessageHeaders = {
  MessageId: 'bpo-message-id',
  Attempts: 'bpo-attempts',
  Error: 'bpo-error',
  SourceTopic: 'bpo-source-topic',
  FailedAt: 'bpo-failed-at',
  ConsumerGroup: 'bpo-consumer-group',
} as const;

/**
 * Every Kafka topic of the platform. The version is part of the name: an additive change keeps
 * the topic, a breaking one gets a new `.v2` topic (see README, "Topics").
 */
export const Topics = {
  /** sftp-ingest -> parser: a schedule file was stored and is ready to parse. */
  FileReceivedV1: 'bpo.ingest.file-received.v1',
  /** parser -> mapping: batches of parsed rows (RowsBatchV2, columnar), then one end-of-file message. */
  RowsParsedV2: 'bpo.pipeline.rows-parsed.v2',
  /** mapping -> agent-resolution: the same batches with event types resolved. */
  RowsMappedV2: 'bpo.pipeline.rows-mapped.v2',
  /** agent-resolution -> schedule-writer: the same batches with agents resolved. */
  RowsResolvedV2: 'bpo.pipeline.rows-resolved.v2',
  /** any stage -> schedule-writer: a file could not go on (poison message, dead-lettered). */
  FileFailedV1: 'bpo.pipeline.file-failed.v1',
  /** schedule-writer -> everyone: the outcome of each sync run (operations teams watch this). */
  SyncStatusV1: 'bpo.schedule.sync-status.v1',
  /** schedule-writer -> downstream: events created, updated and deleted by each file. */
  EventsChangedV1: 'bpo.schedule.events-changed.v1',
  /** sftp-ingest -> operations: an integration sent no file for its cadence x the stale multiple (once per episode). */
  IntegrationStaleV1: 'bpo.schedule.integration-stale.v1',
  /** The bulk lane: the same four hops for large files (see PipelineLanes). */
  FileReceivedBulkV1: 'bpo.ingest.file-received.bulk.v1',
  RowsParsedBulkV2: 'bpo.pipeline.rows-parsed.bulk.v2',
  RowsMappedBulkV2: 'bpo.pipeline.rows-mapped.bulk.v2',
  RowsResolvedBulkV2: 'bpo.pipeline.rows-resolved.bulk.v2',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/**
 * A file travels the pipeline in one of two lanes of topics, chosen by its size when it is
 * announced: a large file (a 60-day export of a big BPO, minutes of work) in the bulk lane, every
 * other file in the main lane. A partition is worked in order, so without lanes a small file keyed
 * to the same partition as a large one would wait for all of it. Each stage consumes both lanes
 * with separate consumer groups; the messages are the same.
 */
export const PipelineLanes = {
  main: { fileReceived: Topics.FileReceivedV1, rowsParsed: Topics.RowsParsedV2, rowsMapped: Topics.RowsMappedV2, rowsResolved: Topics.RowsResolvedV2 },
  bulk: { fileReceived: Topics.FileReceivedBulkV1, rowsParsed: Topics.RowsParsedBulkV2, rowsMapped: Topics.RowsMappedBulkV2, rowsResolved: Topics.RowsResolvedBulkV2 },
} as const;

export type PipelineLane = keyof typeof PipelineLanes;
export type PipelineHop = keyof (typeof PipelineLanes)['main'];

/** Files larger than this (about 50,000 rows) take the bulk lane. */
export const BULK_FILE_BYTES = 4 * 1024 * 1024;

export function laneOfFile(sizeBytes: number): PipelineLane {
  return sizeBytes > BULK_FILE_BYTES ? 'bulk' : 'main';
}

/** The topics of one hop in every lane, e.g. for a service to create at start-up. */
export function laneTopics(...hops: PipelineHop[]): string[] {
  return Object.values(PipelineLanes).flatMap((lane) => hops.map((hop) => lane[hop]));
}

/** A stage's consumer group in a lane: the main lane keeps the stage's own name. */
export function laneGroupId(stage: string, lane: PipelineLane): string {
  return lane === 'main' ? stage : `${stage}.${lane}`;
}

/** Messages that keep failing end here, with the error in headers. */
export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

export const MessageHeaders = {
  MessageId: 'bpo-message-id',
  Attempts: 'bpo-attempts',
  Error: 'bpo-error',
  SourceTopic: 'bpo-source-topic',
  FailedAt: 'bpo-failed-at',
  ConsumerGroup: 'bpo-consumer-group',
} as const;

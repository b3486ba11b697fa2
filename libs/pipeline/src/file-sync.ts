import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { laneOfFile, MessageHeaders, PipelineLanes, type FileMessageV1, type FileReceivedV1, type FileSettingsV1, type Platform } from '@bpo/contracts';
import { enqueueMessages, type OutgoingMessage } from '@bpo/messaging';
import { IntegrationRepository, SyncRunRecords } from '@bpo/persistence';

/** A stored schedule file, as the pipeline needs to know it. */
export interface StoredFile {
  organizationId: string;
  integrationId: string;
  siteId: string;
  platform: Platform;
  fileId: string;
  filename: string;
  sizeBytes: number;
  sha256: string;
  receivedAt: Date;
  /** The integration's settings at the announcement, carried by the message (absent: the parser reads them). */
  settings?: FileSettingsV1;
}

/**
 * The file-received message of one sync run of a file, in its size's lane: keyed by integration
 * (one integration's files of a lane stay in order), with an id per sync run so a re-sent copy is
 * recognised downstream.
 */
export function fileReceivedMessage(file: StoredFile, syncRunId: string, now: Date, options: SyncOptions = {}): OutgoingMessage {
  const value: FileReceivedV1 = {
    messageId: `file-received:${syncRunId}`,
    occurredAt: now.toISOString(),
    organizationId: file.organizationId,
    integrationId: file.integrationId,
    fileId: file.fileId,
    syncRunId,
    filename: file.filename,
    sizeBytes: file.sizeBytes,
    sha256: file.sha256,
    receivedAt: file.receivedAt.toISOString(),
    platform: file.platform,
    ...(file.settings ? { settings: file.settings } : {}),
    ...(options.readInFull ? { readInFull: true } : {}),
  };
  return { topic: PipelineLanes[laneOfFile(file.sizeBytes)].fileReceived, key: file.integrationId, value, headers: { [MessageHeaders.MessageId]: value.messageId } };
}

/** How a sync run reads its file. */
export interface SyncOptions {
  /** Send every row: leave out no agent-day as unchanged (see FileReceivedV1.readInFull). */
  readInFull?: boolean;
}

/**
 * Starts a sync run of a stored file, inside the caller's transaction: the `processing` run and its
 * file-received message in the outbox commit together (a new upload, or a replay). The message
 * carries the integration's settings as of now, read in the same transaction. Returns the run id.
 */
export async function queueFileForSync(manager: EntityManager, file: StoredFile, now: Date, options: SyncOptions = {}): Promise<string> {
  const settings = await integrationSettings(manager, file.integrationId);
  const syncRunId = randomUUID();
  await new SyncRunRecords(manager).start({ id: syncRunId, organizationId: file.organizationId, integrationId: file.integrationId, siteId: file.siteId, fileId: file.fileId, startedAt: now });
  await enqueueMessages(manager, [fileReceivedMessage({ ...file, settings }, syncRunId, now, options)]);
  return syncRunId;
}

/** What the stages need to know of the integration, as the file-received message carries it. */
async function integrationSettings(manager: EntityManager, integrationId: string): Promise<FileSettingsV1> {
  const settings = await new IntegrationRepository(manager).settings(integrationId);
  if (!settings) throw new Error(`integration ${integrationId} no longer exists`);
  const { siteId, timezone, siteTimezone, dateOrder, encoding, titleLines } = settings;
  return { siteId, timezone, siteTimezone, dateOrder, encoding, titleLines };
}

/**
 * A file message the parser sends, with what later stages need of the file's announcement: row
 * batches carry the integration's site and platform on to agent-resolution. Unchanged for a file
 * announced without settings (those stages then read the integration) and for the end message.
 */
export function withAnnouncedContext(message: FileMessageV1, file: FileReceivedV1): FileMessageV1 {
  if (message.kind !== 'rows' || !file.settings) return message;
  return { ...message, siteId: file.settings.siteId, platform: file.platform };
}

import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { laneOfFile, MessageHeaders, PipelineLanes, type FileReceivedV1, type Platform } from '@bpo/contracts';
import { enqueueMessages, type OutgoingMessage } from '@bpo/messaging';

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
}

/**
 * The file-received message of one sync run of a file, in its size's lane: keyed by integration
 * (one integration's files of a lane stay in order), with an id per sync run so a re-sent copy is
 * recognised downstream.
 */
export function fileReceivedMessage(file: StoredFile, syncRunId: string, now: Date): OutgoingMessage {
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
  };
  return { topic: PipelineLanes[laneOfFile(file.sizeBytes)].fileReceived, key: file.integrationId, value, headers: { [MessageHeaders.MessageId]: value.messageId } };
}

/**
 * Starts a sync run of a stored file, inside the caller's transaction: the `processing` run and its
 * file-received message in the outbox commit together (a new upload, or a replay). Returns the run id.
 */
export async function queueFileForSync(manager: EntityManager, file: StoredFile, now: Date): Promise<string> {
  const syncRunId = randomUUID();
  await manager.query(
    `INSERT INTO sync_runs (id, organization_id, integration_id, site_id, file_id, status, started_at)
     VALUES ($1, $2, $3, $4, $5, 'processing', $6)`,
    [syncRunId, file.organizationId, file.integrationId, file.siteId, file.fileId, now],
  );
  await enqueueMessages(manager, [fileReceivedMessage(file, syncRunId, now)]);
  return syncRunId;
}

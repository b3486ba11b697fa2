import { FileReceivedV1, MessageHeaders, Topics, type Platform } from '@bpo/contracts';
import type { OutgoingMessage } from '@bpo/messaging';

export interface ReplayedFile {
  organizationId: string;
  integrationId: string;
  platform: Platform;
  fileId: string;
  filename: string;
  sizeBytes: number;
  sha256: string;
  receivedAt: Date;
}

/**
 * The message that sends a stored file through the pipeline again, as sftp-ingest sends a new one:
 * same topic, keyed by integration (one integration's files stay in order), id per sync run.
 */
export function fileReceivedMessage(file: ReplayedFile, syncRunId: string, now: Date): OutgoingMessage {
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
  return { topic: Topics.FileReceivedV1, key: file.integrationId, value, headers: { [MessageHeaders.MessageId]: value.messageId } };
}

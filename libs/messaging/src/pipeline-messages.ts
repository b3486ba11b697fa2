import type { ClassConstructor } from 'class-transformer';
import { decodeMessage, FileEndV1, FileFailedV1, RowsBatchV1, Topics, type FileMessageV1, type PipelineStage } from '@bpo/contracts';
import { PermanentMessageError, type DeadLetter, type ReceivedMessage } from './message-consumer';
import type { MessagePublisher } from './message-publisher';

/** Decodes and validates a message; one that is not a valid contract message can never succeed. */
export function decodeOrReject<T extends object>(type: ClassConstructor<T>, message: ReceivedMessage): T {
  const decoded = decodeMessage(type, message.value);
  if (!decoded.ok) throw new PermanentMessageError(decoded.reason);
  return decoded.message;
}

/** The rows topics carry row batches and, last, the file's end message. */
export function decodeFileMessage(message: ReceivedMessage): FileMessageV1 {
  let kind: unknown;
  try {
    kind = (JSON.parse(message.value?.toString() ?? 'null') as { kind?: unknown } | null)?.kind;
  } catch {
    throw new PermanentMessageError('value is not JSON');
  }
  if (kind === 'rows') return decodeOrReject(RowsBatchV1, message);
  if (kind === 'end') return decodeOrReject(FileEndV1, message);
  throw new PermanentMessageError(`unknown message kind ${JSON.stringify(kind)} (expected "rows" or "end")`);
}

/**
 * After a message of a file was dead-lettered, tells the schedule-writer that the file failed at
 * this stage, so the sync is reported `failed` rather than left hanging. A message too broken to
 * name its file is only dead-lettered.
 */
export function reportFileFailed(publisher: MessagePublisher, stage: PipelineStage) {
  return async ({ message, error }: DeadLetter): Promise<void> => {
    let envelope: Partial<FileFailedV1> = {};
    try {
      envelope = JSON.parse(message.value?.toString() ?? '{}') as Partial<FileFailedV1>;
    } catch {
      return;
    }
    const { organizationId, integrationId, fileId, syncRunId } = envelope;
    if (!organizationId || !integrationId || !fileId || !syncRunId) return;
    const failed: FileFailedV1 = {
      messageId: `file-failed:${syncRunId}:${stage}`,
      occurredAt: new Date().toISOString(),
      organizationId,
      integrationId,
      fileId,
      syncRunId,
      failure: { stage, reason: error.message },
    };
    await publisher.publish([{ topic: Topics.FileFailedV1, key: integrationId, value: failed }]);
  };
}

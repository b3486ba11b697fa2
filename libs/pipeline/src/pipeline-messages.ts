import type { ClassConstructor } from 'class-transformer';
import { decodeMessage, decodeParsed, type DecodeResult, FileEndV1, FileFailedV1, RowsBatchV2, Topics, type FileMessageV1, type PipelineStage } from '@bpo/contracts';
import { annotateSpan } from '@bpo/service-kit';
import { PermanentMessageError, transientLimitReason, type DeadLetter, type MessagePublisher, type ReceivedMessage } from '@bpo/messaging';

/** Decodes and validates a message; one that is not a valid contract message can never succeed. */
export function decodeOrReject<T extends object>(type: ClassConstructor<T>, message: ReceivedMessage): T {
  const decoded = decodeMessage(type, message.value);
  if (!decoded.ok) throw new PermanentMessageError(decoded.reason);
  annotateSpan(() => fileSpanAttributes(decoded.message));
  return decoded.message;
}

/** The ids a pipeline message names, as attributes of the span handling it (tracing on). */
function fileSpanAttributes(message: object): Record<string, string | number> {
  const { messageId, integrationId, fileId, syncRunId, sequence } = message as Partial<Record<'messageId' | 'integrationId' | 'fileId' | 'syncRunId', string> & { sequence: number }>;
  const attributes: Record<string, string | number> = {};
  if (messageId) attributes['messaging.message.id'] = messageId;
  if (integrationId) attributes['bpo.integration_id'] = integrationId;
  if (fileId) attributes['bpo.file_id'] = fileId;
  if (syncRunId) attributes['bpo.sync_run_id'] = syncRunId;
  if (typeof sequence === 'number') attributes['bpo.batch.sequence'] = sequence;
  return attributes;
}

/** The rows topics carry row batches and, last, the file's end message. Each value is parsed once. */
export function decodeFileMessage(message: ReceivedMessage): FileMessageV1 {
  let plain: unknown;
  try {
    plain = JSON.parse(message.value?.toString() ?? 'null');
  } catch {
    throw new PermanentMessageError('value is not JSON');
  }
  const kind = (plain as { kind?: unknown } | null)?.kind;
  if (kind !== 'rows' && kind !== 'end') throw new PermanentMessageError(`unknown message kind ${JSON.stringify(kind)} (expected "rows" or "end")`);
  const decoded: DecodeResult<FileMessageV1> = kind === 'rows' ? decodeParsed(RowsBatchV2, plain) : decodeParsed(FileEndV1, plain);
  if (!decoded.ok) throw new PermanentMessageError(decoded.reason);
  annotateSpan(() => fileSpanAttributes(decoded.message));
  return decoded.message;
}

/**
 * The reason a dead-lettered message gives its file's report: words a BPO can act on, never an
 * internal error's text (that stays in the logs and the dead letter's `bpo-error` header).
 */
export function deadLetterReason(stage: PipelineStage, { error, attempts, classification, transientRetryMs }: DeadLetter): string {
  switch (classification.kind) {
    case 'transient':
      return transientLimitReason(classification.unreachable, (transientRetryMs ?? 0) / 60_000);
    case 'permanent': {
      // Our own contract checks (a message no stage can read): short, deliberate texts, first line only.
      const detail = error.message.split('\n')[0].slice(0, 200);
      return `the platform could not process the file at stage ${stage} (${detail}); the file can be replayed once this is fixed`;
    }
    default:
      return `an internal error at stage ${stage} stopped the file after ${attempts} attempts; the file can be replayed`;
  }
}

/**
 * After a message of a file was dead-lettered, tells the schedule-writer that the file failed at
 * this stage, so the sync is reported `failed` rather than left hanging. A message too broken to
 * name its file is only dead-lettered.
 */
export function reportFileFailed(publisher: MessagePublisher, stage: PipelineStage) {
  return async (dead: DeadLetter): Promise<void> => {
    const { message } = dead;
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
      failure: { stage, reason: deadLetterReason(stage, dead) },
    };
    await publisher.publish([{ topic: Topics.FileFailedV1, key: integrationId, value: failed }]);
  };
}

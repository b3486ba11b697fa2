import { laneGroupId, PipelineLanes, type PipelineHop, type PipelineLane, type PipelineStage, type RowsBatchV2 } from '@bpo/contracts';
import { Metrics } from '@bpo/service-kit';
import { JsonBytes, type ConsumerRegistry, type MessagePublisher } from '@bpo/messaging';
import { decodeFileMessage, reportFileFailed } from './pipeline-messages';

export interface RowsStageOptions {
  stage: PipelineStage;
  /** The hops read and written, in each lane (see PipelineLanes). */
  from: PipelineHop;
  to: PipelineHop;
  /** Enriches one batch; must be deterministic for the same input, as redelivery re-runs it. */
  transform: (batch: RowsBatchV2) => Promise<RowsBatchV2>;
}

/**
 * A middle stage of the pipeline (mapping, agent-resolution), in every lane: row batches are transformed and
 * handed on under the same key, end-of-file messages are handed on untouched, so the next stage
 * sees a file's messages in the order the parser sent them. The output message id is derived from
 * the input, so a redelivered batch produces an identical message that the writer drops.
 */
export function registerRowsStage(registry: ConsumerRegistry, publisher: MessagePublisher, options: RowsStageOptions): void {
  for (const lane of Object.keys(PipelineLanes) as PipelineLane[]) registerLane(registry, publisher, options, lane);
}

function registerLane(registry: ConsumerRegistry, publisher: MessagePublisher, options: RowsStageOptions, lane: PipelineLane): void {
  const topics = PipelineLanes[lane];
  registry.register({
    groupId: laneGroupId(options.stage, lane),
    topic: topics[options.from],
    onDeadLetter: reportFileFailed(publisher, options.stage),
    handle: async (received) => {
      const message = decodeFileMessage(received);
      const out =
        message.kind === 'rows'
          ? handedOn(received.value, message, { ...(await options.transform(message)), messageId: `${options.stage}:${message.syncRunId}:${message.sequence}` })
          : { ...message, messageId: `${options.stage}:${message.syncRunId}:end` };
      await publisher.publish([{ topic: topics[options.to], key: message.integrationId, value: out }]);
      if (message.kind === 'rows') Metrics.rowsProcessed.inc({ stage: options.stage }, message.rows.line.length);
    },
  });
}

const CLOSING_BRACE = 0x7d;

/**
 * The enriched batch as it goes on: the received JSON with the message id replaced and the new
 * fields appended, byte for byte, when that is all that changed. Encoding a batch again cost each
 * middle stage a fifth of its CPU on a large file (JSON text, then its UTF-8 bytes). Otherwise, or
 * when the received text is not laid out as expected, the batch is encoded whole.
 *
 * The message id is found as the bytes `"messageId":"<id>"`. Those can only be the key itself: a
 * quote inside a JSON string is escaped, and no field of a batch nests another `messageId`; the id
 * must occur exactly once all the same.
 */
export function handedOn(raw: Buffer | null, input: RowsBatchV2, output: RowsBatchV2): object {
  if (!raw || raw.length === 0 || raw[raw.length - 1] !== CLOSING_BRACE) return output;
  const added: string[] = [];
  for (const key of Object.keys(output) as Array<keyof RowsBatchV2>) {
    if (key === 'messageId' || output[key] === undefined) continue;
    if (!(key in input) || input[key] === undefined) added.push(`,${JSON.stringify(key)}:${JSON.stringify(output[key])}`);
    else if (output[key] !== input[key]) return output; // a field the stage changed: encoded whole
  }
  for (const key of Object.keys(input) as Array<keyof RowsBatchV2>) if (input[key] !== undefined && output[key] === undefined) return output;
  const id = Buffer.from(`"messageId":${JSON.stringify(input.messageId)}`);
  const at = raw.indexOf(id);
  if (at < 0 || raw.indexOf(id, at + 1) >= 0) return output;
  return new JsonBytes(
    Buffer.concat([
      raw.subarray(0, at),
      Buffer.from(`"messageId":${JSON.stringify(output.messageId)}`),
      raw.subarray(at + id.length, raw.length - 1),
      Buffer.from(`${added.join('')}}`),
    ]),
  );
}

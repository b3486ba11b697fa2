import { laneGroupId, PipelineLanes, type PipelineHop, type PipelineLane, type PipelineStage, type RowsBatchV2 } from '@bpo/contracts';
import { Metrics } from '@bpo/service-kit';
import type { ConsumerRegistry, MessagePublisher } from '@bpo/messaging';
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
          ? { ...(await options.transform(message)), messageId: `${options.stage}:${message.syncRunId}:${message.sequence}` }
          : { ...message, messageId: `${options.stage}:${message.syncRunId}:end` };
      await publisher.publish([{ topic: topics[options.to], key: message.integrationId, value: out }]);
      if (message.kind === 'rows') Metrics.rowsProcessed.inc({ stage: options.stage }, message.rows.line.length);
    },
  });
}

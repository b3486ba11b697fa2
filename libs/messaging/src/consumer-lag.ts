import type { Admin, Kafka } from 'kafkajs';
import { Metrics } from '@bpo/service-kit';
import { physicalTopic, type KafkaSettings } from './kafka-settings';

/** How often a service measures its consumers' lag (two small admin requests per consumer). */
export const CONSUMER_LAG_INTERVAL_MS = 15_000;

/**
 * Messages of a partition its group has not consumed yet: the partition's end (`high`, the next
 * offset to be written) minus the group's committed offset. A group that committed nothing yet
 * (`-1`) starts from the beginning, i.e. the oldest offset still kept (`low`).
 */
export function partitionLag(high: string, low: string, committed: string | undefined): number {
  const end = Number(high);
  const start = Number(low);
  const at = committed === undefined || Number(committed) < 0 ? start : Math.max(Number(committed), start);
  return Math.max(0, end - at);
}

/** What the monitor needs of a consumer: its group, topic and the partitions it holds. */
export interface LagSource {
  readonly assignment: { groupId: string; topic: string; partitions: readonly number[] };
}

type LabelSet = { group: string; topic: string; partition: string };

/**
 * Sets `bpo_consumer_lag_messages` for the partitions this instance's consumers hold, every
 * `intervalMs`: each instance reports only its own partitions, so the series of a group's
 * instances add up (no double counting). One admin connection, kept open; a failed round is
 * retried at the next interval.
 */
export class ConsumerLagMonitor {
  private timer?: NodeJS.Timeout;
  private admin?: Admin;
  private round: Promise<void> = Promise.resolve();
  private reported = new Map<string, LabelSet>();

  constructor(
    private readonly kafka: Kafka,
    private readonly settings: KafkaSettings,
    private readonly sources: () => readonly LagSource[],
    private readonly onError: (error: Error) => void,
    private readonly intervalMs = CONSUMER_LAG_INTERVAL_MS,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.round = this.round.then(() => this.measure()).catch(async (error: Error) => {
        this.onError(error);
        // A broken connection is not reused: the next round connects afresh.
        await this.admin?.disconnect().catch(() => undefined);
        this.admin = undefined;
      });
    }, this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.round;
    for (const labels of this.reported.values()) Metrics.consumerLag.remove(labels);
    this.reported.clear();
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  /** One round: the lag of every partition this instance holds now. */
  async measure(): Promise<void> {
    const held = this.sources().map((source) => source.assignment).filter((assignment) => assignment.partitions.length > 0);
    const seen = new Map<string, LabelSet>();
    if (held.length > 0) {
      const admin = await this.connectedAdmin();
      for (const { groupId, topic, partitions } of held) {
        const name = physicalTopic(this.settings, topic);
        const [ends, [committed]] = await Promise.all([
          admin.fetchTopicOffsets(name),
          admin.fetchOffsets({ groupId: physicalTopic(this.settings, groupId), topics: [name] }),
        ]);
        for (const partition of partitions) {
          const end = ends.find((offsets) => offsets.partition === partition);
          if (!end) continue;
          const labels = { group: groupId, topic, partition: String(partition) };
          const at = committed?.partitions.find((offsets) => offsets.partition === partition)?.offset;
          Metrics.consumerLag.set(labels, partitionLag(end.high, end.low, at));
          seen.set(`${groupId}|${topic}|${partition}`, labels);
        }
      }
    }
    // Partitions this instance no longer holds are reported by their new owner.
    for (const [key, labels] of this.reported) if (!seen.has(key)) Metrics.consumerLag.remove(labels);
    this.reported = seen;
  }

  private async connectedAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      await admin.connect();
      this.admin = admin;
    }
    return this.admin;
  }
}

import { readFileSync } from 'node:fs';
import { Kafka, logLevel, Partitioners, type Consumer } from 'kafkajs';
import type { SyncStatusV1 } from '@bpo/contracts';
import { uniqueName, type ServiceProcess } from '@bpo/testing';
import type { Db } from '../support/fixtures';

export interface SeenStatus {
  value: SyncStatusV1;
  /** Date.now() when this process read the message. */
  at: number;
  partition: number;
}

/**
 * Reads the sync-status topic from its start, as an operations team would, and notes when each
 * message arrived, so a wait for a file's status measures its arrival, not a polling interval.
 */
export class StatusWatch {
  private readonly seen = new Map<string, SeenStatus>();
  private readonly waiters = new Map<string, (status: SeenStatus) => void>();
  private consumer?: Consumer;

  constructor(private readonly brokers: string, private readonly topic: string) {}

  async start(): Promise<this> {
    const kafka = new Kafka({ clientId: 'bench-status', brokers: this.brokers.split(','), logLevel: logLevel.NOTHING });
    this.consumer = kafka.consumer({ groupId: uniqueName('bench-status'), maxWaitTimeInMs: 50 });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        const value = JSON.parse(message.value?.toString() ?? 'null') as SyncStatusV1;
        const status = { value, at: Date.now(), partition };
        const key = `${value.integrationId}/${value.filename}`;
        this.seen.set(key, status);
        this.waiters.get(key)?.(status);
      },
    });
    return this;
  }

  /** The status of the integration's file named `filename`; rejects on `abort` or after `timeoutMs`. */
  wait(integrationId: string, filename: string, { timeoutMs, abort }: { timeoutMs: number; abort?: Promise<never> }): Promise<SeenStatus> {
    const key = `${integrationId}/${filename}`;
    const already = this.seen.get(key);
    if (already) return Promise.resolve(already);
    let timer: NodeJS.Timeout | undefined;
    const arrived = new Promise<SeenStatus>((resolve) => this.waiters.set(key, resolve));
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no sync status for ${filename} within ${timeoutMs / 1000} s`)), timeoutMs);
    });
    return Promise.race([arrived, timedOut, ...(abort ? [abort] : [])]).finally(() => {
      clearTimeout(timer);
      this.waiters.delete(key);
    });
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}

/**
 * When the last events-changed part of a sync run reached the topic: the time the writer logged
 * "events-changed published" for it, right after the broker acknowledged its last part (this
 * machine's clock, as the bench's). Read from the writer's log, so measuring it adds no load (a
 * consumer of the topic on these two cores would: a million changes are about 200 MB of parts).
 * Waits up to `timeoutMs`, polling the run's cheap flag (its changes still held for report) and
 * then the log. Null if the run published no part (it changed nothing), or not in time.
 */
export async function eventsChangedPublishedAt(db: Db, writer: ServiceProcess | undefined, syncRunId: string, timeoutMs: number): Promise<number | null> {
  const until = Date.now() + timeoutMs;
  let reportedBy: number | null = null;
  for (;;) {
    const [flags] = await db.query<{ held: boolean }>('SELECT EXISTS (SELECT 1 FROM sync_runs WHERE id = $1 AND events_changed IS NOT NULL) AS held', [syncRunId]);
    if (!flags.held) {
      const time = writerLogLine(writer, 'events-changed published', syncRunId)?.time;
      if (time) return Date.parse(time);
      // Reported and still no line after a moment (its output on the way): the run changed nothing.
      reportedBy ??= Date.now();
      if (Date.now() - reportedBy > 2_000) return null;
    }
    if (Date.now() >= until) return null;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The writer's JSON log line with this message about this sync run, when it logged one. */
function writerLogLine(writer: ServiceProcess | undefined, message: string, syncRunId: string): { time?: string; timings?: Record<string, number> } | null {
  for (const line of writer?.output().split('\n') ?? []) {
    if (!line.includes(`"${message}"`) || !line.includes(syncRunId)) continue;
    try {
      const parsed = JSON.parse(line) as { message?: string; syncRunId?: string; time?: string; timings?: Record<string, number> };
      if (parsed.message === message && parsed.syncRunId === syncRunId) return parsed;
    } catch {
      // not a JSON line
    }
  }
  return null;
}

/** The partition kafkajs's default partitioner (what the services' producers use) gives `key` on a topic of `partitions`. */
export function partitionOf(key: string, partitions: number): number {
  const partitioner = Partitioners.DefaultPartitioner();
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return partitioner({ topic: 'any', partitionMetadata, message: { key, value: null } });
}

/** Peak resident memory (VmHWM) of a running service process, in MB; null once it has exited. */
export function peakRssMb(service: ServiceProcess): number | null {
  try {
    const status = readFileSync(`/proc/${service.process.pid}/status`, 'utf8');
    return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return null;
  }
}

/** CPU time (user + system) a running service process has used so far, in seconds; null once it has exited. */
export function cpuSeconds(service: ServiceProcess): number | null {
  try {
    // Fields 14 and 15 of /proc/<pid>/stat (after the parenthesised command name): utime, stime in clock ticks.
    const fields = readFileSync(`/proc/${service.process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Math.round(((Number(fields[11]) + Number(fields[12])) / 100) * 10) / 10;
  } catch {
    return null;
  }
}

/** Rejects as soon as any of the services exits (a crash or an out-of-memory kill), naming it and its last output. */
export function firstExit(services: ServiceProcess[]): Promise<never> {
  const died = Promise.race(
    services.map((service) =>
      service.exited.then((code) => {
        throw new Error(`${service.name} exited (code ${code}) during the bench:\n${service.output().slice(-2000)}`);
      }),
    ),
  );
  died.catch(() => undefined); // observed by whoever races with it
  return died;
}

/** The writer's own timings of applying a sync run, from its "file applied" log line, when it logs one. */
export function writerTimings(writer: ServiceProcess | undefined, syncRunId: string): Record<string, number> | null {
  return writerLogLine(writer, 'file applied', syncRunId)?.timings ?? null;
}

export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A GET on the config API; throws with the body on anything but 200. */
export async function getJson<T>(url: string, token: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Pages through a cursor-paged list of the config API, in order, until its end or until `maxMs`
 * has passed; returns the item count, each page's latency (in order), and whether it got to the end.
 */
export async function pageThrough(firstUrl: string, token: string, { maxMs = Infinity } = {}): Promise<{ items: number; pages: number; pageMs: number[]; complete: boolean }> {
  let items = 0;
  const pageMs: number[] = [];
  const deadline = performance.now() + maxMs;
  for (let cursor: string | null = null; ; ) {
    const url = new URL(firstUrl);
    if (cursor) url.searchParams.set('cursor', cursor);
    const started = performance.now();
    const page = await getJson<{ items: unknown[]; nextCursor: string | null }>(url.toString(), token);
    pageMs.push(performance.now() - started);
    items += page.items.length;
    cursor = page.nextCursor;
    if (!cursor || performance.now() > deadline) return { items, pages: pageMs.length, pageMs, complete: !cursor };
  }
}

export const seconds = (ms: number) => Math.round(ms) / 1000;
export const fmtInt = (n: number | null | undefined) => (n == null ? '-' : Math.round(n).toLocaleString('en-US'));
export const fmtS = (ms: number | null | undefined) => (ms == null ? '-' : `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`);

/** A plain-text table: columns padded to their widest cell, numbers right-aligned. */
export function table(header: string[], rows: Array<Array<string | number>>): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row.map((cell, column) => (column > 0 && /^[\d.,-]+( \w+)?$|^-$/.test(cell) ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ').trimEnd();
  return [line(cells[0]), widths.map((width) => '-'.repeat(width)).join('  '), ...cells.slice(1).map(line)].join('\n');
}

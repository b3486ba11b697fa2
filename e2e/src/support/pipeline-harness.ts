import { Topics, type SyncStatusV1 } from '@bpo/contracts';
import { physicalTopic } from '@bpo/messaging';
import { createTestDatabase, expectEventually, startServiceProcess, testInfrastructure, TopicReader, uniqueName, type ServiceProcess, type TestDatabase } from '@bpo/testing';
import { Db } from './fixtures';

/** The Kafka stages of the pipeline, in the order a file travels them. */
export const STAGES = ['parser', 'mapping', 'agent-resolution', 'schedule-writer'] as const;

export interface PipelineHarnessOptions {
  /** Prefix of the suite's topic namespace (every suite has its own topics on the shared broker). */
  name: string;
  /** Services started, in order; default the four stages. */
  services?: readonly string[];
  /** Environment of a service, each time it is started (per-call settings of startService add to it). */
  env?: Record<string, Record<string, string>>;
  /** A database the suite runs itself (a private PostgreSQL); default a fresh test database, dropped at stop. */
  databaseUrl?: string;
}

/**
 * One e2e suite's pipeline: its own database and topics, its services as processes (built, as
 * `npm start` runs them), a reader of its sync-status topic and any other topic it reads, all
 * stopped in one call. Suites differ only in which services they run and with what settings.
 */
export class PipelineHarness {
  readonly services = new Map<string, ServiceProcess>();
  private readonly readers: TopicReader<unknown>[] = [];
  private statusReader?: TopicReader<SyncStatusV1>;

  private constructor(
    private readonly options: PipelineHarnessOptions,
    readonly databaseUrl: string,
    readonly db: Db,
    readonly namespace: string,
    private readonly database: TestDatabase | null,
  ) {}

  static async start(options: PipelineHarnessOptions): Promise<PipelineHarness> {
    const database = options.databaseUrl ? null : await createTestDatabase();
    const url = options.databaseUrl ?? database!.url;
    const harness = new PipelineHarness(options, url, await Db.connect(url), uniqueName(options.name), database);
    for (const name of options.services ?? STAGES) await harness.startService(name);
    harness.statusReader = await harness.read<SyncStatusV1>(Topics.SyncStatusV1);
    return harness;
  }

  /** The sync-status messages read so far. */
  get statuses(): TopicReader<SyncStatusV1> {
    return this.statusReader!;
  }

  /** Starts (or starts again) a service with the suite's settings for it and `env`. */
  async startService(name: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const service = await startServiceProcess(name, { databaseUrl: this.databaseUrl, namespace: this.namespace, env: { ...this.options.env?.[name], ...env } });
    this.services.set(name, service);
    return service;
  }

  service(name: string): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} was not started`);
    return service;
  }

  /** Reads one of the suite's topics from its beginning; stopped with the harness. */
  async read<T>(topic: string): Promise<TopicReader<T>> {
    const reader = await new TopicReader<T>(testInfrastructure().kafkaBrokers, physicalTopic({ namespace: this.namespace }, topic)).start();
    this.readers.push(reader as TopicReader<unknown>);
    return reader;
  }

  /** The sync-status message of a run, once it is on the topic. */
  statusOf(syncRunId: string, timeoutMs = 60_000): Promise<SyncStatusV1> {
    return expectEventually(
      () => {
        const found = this.statuses.messages.find((message) => message.value.syncRunId === syncRunId);
        if (!found) throw new Error(`no sync status for ${syncRunId} yet`);
        return found.value;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.readers.map((reader) => reader.stop()));
    await Promise.all([...this.services.values()].map((service) => service.stop()));
    // A suite may have stopped its own database (a PostgreSQL restart): closing its connection may fail.
    await this.db.close().catch(() => undefined);
    await this.database?.drop();
  }
}

export const pipelineHarness = (options: PipelineHarnessOptions): Promise<PipelineHarness> => PipelineHarness.start(options);

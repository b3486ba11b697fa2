import { Topics, type SyncStatusV1 } from '@bpo/contracts';
import { physicalTopic } from '@bpo/messaging';
import { createTestDatabase, expectEventually, freePort, startServiceProcess, testInfrastructure, TopicReader, uniqueName, type ServiceProcess, type TestDatabase } from '@bpo/testing';
import { Db } from './fixtures';

/** The Kafka stages of the pipeline, in the order a file travels them. */
export const STAGES = ['parser', 'mapping', 'agent-resolution', 'schedule-writer'] as const;

/**
 * A service's environment: fixed, or per instance (0 for its first start, 1 for the next...) when
 * instances need their own ports or files, or naming the suite's namespace (known only once started).
 */
export type ServiceEnv = Record<string, string> | ((start: { instance: number; namespace: string }) => Record<string, string>);

export interface PipelineHarnessOptions {
  /** Prefix of the suite's topic namespace (every suite has its own topics on the shared broker). */
  name: string;
  /**
   * Services started, in order; default the four stages. A name twice runs two instances; names
   * grouped in an array start at once (e.g. both instances of a stage, as a scaled-out deploy does).
   */
  services?: ReadonlyArray<string | readonly string[]>;
  /** Environment of a service, each time it is started (per-call settings of startService add to it). */
  env?: Record<string, ServiceEnv>;
  /** A database the suite runs itself (a private PostgreSQL); default a fresh test database, dropped at stop. */
  databaseUrl?: string;
  /** A broker the suite runs itself (a private Kafka), for its services and readers; default the shared one. */
  kafkaBrokers?: string;
}

/**
 * One e2e suite's pipeline: its own database and topics, its services as processes (built, as
 * `npm start` runs them), a reader of its sync-status topic and any other topic it reads, all
 * stopped in one call. Suites differ only in which services they run and with what settings.
 */
export class PipelineHarness {
  /** The latest started instance of each service (the one started again after a kill). */
  readonly services = new Map<string, ServiceProcess>();
  private readonly started = new Map<string, ServiceProcess[]>();
  private readonly starts = new Map<string, number>();
  private readonly readers: TopicReader<unknown>[] = [];
  private statusReader?: TopicReader<SyncStatusV1>;
  readonly kafkaBrokers: string;

  private constructor(
    private readonly options: PipelineHarnessOptions,
    readonly databaseUrl: string,
    readonly db: Db,
    readonly namespace: string,
    private readonly database: TestDatabase | null,
  ) {
    this.kafkaBrokers = options.kafkaBrokers ?? testInfrastructure().kafkaBrokers;
  }

  static async start(options: PipelineHarnessOptions): Promise<PipelineHarness> {
    const database = options.databaseUrl ? null : await createTestDatabase();
    const url = options.databaseUrl ?? database!.url;
    const harness = new PipelineHarness(options, url, await Db.connect(url), uniqueName(options.name), database);
    try {
      for (const group of options.services ?? STAGES) await Promise.all((typeof group === 'string' ? [group] : group).map((name) => harness.startService(name)));
      await harness.readStatuses();
    } catch (error) {
      // The suite never gets the harness: what did start must not outlive it (the start's error is the one to see).
      await harness.stop().catch(() => undefined);
      throw error;
    }
    return harness;
  }

  /** The sync-status messages read so far. */
  get statuses(): TopicReader<SyncStatusV1> {
    return this.statusReader!;
  }

  /** Starts (or starts again) a service with the suite's settings for it and `env`; earlier instances keep running. */
  async startService(name: string, env: Record<string, string> = {}): Promise<ServiceProcess> {
    const instance = this.starts.get(name) ?? 0;
    this.starts.set(name, instance + 1);
    const settings = this.options.env?.[name];
    const base = typeof settings === 'function' ? settings({ instance, namespace: this.namespace }) : settings;
    const service = await startServiceProcess(name, { databaseUrl: this.databaseUrl, namespace: this.namespace, kafkaBrokers: this.options.kafkaBrokers, env: { ...base, ...env } });
    const instances = this.started.get(name) ?? [];
    instances[instance] = service;
    this.started.set(name, instances);
    this.services.set(name, instances[instances.length - 1]);
    return service;
  }

  /** The latest started instance of a service. */
  service(name: string): ServiceProcess {
    const service = this.services.get(name);
    if (!service) throw new Error(`${name} was not started`);
    return service;
  }

  /** Every instance of a service, in the order they were started (killed ones included). */
  instances(name: string): ServiceProcess[] {
    return this.started.get(name) ?? [];
  }

  /** Every service process the suite started. */
  get processes(): ServiceProcess[] {
    return [...this.started.values()].flat();
  }

  /** Reads one of the suite's topics from its beginning; stopped with the harness. */
  async read<T>(topic: string): Promise<TopicReader<T>> {
    const reader = await new TopicReader<T>(this.kafkaBrokers, physicalTopic({ namespace: this.namespace }, topic)).start();
    this.readers.push(reader as TopicReader<unknown>);
    return reader;
  }

  /** A fresh reader of the sync-status topic, from its beginning: `statuses` from now on. */
  async readStatuses(): Promise<TopicReader<SyncStatusV1>> {
    this.statusReader = await this.read<SyncStatusV1>(Topics.SyncStatusV1);
    return this.statusReader;
  }

  /** Stops a reader before the harness would (e.g. before the suite's own broker goes away). */
  async stopReading(reader: TopicReader<unknown>): Promise<void> {
    const index = this.readers.indexOf(reader);
    if (index >= 0) this.readers.splice(index, 1);
    await reader.stop();
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
    // A reader whose broker is gone (a private broker a suite killed) must not keep the services running.
    await Promise.all(this.readers.map((reader) => reader.stop().catch(() => undefined)));
    await Promise.all(this.processes.map((service) => service.stop()));
    // A suite may have stopped its own database (a PostgreSQL restart): closing its connection may fail.
    await this.db.close().catch(() => undefined);
    await this.database?.drop();
  }
}

/** Free ports, no two alike (picked before any is bound): one for each instance of a service. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

export const pipelineHarness = (options: PipelineHarnessOptions): Promise<PipelineHarness> => PipelineHarness.start(options);

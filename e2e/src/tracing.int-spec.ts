import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Topics, type SyncStatusV1 } from '@bpo/contracts';
import { expectEventually, freePort, generateClientKey, sftpBatch, type ServiceProcess, type TopicReader } from '@bpo/testing';
import { arrangeOrganization, customCsv, dayFromToday, registerClientKey, utc, type Db } from './support/fixtures';
import { pipelineHarness, type PipelineHarness } from './support/pipeline-harness';

/**
 * Traces, against the real stack with every pipeline service a built process exporting over
 * OTLP/HTTP (JSON) to a tiny receiver in this test: one uploaded file is one trace, from the SFTP
 * upload through every Kafka hop to the writer's apply and its sync-status message, and the trace
 * id is on the services' log lines.
 */
const SERVICES = ['sftp-ingest', 'parser', 'mapping', 'agent-resolution', 'schedule-writer'] as const;

interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
}

/** OTLP JSON carries ids as hex (the spec); base64 is accepted too, in case. */
function hexId(id: unknown): string {
  if (typeof id !== 'string' || id === '') return '';
  return /^[0-9a-f]+$/.test(id) && (id.length === 32 || id.length === 16) ? id : Buffer.from(id, 'base64').toString('hex');
}

function attributeValue(value: Record<string, unknown>): unknown {
  return value.stringValue ?? value.intValue ?? value.doubleValue ?? value.boolValue;
}

type KeyValue = { key: string; value: Record<string, unknown> };
type ExportRequest = {
  resourceSpans?: Array<{ resource?: { attributes?: KeyValue[] }; scopeSpans?: Array<{ spans?: Array<Record<string, unknown>> }> }>;
};

/** An OTLP/HTTP receiver: `POST /v1/traces` with an ExportTraceServiceRequest in JSON. */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly contentTypes = new Set<string>();
  private server?: Server;

  async start(port: number): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (request.method !== 'POST' || request.url !== '/v1/traces') {
          response.writeHead(404).end();
          return;
        }
        this.contentTypes.add(String(request.headers['content-type']));
        const body = request.headers['content-encoding'] === 'gzip' ? gunzipSync(Buffer.concat(chunks)) : Buffer.concat(chunks);
        this.collect(JSON.parse(body.toString()) as ExportRequest);
        response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private collect(request: ExportRequest): void {
    for (const resourceSpans of request.resourceSpans ?? []) {
      const service = attributeValue(resourceSpans.resource?.attributes?.find((attribute) => attribute.key === 'service.name')?.value ?? {});
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          const attributes: Record<string, unknown> = {};
          for (const attribute of (span.attributes as KeyValue[] | undefined) ?? []) attributes[attribute.key] = attributeValue(attribute.value);
          this.spans.push({ service: String(service), traceId: hexId(span.traceId), spanId: hexId(span.spanId), parentSpanId: hexId(span.parentSpanId), name: String(span.name), attributes });
        }
      }
    }
  }
}

/** The JSON log lines of a service. */
function logLines(service: ServiceProcess): Array<Record<string, unknown>> {
  return service
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('tracing: one uploaded file is one trace across every service, exported over OTLP', () => {
  let pipeline: PipelineHarness;
  let db: Db;
  let statuses: TopicReader<SyncStatusV1>;
  let sftpPort: number;
  const receiver = new OtlpReceiver();
  const work = mkdtempSync(join(tmpdir(), 'tracing-'));

  beforeAll(async () => {
    const otlpPort = await freePort();
    await receiver.start(otlpPort);
    sftpPort = await freePort();
    // Spans are exported in batches every 200 ms here (the SDK's default is 5 s).
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`, OTEL_BSP_SCHEDULE_DELAY: '200' };
    const extra: Record<string, Record<string, string>> = { 'sftp-ingest': { SFTP_PORT: String(sftpPort), SFTP_HOST_KEY_PATH: join(work, 'host_key') } };
    pipeline = await pipelineHarness({ name: 'tracing', services: SERVICES, env: Object.fromEntries(SERVICES.map((name) => [name, { ...tracing, ...extra[name] }])) });
    ({ db, statuses } = pipeline);
  }, 240_000);

  afterAll(async () => {
    // The services stop first: the spans they export on the way out still find the receiver.
    await pipeline?.stop();
    await receiver.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('gives the upload, every Kafka hop, the apply and the sync-status message one trace id, also on the log lines', async () => {
    const setup = await arrangeOrganization(db);
    const key = generateClientKey(work, 'tracing');
    await registerClientKey(db, setup, key);
    const day = dayFromToday(3);
    writeFileSync(
      join(work, 'week.csv'),
      customCsv([
        ['A1', utc(day, '09:00'), utc(day, '12:00'), 'Phones'],
        ['A2', utc(day, '09:00'), utc(day, '17:00'), 'chat'],
        ['ZZ9', utc(day, '09:00'), utc(day, '12:00'), 'Phones'],
      ]),
    );
    const upload = await sftpBatch({ port: sftpPort, username: setup.sftpUsername, key, cwd: work, commands: ['put week.csv week.csv'] });
    expect(upload).toMatchObject({ code: 0 });

    const status = await expectEventually(() => {
      const found = statuses.messages.find((message) => message.value.integrationId === setup.integrationId);
      if (!found) throw new Error('no sync status yet');
      return found;
    }, { timeoutMs: 60_000 });
    expect(status.value).toMatchObject({ filename: 'week.csv', status: 'succeeded_with_errors', counts: { rows: 3, created: 2, rowErrors: 1 } });

    // The sync-status message carries the trace on: its parent is the writer's apply span.
    const traceparent = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(status.headers.traceparent ?? '');
    expect(traceparent).not.toBeNull();
    const [, traceId, statusParent] = traceparent!;

    // Every service exported its spans of the file (batches of 200 ms).
    const named = (service: string, name: string) => receiver.spans.filter((span) => span.service === service && span.name === name);
    const expected: Array<[service: string, name: string]> = [
      ['sftp-ingest', 'sftp-ingest upload'],
      ['parser', `process ${Topics.FileReceivedV1}`],
      ['mapping', `process ${Topics.RowsParsedV2}`],
      ['agent-resolution', `process ${Topics.RowsMappedV2}`],
      ['schedule-writer', `process ${Topics.RowsResolvedV2}`],
      ['schedule-writer', 'schedule-writer apply'],
    ];
    await expectEventually(() => {
      for (const [service, name] of expected) if (named(service, name).length === 0) throw new Error(`no span ${name} from ${service} yet`);
      // A batch and the end message per stage after the parser.
      for (const service of ['mapping', 'agent-resolution', 'schedule-writer']) if (named(service, expected.find(([s]) => s === service)![1]).length < 2) throw new Error(`${service} not done yet`);
    }, { timeoutMs: 30_000, intervalMs: 200 });
    expect(receiver.contentTypes).toEqual(new Set(['application/json']));

    // ONE trace: every span exported (only this file was uploaded) has the sync-status message's trace id.
    expect(new Set(receiver.spans.map((span) => span.traceId))).toEqual(new Set([traceId]));
    expect(new Set(receiver.spans.map((span) => span.service))).toEqual(new Set(SERVICES));

    // One root, the upload; every other span's parent is a span of the trace: one connected tree.
    const byId = new Map(receiver.spans.map((span) => [span.spanId, span]));
    const roots = receiver.spans.filter((span) => span.parentSpanId === '');
    expect(roots.map((span) => span.name)).toEqual(['sftp-ingest upload']);
    const [root] = roots;
    expect(root.attributes).toMatchObject({ 'bpo.integration_id': setup.integrationId, 'bpo.filename': 'week.csv' });
    for (const span of receiver.spans) if (span !== root) expect(byId.has(span.parentSpanId)).toBe(true);

    // The hops, in order: each stage's spans are children of the previous stage's.
    const parser = named('parser', `process ${Topics.FileReceivedV1}`);
    expect(parser).toHaveLength(1);
    expect(parser[0].parentSpanId).toBe(root.spanId);
    expect(parser[0].attributes).toMatchObject({ 'messaging.system': 'kafka', 'bpo.file_id': root.attributes['bpo.file_id'], 'bpo.sync_run_id': status.value.syncRunId });
    for (const span of named('mapping', `process ${Topics.RowsParsedV2}`)) expect(span.parentSpanId).toBe(parser[0].spanId);
    const mapping = new Set(named('mapping', `process ${Topics.RowsParsedV2}`).map((span) => span.spanId));
    for (const span of named('agent-resolution', `process ${Topics.RowsMappedV2}`)) expect(mapping.has(span.parentSpanId)).toBe(true);
    const resolution = new Set(named('agent-resolution', `process ${Topics.RowsMappedV2}`).map((span) => span.spanId));
    const writer = named('schedule-writer', `process ${Topics.RowsResolvedV2}`);
    for (const span of writer) expect(resolution.has(span.parentSpanId)).toBe(true);
    const [apply] = named('schedule-writer', 'schedule-writer apply');
    expect(writer.map((span) => span.spanId)).toContain(apply.parentSpanId);
    expect(apply.attributes).toMatchObject({ 'bpo.sync_run_id': status.value.syncRunId });
    expect(statusParent).toBe(apply.spanId);

    // The trace id on the log lines: the upload's "file received", the writer's "file applied".
    const received = logLines(pipeline.service('sftp-ingest')).find((line) => line.message === 'file received' && line.integrationId === setup.integrationId);
    expect(received).toMatchObject({ traceId, spanId: root.spanId });
    const applied = logLines(pipeline.service('schedule-writer')).find((line) => line.message === 'file applied' && line.syncRunId === status.value.syncRunId);
    expect(applied).toMatchObject({ traceId, spanId: apply.spanId });
    // Lines outside any span (start-up) carry none.
    expect(logLines(pipeline.service('parser')).find((line) => typeof line.message === 'string' && line.message.endsWith('listening'))).not.toHaveProperty('traceId');
  }, 120_000);
});

import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { JsonLogger } from './json-logger';
import {
  activeTraceIds,
  annotateSpan,
  extractTraceContext,
  otlpTracesUrl,
  startTracing,
  stopTracing,
  tracingEnabled,
  withMessageSpan,
  withSpan,
  withTraceHeaders,
} from './tracing';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

function logLines(work: (logger: JsonLogger) => void): Record<string, unknown>[] {
  const lines: string[] = [];
  work(new JsonLogger('test', 'log', (line) => lines.push(line)));
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('tracing off (no endpoint): the no-op path', () => {
  it('starts nothing without an endpoint', async () => {
    expect(await startTracing({ service: 'parser' })).toBe(false);
    expect(await startTracing({ service: 'parser', endpoint: '' })).toBe(false);
    expect(tracingEnabled()).toBe(false);
    // The API stays the no-op one: spans record nothing and have no ids.
    const span = trace.getTracer('x').startSpan('nothing');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('00000000000000000000000000000000');
  });

  it('runs the work as it is, adds no headers, no ids to logs, calls no attribute builders', async () => {
    const headers = { 'bpo-message-id': 'm1' };
    const builder = jest.fn(() => ({}));
    const result = await withSpan('work', { root: true }, async () => {
      expect(withTraceHeaders(headers)).toBe(headers);
      expect(withTraceHeaders(undefined)).toBeUndefined();
      expect(activeTraceIds()).toBeUndefined();
      annotateSpan(builder);
      return withMessageSpan('process t', { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }, builder, async () => 42);
    });
    expect(result).toBe(42);
    expect(builder).not.toHaveBeenCalled();
    const [line] = logLines((logger) => logger.log({ message: 'hello', fileId: 'f' }));
    expect(line).not.toHaveProperty('traceId');
    expect(line).not.toHaveProperty('spanId');
  });

  it('lets a failure through', async () => {
    await expect(withSpan('work', {}, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});

describe('tracing on: W3C trace context in message headers', () => {
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    expect(await startTracing({ service: 'test-service', exporter })).toBe(true);
  });
  afterAll(() => stopTracing());
  beforeEach(() => exporter.reset());

  const spanNamed = (name: string) => {
    const found = exporter.getFinishedSpans().filter((span) => span.name === name);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('injects the active span as traceparent, keeping the other headers', async () => {
    let headers: Record<string, string> | undefined;
    await withSpan('upload', { root: true, attributes: { 'bpo.file_id': 'f1' } }, async () => {
      headers = withTraceHeaders({ 'bpo-message-id': 'file-received:1' });
    });
    const upload = spanNamed('upload');
    expect(headers).toEqual({ 'bpo-message-id': 'file-received:1', traceparent: `00-${upload.spanContext().traceId}-${upload.spanContext().spanId}-01` });
    expect(headers!.traceparent).toMatch(TRACEPARENT);
    expect(headers).not.toHaveProperty('tracestate'); // none was set
    expect(upload.attributes).toMatchObject({ 'bpo.file_id': 'f1' });
    expect(upload.resource.attributes).toMatchObject({ 'service.name': 'test-service' });
  });

  it('extracts it on the consuming side: the handler span is a child in the same trace, and so is what it sends', async () => {
    let sent: Record<string, string> | undefined;
    let incoming: Record<string, string> | undefined;
    await withSpan('upload', { root: true }, async () => {
      incoming = withTraceHeaders({});
    });
    // Later, in another stage: only the headers connect the two.
    await withMessageSpan('process rows', incoming!, () => ({ 'messaging.destination.name': 'rows' }), async () => {
      annotateSpan(() => ({ 'bpo.batch.sequence': 3 }));
      sent = withTraceHeaders({});
    });
    const upload = spanNamed('upload');
    const process = spanNamed('process rows');
    expect(process.spanContext().traceId).toBe(upload.spanContext().traceId);
    expect(process.parentSpanContext?.spanId).toBe(upload.spanContext().spanId);
    expect(process.parentSpanContext?.isRemote).toBe(true);
    expect(process.kind).toBe(SpanKind.CONSUMER);
    expect(process.attributes).toMatchObject({ 'messaging.destination.name': 'rows', 'bpo.batch.sequence': 3 });
    expect(sent!.traceparent).toBe(`00-${upload.spanContext().traceId}-${process.spanContext().spanId}-01`);
  });

  it('carries tracestate through a hop', async () => {
    const incoming = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'vendor=abc,other=1' };
    let sent: Record<string, string> | undefined;
    await withMessageSpan('process t', incoming, () => ({}), async () => {
      sent = withTraceHeaders({});
    });
    expect(sent).toEqual({ traceparent: expect.stringMatching(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/), tracestate: 'vendor=abc,other=1' });
    expect(spanNamed('process t').parentSpanContext?.spanId).toBe('b7ad6b7169203331');
  });

  it('starts a new trace for a message without (or with a broken) traceparent', async () => {
    await withSpan('outer', { root: true }, async () => {
      await withMessageSpan('process a', {}, () => ({}), async () => undefined);
      await withMessageSpan('process b', { traceparent: 'garbage' }, () => ({}), async () => undefined);
    });
    const outer = spanNamed('outer').spanContext().traceId;
    for (const name of ['process a', 'process b']) {
      const span = spanNamed(name);
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.spanContext().traceId).not.toBe(outer);
    }
    expect(extractTraceContext({})).toBeDefined();
  });

  it('follows async work: messages sent from a promise chain begun in the span carry it', async () => {
    let later: Promise<Record<string, string> | undefined> = Promise.resolve(undefined);
    await withSpan('parse', { root: true }, async () => {
      later = new Promise((resolve) => setTimeout(resolve, 5)).then(() => withTraceHeaders({}));
    });
    const parse = spanNamed('parse');
    expect((await later)!.traceparent).toBe(`00-${parse.spanContext().traceId}-${parse.spanContext().spanId}-01`);
    expect(withTraceHeaders({})).toEqual({}); // outside any span: nothing
  });

  it('marks a failed span as an error and rethrows', async () => {
    await expect(withSpan('apply', {}, async () => Promise.reject(new Error('deadlock detected')))).rejects.toThrow('deadlock detected');
    const apply = spanNamed('apply');
    expect(apply.status).toEqual({ code: SpanStatusCode.ERROR, message: 'deadlock detected' });
    expect(apply.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('puts traceId and spanId on the log lines written while a span is active', async () => {
    let lines: Record<string, unknown>[] = [];
    await withSpan('upload', { root: true }, async () => {
      lines = logLines((logger) => logger.log({ message: 'file received', fileId: 'f1' }, 'SftpSession'));
    });
    const upload = spanNamed('upload').spanContext();
    expect(lines[0]).toMatchObject({ message: 'file received', fileId: 'f1', context: 'SftpSession', traceId: upload.traceId, spanId: upload.spanId });
    expect(logLines((logger) => logger.log('outside'))[0]).not.toHaveProperty('traceId');
  });
});

describe('otlpTracesUrl', () => {
  it('appends the OTLP traces path to the base endpoint', () => {
    expect(otlpTracesUrl('http://collector:4318')).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrl('https://otel.example.com/otlp/')).toBe('https://otel.example.com/otlp/v1/traces');
  });
});

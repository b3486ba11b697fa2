import { hostname } from 'node:os';
import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type SpanOptions,
  type Tracer,
} from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

/**
 * Traces with OpenTelemetry: one trace per file, from the SFTP upload through every Kafka hop to
 * the writer. The W3C trace context (`traceparent`, `tracestate`) travels in Kafka headers.
 *
 * Off unless started with an OTLP endpoint: then nothing of the SDK is even loaded, every helper
 * here returns at its first line (the API's no-op), and no header is added. On: spans go through a
 * batching processor to `<endpoint>/v1/traces` (OTLP over HTTP, JSON); the SDK's own variables
 * (`OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, `OTEL_EXPORTER_OTLP_HEADERS`) apply.
 */

/** The Kafka headers the trace context travels in (W3C Trace Context). */
export const TRACE_HEADERS = ['traceparent', 'tracestate'] as const;

export interface TracingOptions {
  /** `service.name` of every span this process exports. */
  service: string;
  /** OTLP/HTTP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`); unset: tracing stays off. */
  endpoint?: string;
  /** Tests: export to this instead (span by span, no batching). */
  exporter?: SpanExporter;
}

interface Provider {
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let tracer: Tracer | undefined;
let provider: Provider | undefined;

/** True once startTracing set up the SDK in this process. */
export function tracingEnabled(): boolean {
  return tracer !== undefined;
}

/** Where an OTLP/HTTP base endpoint receives traces. */
export function otlpTracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * Sets up tracing for this process when an endpoint (or a test exporter) is given; otherwise does
 * nothing and returns false. Registers the SDK's tracer provider, an AsyncLocalStorage context
 * manager (the active span follows async calls) and the W3C propagator as the API's globals.
 */
export async function startTracing(options: TracingOptions): Promise<boolean> {
  if (tracer) return true;
  if (!options.endpoint && !options.exporter) return false;
  // Loaded only here: a process without tracing never loads the SDK.
  const [{ BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor }, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/core'),
      import('@opentelemetry/resources'),
    ]);
  let processor;
  if (options.exporter) processor = new SimpleSpanProcessor(options.exporter);
  else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: otlpTracesUrl(options.endpoint!) }));
  }
  const sdk = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.service,
      'service.namespace': 'bpo-schedule-sync',
      'service.instance.id': `${hostname()}:${process.pid}`,
    }),
    spanProcessors: [processor],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(sdk);
  provider = sdk;
  tracer = trace.getTracer('bpo-schedule-sync');
  return true;
}

/** Exports the spans still buffered (e.g. before a test reads them). */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

/** How long stopping waits for the last spans' export (an unreachable collector must not hold up a shutdown). */
const STOP_TIMEOUT_MS = 5_000;

/** Exports what is buffered (for up to 5 s) and turns tracing off again (a service's shutdown; tests). */
export async function stopTracing(): Promise<void> {
  const stopping = provider;
  tracer = undefined;
  provider = undefined;
  if (!stopping) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    stopping.shutdown().catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_TIMEOUT_MS))),
  ]);
  clearTimeout(timer);
  trace.disable();
  propagation.disable();
  context.disable();
}

export interface TracedSpanOptions extends SpanOptions {
  /** The parent (default: the active context). */
  parent?: Context;
}

/**
 * Runs `work` in a new span, active for everything it calls (logs, messages it sends). A failure
 * marks the span as an error and is rethrown. Tracing off: just `work()`.
 */
export function withSpan<T>(name: string, options: TracedSpanOptions, work: () => Promise<T>): Promise<T> {
  if (!tracer) return work();
  const { parent, ...spanOptions } = options;
  return tracer.startActiveSpan(name, spanOptions, parent ?? context.active(), async (span) => {
    try {
      return await work();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      span.recordException(failure);
      span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message.slice(0, 500) });
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * Runs a consumer's handling of a message in a span whose parent is the trace context of its
 * headers. `attributes` is only called with tracing on.
 */
export function withMessageSpan<T>(name: string, headers: Readonly<Record<string, string>>, attributes: () => Attributes, work: () => Promise<T>): Promise<T> {
  if (!tracer) return work();
  return withSpan(name, { kind: SpanKind.CONSUMER, attributes: attributes(), parent: extractTraceContext(headers) }, work);
}

/** The trace context of `headers` (traceparent, tracestate); none there: the root context (a new trace). */
export function extractTraceContext(headers: Readonly<Record<string, string>>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/**
 * `headers` plus the active span's trace context (`traceparent`, and `tracestate` when set),
 * replacing any it had: the active span is the message's nearest cause. Without an active span
 * (or with tracing off) `headers` come back as they are.
 */
export function withTraceHeaders(headers?: Record<string, string>): Record<string, string> | undefined {
  if (!tracer) return headers;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  if (!carrier.traceparent) return headers;
  return { ...headers, ...carrier };
}

/** The active span's trace and span id (for log lines); undefined when there is none. */
export function activeTraceIds(): { traceId: string; spanId: string } | undefined {
  if (!tracer) return undefined;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/** Adds attributes (ids of the file, sync run, batch) to the active span, if any; only called with tracing on. */
export function annotateSpan(attributes: () => Attributes): void {
  if (!tracer) return;
  trace.getActiveSpan()?.setAttributes(attributes());
}

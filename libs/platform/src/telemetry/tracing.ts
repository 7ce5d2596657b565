import { randomUUID } from 'node:crypto';
import {
  Attributes,
  context,
  Context,
  createContextKey,
  propagation,
  ROOT_CONTEXT,
  Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * Tracing with OpenTelemetry: every HTTP request and every consumed event runs in a span, the
 * outbox writes the active span's W3C `traceparent` into each event it enqueues, and the consumer
 * continues the trace from it, so one order is one trace across the services. Spans are always
 * made (their ids go into the logs); they are exported over OTLP only when the standard
 * variables ask for it: `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or
 * `OTEL_TRACES_EXPORTER=otlp`. `OTEL_TRACES_EXPORTER=none` or `OTEL_SDK_DISABLED=true` turn export
 * (and, for the latter, tracing) off. The exporter reads the other `OTEL_EXPORTER_OTLP_*` itself.
 */
let provider: NodeTracerProvider | undefined;

export interface TracingSetup {
  readonly enabled: boolean;
  readonly exporting: boolean;
}

export function otlpExportRequested(env: NodeJS.ProcessEnv): boolean {
  const exporter = env.OTEL_TRACES_EXPORTER?.trim().toLowerCase();
  if (exporter === 'none') {
    return false;
  }
  if (exporter === 'otlp') {
    return true;
  }
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/** Registers the process's tracer provider once; later calls (more services in one test process) reuse it. */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): TracingSetup {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    return { enabled: false, exporting: false };
  }
  const exporting = otlpExportRequested(env);
  if (provider) {
    return { enabled: true, exporting };
  }
  const spanProcessors: SpanProcessor[] = exporting ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [];
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME ?? `waybill-${service}` }),
    spanProcessors,
  });
  // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  return { enabled: true, exporting };
}

/** Sends what is buffered; called as the app shuts down. */
export async function flushTracing(): Promise<void> {
  await provider?.forceFlush();
}

const CORRELATION_ID = createContextKey('waybill.correlation-id');

export const tracer = () => trace.getTracer('waybill');

/** A carrier of W3C trace context: HTTP headers or CloudEvents extension attributes. */
export type TraceCarrier = Readonly<Record<string, string | string[] | undefined>>;

const carrierGetter = {
  keys: (carrier: TraceCarrier) => Object.keys(carrier),
  get: (carrier: TraceCarrier, key: string) => carrier[key] ?? carrier[key.toLowerCase()],
};

export interface SpanScope {
  readonly name: string;
  readonly kind: SpanKind;
  /** Where the trace continues from (incoming `traceparent`); a new trace when it carries none. */
  readonly parent?: TraceCarrier;
  readonly correlationId?: string;
  readonly attributes?: Attributes;
}

/**
 * Runs `work` in a new span (child of `parent`'s trace context when given) with the correlation id
 * in context, and ends the span when it settles, recording a failure.
 */
export async function inSpan<T>(scope: SpanScope, work: (span: Span) => Promise<T>): Promise<T> {
  const { span, context: spanContext } = openSpan(scope);
  try {
    return await context.with(spanContext, () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

/** Starts a span and the context that holds it, for callers that end it themselves (HTTP). */
export function openSpan(scope: SpanScope): { span: Span; context: Context } {
  const parentContext = scope.parent
    ? propagation.extract(ROOT_CONTEXT, scope.parent, carrierGetter)
    : context.active();
  const span = tracer().startSpan(
    scope.name,
    { kind: scope.kind, attributes: scope.attributes },
    parentContext,
  );
  let spanContext = trace.setSpan(parentContext, span);
  const correlationId = scope.correlationId ?? currentCorrelationId();
  if (correlationId) {
    spanContext = spanContext.setValue(CORRELATION_ID, correlationId);
  }
  return { span, context: spanContext };
}

/** The active span's W3C `traceparent`, for an event enqueued now; undefined outside a span. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

export function currentCorrelationId(): string | undefined {
  const value = context.active().getValue(CORRELATION_ID);
  return typeof value === 'string' ? value : undefined;
}

/** What every log line carries: the active trace and span, and the correlation id. */
export function logContext(): Record<string, string> {
  const fields: Record<string, string> = {};
  const spanContext = trace.getSpan(context.active())?.spanContext();
  if (spanContext && trace.isSpanContextValid(spanContext)) {
    fields.trace_id = spanContext.traceId;
    fields.span_id = spanContext.spanId;
  }
  const correlationId = currentCorrelationId();
  if (correlationId) {
    fields.correlation_id = correlationId;
  }
  return fields;
}

const SAFE_ID = /^[\w.:-]{1,128}$/;

/** A caller's id if it is a sane one (it goes into logs and headers), else a new one. */
export function acceptedIdOrNew(candidate: string | string[] | undefined): string {
  const value = Array.isArray(candidate) ? candidate[0] : candidate;
  return value && SAFE_ID.test(value) ? value : randomUUID();
}

export { SpanKind };

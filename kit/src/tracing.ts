/**
 * OpenTelemetry traces: one trace per reservation across the services. Spans are explicit and few (each RPC on
 * both ends, each outbox publish, each event handled), no auto-instrumentation. Set up only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise nothing is registered, the interceptors are pass-throughs and
 * the outbox and consumer call straight through, so an untraced service does no tracing work at all.
 */
import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from "@opentelemetry/api";
import type { TracerProvider } from "@opentelemetry/sdk-trace";
import { Code, ConnectError, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import type { MsgHdrs } from "@nats-io/nats-core";
import { readInt } from "./config.js";
import { untilStreamEnds } from "./stream-end.js";

// The RPC and messaging attributes are still "incubating" in @opentelemetry/semantic-conventions, whose docs advise
// copying such names rather than importing the unstable entry point. These are the names the issue and Jaeger's gRPC views use.
const RPC_SYSTEM = "rpc.system";
const RPC_SERVICE = "rpc.service";
const RPC_METHOD = "rpc.method";
const RPC_GRPC_STATUS_CODE = "rpc.grpc.status_code";
const MESSAGING_SYSTEM = "messaging.system";
const MESSAGING_DESTINATION_NAME = "messaging.destination.name";
const MESSAGING_OPERATION_TYPE = "messaging.operation.type";
const MESSAGING_MESSAGE_ID = "messaging.message.id";
const MESSAGING_CONSUMER_GROUP_NAME = "messaging.consumer.group.name";

type Env = Record<string, string | undefined>;

/**
 * Whether this environment asks for traces: OTEL_EXPORTER_OTLP_ENDPOINT set (the one switch; a signal-specific
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT then overrides where traces go), and the SDK not switched off (OTEL_SDK_DISABLED).
 */
export function tracingRequested(env: Env = process.env): boolean {
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT) && env.OTEL_SDK_DISABLED?.toLowerCase() !== "true";
}

let provider: TracerProvider | undefined;
const tracer = trace.getTracer("outerpark");

/** True once startTracing registered a provider in this process. */
export function tracingEnabled(): boolean {
  return provider !== undefined;
}

export interface Tracing {
  /** Exports what is still batched; the last step of a graceful shutdown. */
  shutdown(): Promise<void>;
}

/**
 * Registers the tracer provider, the W3C trace-context propagator and the async context manager for `service`,
 * exporting OTLP/HTTP protobuf to OTEL_EXPORTER_OTLP_ENDPOINT (the exporter reads the OTEL_EXPORTER_OTLP_* variables
 * itself). Batches per OTEL_BSP_SCHEDULE_DELAY / OTEL_BSP_MAX_QUEUE_SIZE / OTEL_BSP_MAX_EXPORT_BATCH_SIZE, which the
 * 3.x SDK leaves to the application. Undefined, and nothing registered, when tracing is not requested.
 *
 * The SDK and the exporter are loaded only then: an untraced service does not hold their 2–4 MiB of heap.
 */
export async function startTracing(service: string, env: Env = process.env): Promise<Tracing | undefined> {
  if (!tracingRequested(env)) return undefined;
  const [{ AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { OTLPTraceExporter }, { resourceFromAttributes }, sdk, conventions] =
    await Promise.all([
      import("@opentelemetry/context-async-hooks"),
      import("@opentelemetry/core"),
      import("@opentelemetry/exporter-trace-otlp-proto"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/semantic-conventions"),
    ]);
  const { BatchSpanProcessor, TracerProvider } = sdk;
  const { ATTR_SERVICE_NAME } = conventions;
  if (provider) return { shutdown: async () => {} }; // a second service in one process (tests) shares the first's
  const maxQueueSize = readInt(env, "OTEL_BSP_MAX_QUEUE_SIZE", 2048);
  provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter(),
        scheduledDelayMillis: readInt(env, "OTEL_BSP_SCHEDULE_DELAY", 5_000),
        maxQueueSize,
        maxExportBatchSize: Math.min(maxQueueSize, readInt(env, "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", 512)),
      }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  const registered = provider;
  return { shutdown: () => registered.shutdown() };
}

/** The trace and span id of the active span, for log lines; undefined outside any span. */
export function activeTraceIds(): { trace_id: string; span_id: string } | undefined {
  const span = trace.getSpan(context.active());
  if (!span) return undefined;
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * The active trace context, kept to run later work under it: a write batch flushed at commit publishes and logs in
 * the context of the event each entry came from, not in whatever is active then. A plain call when tracing is off.
 */
export function keepTraceContext(): <T>(work: () => T) => T {
  if (!provider) return runPlainly;
  const kept = context.active();
  return (work) => context.with(kept, work);
}

const runPlainly = <T>(work: () => T): T => work();

/** W3C headers as stored with an outbox row or a payment: traceparent, and tracestate when there is one. */
export interface StoredTraceContext {
  traceparent: string | null;
  tracestate: string | null;
}

const NO_TRACE: StoredTraceContext = { traceparent: null, tracestate: null };

/** The active span's context as W3C headers, to store with a row written now; nulls when none (or tracing is off). */
export function currentTraceContext(): StoredTraceContext {
  if (!provider) return NO_TRACE;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent ? { traceparent: carrier.traceparent, tracestate: carrier.tracestate ?? null } : NO_TRACE;
}

function storedContext(stored: StoredTraceContext): Context {
  if (!stored.traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, stored.tracestate ? stored : { traceparent: stored.traceparent });
}

/**
 * Runs `work` in an INTERNAL span continuing a stored trace context (a payment the processor picks up later):
 * the work's own spans and outbox rows then belong to the trace that stored it.
 */
export function continueTrace<T>(name: string, stored: StoredTraceContext, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  if (!provider) return work();
  const parent = storedContext(stored);
  return finishing(tracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent), parent, work);
}

async function finishing<T>(span: Span, parent: Context, work: () => Promise<T>): Promise<T> {
  try {
    return await context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

function failSpan(span: Span, error: unknown): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Marks the active span failed (a handler error that its caller catches and turns into a retry). */
export function markActiveSpanFailed(error: unknown): void {
  if (!provider) return;
  const span = trace.getSpan(context.active());
  if (span) failSpan(span, error);
}

const natsGetter: TextMapGetter<MsgHdrs> = {
  get: (carrier, key) => carrier.get(key) || undefined,
  keys: (carrier) => carrier.keys(),
};
const natsSetter: TextMapSetter<MsgHdrs> = { set: (carrier, key, value) => carrier.set(key, value) };

/**
 * A PRODUCER span for publishing one outbox row, child of the context stored with the row; its context goes out in
 * the message headers so consumers continue the trace. Undefined when tracing is off: then the stored headers are
 * passed on as they are (a row written by a traced replica keeps its trace through an untraced relay).
 */
export function startPublishSpan(subject: string, eventId: string, stored: StoredTraceContext, headers: MsgHdrs): Span | undefined {
  if (!provider) {
    if (stored.traceparent) headers.set("traceparent", stored.traceparent);
    if (stored.tracestate) headers.set("tracestate", stored.tracestate);
    return undefined;
  }
  const parent = storedContext(stored);
  const span = tracer.startSpan(
    `publish ${subject}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        [MESSAGING_SYSTEM]: "nats",
        [MESSAGING_DESTINATION_NAME]: subject,
        [MESSAGING_OPERATION_TYPE]: "send",
        [MESSAGING_MESSAGE_ID]: eventId,
      },
    },
    parent,
  );
  propagation.inject(trace.setSpan(parent, span), headers, natsSetter);
  return span;
}

/** Ends `span` when `outcome` settles, failed if it rejects. */
export async function endingWith<T>(span: Span, outcome: Promise<T>): Promise<T> {
  try {
    return await outcome;
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * Handles one event in a CONSUMER span, child of the context in its message headers, so the handler's RPCs and
 * outbox rows continue the publisher's trace. Straight through when tracing is off.
 */
export function inConsumerSpan<T>(subject: string, headers: MsgHdrs | undefined, consumer: string, work: () => Promise<T>): Promise<T> {
  if (!provider) return work();
  const parent = headers ? propagation.extract(ROOT_CONTEXT, headers, natsGetter) : ROOT_CONTEXT;
  const attributes: Attributes = {
    [MESSAGING_SYSTEM]: "nats",
    [MESSAGING_DESTINATION_NAME]: subject,
    [MESSAGING_OPERATION_TYPE]: "process",
    [MESSAGING_CONSUMER_GROUP_NAME]: consumer,
  };
  const messageId = headers?.get("Nats-Msg-Id");
  if (messageId) attributes[MESSAGING_MESSAGE_ID] = messageId;
  return finishing(tracer.startSpan(`process ${subject}`, { kind: SpanKind.CONSUMER, attributes }, parent), parent, work);
}

const headersGetter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier.get(key) ?? undefined,
  keys: (carrier) => [...carrier.keys()],
};
const headersSetter: TextMapSetter<Headers> = { set: (carrier, key, value) => carrier.set(key, value) };

/** Codes a gRPC server reports as its own failure (the RPC conventions); the others are the caller's doing. */
const SERVER_ERROR_CODES = new Set([Code.Unknown, Code.DeadlineExceeded, Code.Unimplemented, Code.Internal, Code.Unavailable, Code.DataLoss]);

/**
 * A span per call, named `package.Service/Method`, with the RPC semantic conventions: SERVER spans continue the
 * caller's W3C traceparent from the request headers (gRPC metadata); CLIENT spans inject theirs. First in the
 * chain, so the span covers the whole call and records the code the caller gets. A pass-through when tracing is off.
 */
export function rpcTracingInterceptor(side: "server" | "client"): Interceptor {
  if (!provider) return (next) => next;
  const kind = side === "server" ? SpanKind.SERVER : SpanKind.CLIENT;
  return (next) => async (req) => {
    const parent = side === "server" ? propagation.extract(ROOT_CONTEXT, req.header, headersGetter) : context.active();
    const { name, attributes } = rpcIdentity(req.service.typeName, req.method);
    const span = tracer.startSpan(name, { kind, attributes }, parent);
    const active = trace.setSpan(parent, span);
    if (side === "client") propagation.inject(active, req.header, headersSetter);
    const done = (error?: unknown) => {
      const reset = req.signal.aborted && req.signal.reason instanceof ConnectError ? req.signal.reason : undefined;
      const failure = reset ?? error;
      const code: number = failure === undefined ? 0 : failure instanceof ConnectError ? failure.code : Code.Unknown;
      span.setAttribute(RPC_GRPC_STATUS_CODE, code);
      if (code !== 0 && (side === "client" || SERVER_ERROR_CODES.has(code))) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: failure instanceof ConnectError ? failure.rawMessage : String(failure) });
      }
      span.end();
    };
    let res;
    try {
      res = await context.with(active, () => next(req));
    } catch (error) {
      done(error);
      throw error;
    }
    if (!res.stream) {
      done();
      return res;
    }
    return { ...res, message: untilStreamEnds(res as StreamResponse, done) } as typeof res;
  };
}

/** Per method, its span name and RPC attributes, made once: the SDK copies the attributes into each span. */
const rpcIdentities = new WeakMap<object, { name: string; attributes: Attributes }>();

function rpcIdentity(service: string, method: { name: string }): { name: string; attributes: Attributes } {
  let identity = rpcIdentities.get(method);
  if (!identity) {
    identity = { name: `${service}/${method.name}`, attributes: { [RPC_SYSTEM]: "grpc", [RPC_SERVICE]: service, [RPC_METHOD]: method.name } };
    rpcIdentities.set(method, identity);
  }
  return identity;
}

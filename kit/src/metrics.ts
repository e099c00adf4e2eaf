/**
 * Prometheus metrics: one registry per service process, served as `/metrics` on
 * its own port (METRICS_PORT), apart from the RPC port so the edge never routes it.
 * RPC metrics use the go-grpc-prometheus names and labels, so the dashboards and
 * alerts written for gRPC services elsewhere work here unchanged.
 */
import http from "node:http";
import net from "node:net";
import { Code, ConnectError, type Interceptor, type StreamResponse } from "@connectrpc/connect";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { untilStreamEnds } from "./stream-end.js";

export const registry = new Registry();

const RPC_LABELS = ["grpc_type", "grpc_service", "grpc_method", "grpc_code"] as const;
const RPC_START_LABELS = ["grpc_type", "grpc_service", "grpc_method"] as const;
// Calls here take 1 ms – 1 s; go-grpc-prometheus' default buckets, with a few more below 5 ms.
const RPC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

function rpcMetrics(side: "server" | "client") {
  return {
    started: new Counter({
      name: `grpc_${side}_started_total`,
      help: `Total number of RPCs started on the ${side}.`,
      labelNames: RPC_START_LABELS,
      registers: [registry],
    }),
    handled: new Counter({
      name: `grpc_${side}_handled_total`,
      help: `Total number of RPCs completed on the ${side}, regardless of success or failure.`,
      labelNames: RPC_LABELS,
      registers: [registry],
    }),
    seconds: new Histogram({
      name: `grpc_${side}_handling_seconds`,
      help: `Histogram of response latency (seconds) of gRPC that had been completed by the ${side}.`,
      labelNames: RPC_START_LABELS,
      buckets: RPC_BUCKETS,
      registers: [registry],
    }),
  };
}

const server = rpcMetrics("server");
const client = rpcMetrics("client");

const streamsOpen = new Gauge({
  name: "outerpark_server_streams_open",
  help: "Server-streaming calls being served now (MyPage watches).",
  labelNames: ["grpc_service", "grpc_method"],
  registers: [registry],
});

/** go-grpc-prometheus' grpc_type values. */
const GRPC_TYPES: Record<string, string> = {
  unary: "unary",
  server_streaming: "server_stream",
  client_streaming: "client_stream",
  bidi_streaming: "bidi_stream",
};

/** The gRPC code name as Go spells it (go-grpc-prometheus' grpc_code); Connect's Code names are the same. */
function codeOf(error: unknown): string {
  if (error === undefined) return "OK";
  return Code[error instanceof ConnectError ? error.code : Code.Unknown];
}

/**
 * Counts and times every call, first in the chain so it sees the code the caller
 * gets. A streamed response is finished when its last message is sent.
 */
export function rpcMetricsInterceptor(side: "server" | "client"): Interceptor {
  const children = side === "server" ? serverChildren : clientChildren;
  return (next) => async (req) => {
    const method = methodChildren(children, side, req.service.typeName, req.method);
    method.started.inc();
    const started = performance.now();
    const done = (error?: unknown) => {
      // A call the client reset (a cancel, a deadline) ends with the code of the reset, whatever the handler then threw.
      const reset = req.signal.aborted && req.signal.reason instanceof ConnectError ? req.signal.reason : undefined;
      method.handled(codeOf(reset ?? error)).inc();
      method.seconds.observe((performance.now() - started) / 1000);
    };
    let res;
    try {
      res = await next(req);
    } catch (error) {
      done(error);
      throw error;
    }
    if (!res.stream) {
      done();
      return res;
    }
    return { ...res, message: counted(res as StreamResponse, done, side === "server" ? method.base : undefined) } as typeof res;
  };
}

interface MethodChildren {
  base: { grpc_type: string; grpc_service: string; grpc_method: string };
  started: Counter.Internal;
  seconds: Histogram.Internal<(typeof RPC_START_LABELS)[number]>;
  handled(code: string): Counter.Internal;
}

const serverChildren = new WeakMap<object, MethodChildren>();
const clientChildren = new WeakMap<object, MethodChildren>();

/** Per method, its labelled series, looked up once: prom-client hashes a label set on every call otherwise. */
function methodChildren(
  cache: WeakMap<object, MethodChildren>,
  side: "server" | "client",
  service: string,
  method: { name: string; methodKind: string },
): MethodChildren {
  let found = cache.get(method);
  if (!found) {
    const m = side === "server" ? server : client;
    const base = { grpc_type: GRPC_TYPES[method.methodKind] ?? method.methodKind, grpc_service: service, grpc_method: method.name };
    const byCode = new Map<string, Counter.Internal>();
    found = {
      base,
      started: m.started.labels(base),
      seconds: m.seconds.labels(base),
      handled: (code) => {
        let child = byCode.get(code);
        if (!child) byCode.set(code, (child = m.handled.labels({ ...base, grpc_code: code })));
        return child;
      },
    };
    cache.set(method, found);
  }
  return found;
}

/** A server stream counts as open until it ends. */
function counted(res: StreamResponse, done: (error?: unknown) => void, open: { grpc_service: string; grpc_method: string } | undefined) {
  const labels = open && { grpc_service: open.grpc_service, grpc_method: open.grpc_method };
  if (labels) streamsOpen.inc(labels);
  return untilStreamEnds(res, (error) => {
    if (labels) streamsOpen.dec(labels);
    done(error);
  });
}

let defaultsCollected = false;

export interface MetricsListener {
  port: number;
  close(): Promise<void>;
}

/** Serves GET /metrics on its own port; labels every series with the service's name. */
export async function serveMetrics(service: string, host: string, port: number): Promise<MetricsListener> {
  registry.setDefaultLabels({ service });
  if (!defaultsCollected) {
    // Event loop lag, heap spaces, GC pauses, open handles, CPU: prom-client's Node runtime metrics.
    collectDefaultMetrics({ register: registry });
    // prom-client also exposes these sums of the typed nodejs_active_{handles,requests,resources} as gauges named
    // *_total, which the Prometheus conventions (and promtool) reserve for counters; the typed ones carry it all.
    for (const name of ["nodejs_active_handles_total", "nodejs_active_requests_total", "nodejs_active_resources_total"])
      registry.removeSingleMetric(name);
    defaultsCollected = true;
  }
  const httpServer = http.createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": registry.contentType }).end(body),
      (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(String(error)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", reject);
    httpServer.listen(port, host, () => resolve());
  });
  return {
    port: (httpServer.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        httpServer.close(() => resolve());
        httpServer.closeAllConnections();
      }),
  };
}

/** A gauge whose value is read when Prometheus scrapes (a cheap query), not kept up to date. */
export function scrapedGauge(name: string, help: string, read: () => Promise<number>, labelNames: string[] = []): Gauge {
  return new Gauge({
    name,
    help,
    labelNames,
    registers: [registry],
    async collect() {
      try {
        this.set(await read());
      } catch {
        // A scrape during an outage shows the last value; the health metrics tell the outage.
      }
    },
  });
}

/** Outbox rows not yet published, and how long the oldest has waited: read on scrape, one indexed query. */
export function watchOutbox(query: () => Promise<{ waiting: number; oldestSeconds: number }>): void {
  let last: Promise<{ waiting: number; oldestSeconds: number }> | undefined;
  let at = 0;
  // Both gauges are read in one scrape: one query serves them.
  const read = () => {
    if (!last || Date.now() - at > 1_000) {
      at = Date.now();
      last = query();
    }
    return last;
  };
  registry.removeSingleMetric("outerpark_outbox_waiting");
  registry.removeSingleMetric("outerpark_outbox_oldest_age_seconds");
  scrapedGauge("outerpark_outbox_waiting", "Outbox rows committed and not yet published to NATS.", async () => (await read()).waiting);
  scrapedGauge(
    "outerpark_outbox_oldest_age_seconds",
    "Age of the oldest unpublished outbox row (0 when none).",
    async () => (await read()).oldestSeconds,
  );
}

/** Per durable consumer: events handled (or skipped as duplicates), redeliveries seen, events dead-lettered. */
export const consumerMetrics = {
  consumed: new Counter({
    name: "outerpark_events_consumed_total",
    help: "Events a consumer finished: handled, or skipped as already handled (duplicate).",
    labelNames: ["consumer", "outcome"],
    registers: [registry],
  }),
  redelivered: new Counter({
    name: "outerpark_events_redelivered_total",
    help: "Deliveries of an event the consumer had received before (a retry or a crash).",
    labelNames: ["consumer"],
    registers: [registry],
  }),
  deadLettered: new Counter({
    name: "outerpark_events_dead_lettered_total",
    help: "Events parked on the dead-letter stream.",
    labelNames: ["consumer"],
    registers: [registry],
  }),
};

const consumerBacklogs = new Map<string, () => Promise<{ pending: number; ackPending: number }>>();
const consumerBacklog = (name: string, help: string, field: "pending" | "ackPending") =>
  new Gauge({
    name,
    help,
    labelNames: ["consumer"],
    registers: [registry],
    async collect() {
      await Promise.all(
        [...consumerBacklogs].map(async ([consumer, read]) => {
          try {
            this.set({ consumer }, (await read())[field]);
          } catch {
            // NATS unreachable: the last value stays.
          }
        }),
      );
    },
  });
consumerBacklog(
  "outerpark_consumer_pending_messages",
  "Events in the stream this durable consumer has not been delivered yet (JetStream num_pending).",
  "pending",
);
consumerBacklog("outerpark_consumer_ack_pending_messages", "Events delivered and not acknowledged yet (JetStream num_ack_pending).", "ackPending");

/** A durable consumer's backlog, asked of JetStream on scrape. */
export function watchConsumerBacklog(consumer: string, read: () => Promise<{ pending: number; ackPending: number }>): void {
  consumerBacklogs.set(consumer, read);
}

export { Counter, Gauge };

import http from "node:http";
import http2 from "node:http2";
import net from "node:net";
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter, type Interceptor } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { EntitySchema } from "@mikro-orm/core";
import type { Migration } from "@mikro-orm/migrations";
import type { Logger } from "pino";
import { authGate, createTokenVerifier } from "./auth.js";
import { readCorsOrigins, withCors } from "./cors.js";
import { connectEventBus, ensureStreams, pingEventBus, type EventBus } from "./bus.js";
import { readInt, readServiceConfig, type ServiceConfig, type ServiceName } from "./config.js";
import { serviceConsumers, type Subscription } from "./consumer.js";
import { migrate, openDatabase, pingDatabase, type Database } from "./database.js";
import { isConnectionError } from "./errors.js";
import type { EventDomain } from "./events.js";
import { HealthMonitor, registerHealth } from "./health.js";
import { createLogger } from "./logger.js";
import { rpcMetricsInterceptor, serveMetrics, watchOutbox, type MetricsListener } from "./metrics.js";
import { OutboxRelay, Transactor } from "./outbox.js";
import { PageTokens } from "./paging.js";
import { registerReflection } from "./reflection.js";
import { closeUnreadUploads, decodedRequests, gateRequests, REQUEST_LIMITS } from "./request-limits.js";
import { rpcTracingInterceptor, startTracing } from "./tracing.js";
import { validationInterceptor, type MessageRules } from "./validation.js";
import { Health } from "#gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "#gen/grpc/reflection/v1/reflection_pb.js";
import { ServerReflection as ServerReflectionV1Alpha } from "#gen/grpc/reflection/v1alpha/reflection_pb.js";

/** Something that runs beside the RPC server: a consumer, a relay, a sweeper. */
export interface Worker {
  start(): Promise<void> | void;
  stop(): Promise<void>;
  /** For workers that wait out an outage of the database or NATS instead of failing their work (the consumers). */
  watchDependencies?(health: HealthMonitor): void;
}

export interface ServiceContext {
  config: ServiceConfig;
  logger: Logger;
  db: Database;
  bus: EventBus;
  transactor: Transactor;
  /**
   * The worker that feeds one domain's events to these subscriptions: one durable "<service>-<domain>" that is sent
   * the whole stream and acknowledges the types it skips. For a service that handles most of a domain's types.
   */
  consume(domain: EventDomain, ...subscriptions: Subscription[]): Worker;
  /**
   * Like `consume`, but one durable "<service>-<domain>-<Type>" per subscription, sent only that type: for a service
   * that handles few of a domain's types, above all not the ones every reservation has (see `consumeEachType`).
   */
  consumeEachType(domain: EventDomain, ...subscriptions: Subscription[]): Worker;
  /** Signs this service's page tokens with PAGE_TOKEN_SECRET, bound to the service's name. */
  pageTokens: PageTokens;
  /** What every Connect client of this service puts first in its chain: client spans and client RPC metrics. */
  clientInterceptors: Interceptor[];
}

export interface ServiceWiring {
  routes(router: ConnectRouter): void;
  workers: Worker[];
}

/** What a service declares; the kit does the rest the same way for all. */
export interface ServiceModule {
  name: ServiceName;
  /** Application services, for routing checks, health and reflection. */
  services: DescService[];
  entities: EntitySchema<any, any>[];
  migrations: { name: string; class: new (...args: any[]) => Migration }[];
  rules: MessageRules[];
  /** Methods anyone may call without a token (a token, when sent, is still verified). */
  publicMethods?: DescMethod[];
  wire(ctx: ServiceContext): ServiceWiring | Promise<ServiceWiring>;
}

export interface RunningService {
  port: number;
  /** 0 when METRICS=off. */
  metricsPort: number;
  context: ServiceContext;
  health: HealthMonitor;
  /** Graceful: refuse new calls, finish in-flight ones, stop workers, flush the outbox. */
  stop(): Promise<void>;
}

const PUBLIC_SERVICES = [Health.typeName, ServerReflection.typeName, ServerReflectionV1Alpha.typeName];

export async function startService(module: ServiceModule, config: ServiceConfig = readServiceConfig(module.name)): Promise<RunningService> {
  // Before anything that makes spans or logs: the interceptors and the logger are set up for tracing on or off.
  const tracing = await startTracing(module.name);
  const logger = createLogger(module.name, config.logLevel);
  const { db } = await openMigrated(module, config, logger);
  const bus = await retrying(logger, "nats", () =>
    connectEventBus({ url: config.natsUrl, name: module.name, namespace: config.eventNamespace, logger }),
  );
  // One copy on a single server; 3 on a JetStream cluster, so losing a NATS node loses no event.
  await ensureStreams(bus, readInt(process.env, "NATS_STREAM_REPLICAS", 1));

  const relay = new OutboxRelay({ db, bus, logger });
  const transactor = new Transactor(db, config.eventNamespace, () => relay.wake());
  const { consume, consumeEachType } = serviceConsumers({ bus, transactor, logger, name: module.name });
  const pageTokens = new PageTokens(config.pageTokenSecret, module.name);
  const clientInterceptors = [rpcTracingInterceptor("client"), ...(config.metrics ? [rpcMetricsInterceptor("client")] : [])];
  const context: ServiceContext = { config, logger, db, bus, transactor, consume, consumeEachType, pageTokens, clientInterceptors };
  const wiring = await module.wire(context);
  const workers: Worker[] = [relay, ...wiring.workers];

  const health = new HealthMonitor({ probes: { database: () => pingDatabase(db), nats: () => pingEventBus(bus) } });
  for (const worker of workers) worker.watchDependencies?.(health);
  const shutdown = new AbortController();
  const handler = connectNodeAdapter({
    routes: (router) => {
      wiring.routes(router);
      registerHealth(
        router,
        health,
        module.services.map((s) => s.typeName),
      );
      registerReflection(router, module.services);
    },
    ...REQUEST_LIMITS,
    requestGate: gateRequests(authGate(createTokenVerifier(config.jwks, { oidc: config.oidc }), PUBLIC_SERVICES, module.publicMethods)),
    // Tracing and metrics first: they record the code the caller gets, after errorInterceptor's mapping.
    interceptors: [
      rpcTracingInterceptor("server"),
      ...(config.metrics ? [rpcMetricsInterceptor("server")] : []),
      decodedRequests(),
      errorInterceptor(logger),
      validationInterceptor(module.rules),
    ],
    shutdownSignal: shutdown.signal,
  });
  let metrics: MetricsListener | undefined;
  if (config.metrics) {
    watchOutbox(() => outboxBacklog(db));
    metrics = await serveMetrics(module.name, config.host, config.metricsPort);
  }
  const listener = await listen(withCors(handler, readCorsOrigins()), config.host, config.port);
  for (const worker of workers) await worker.start();
  health.start();
  logger.info({ port: listener.port, metricsPort: metrics?.port, tracing: tracing !== undefined }, "service started");

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info("shutting down");
      health.markShuttingDown();
      const deadline = Date.now() + config.shutdownTimeoutMs;
      const remaining = () => Math.max(0, deadline - Date.now());
      // Half the budget for in-flight calls, the rest for workers and connections.
      await listener.close(shutdown, config.shutdownTimeoutMs / 2);
      // Consumers first, the relay last, so events they committed still go out.
      for (const worker of [...workers].reverse()) {
        await bounded(worker.stop(), remaining(), () => logger.warn({ worker: worker.constructor.name }, "worker did not stop in time"));
      }
      health.stop();
      await bounded(bus.nc.drain(), Math.min(2_000, remaining()), () => void bus.nc.close());
      await db.close(true);
      await metrics?.close();
      // Last, so the spans of the shutdown's final outbox flush go out too.
      await bounded(tracing?.shutdown() ?? Promise.resolve(), Math.min(2_000, remaining()), () => logger.warn("spans not exported in time"));
      logger.info("shut down");
    })());
  return { port: listener.port, metricsPort: metrics?.port ?? 0, context, health, stop };
}

/** Runs a service as the process: starts it and shuts it down on SIGTERM/SIGINT. */
export async function runServiceProcess(module: ServiceModule): Promise<void> {
  const config = readServiceConfig(module.name);
  const service = await startService(module, config);
  const onSignal = (signal: string) => {
    service.context.logger.info({ signal }, "signal received");
    const deadline = setTimeout(() => {
      service.context.logger.error("graceful shutdown timed out");
      process.exit(1);
    }, config.shutdownTimeoutMs + 5_000);
    deadline.unref();
    service.stop().then(
      () => process.exit(0),
      (error) => {
        service.context.logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
}

/** Unexpected errors become INTERNAL (logged); a lost database becomes UNAVAILABLE. */
function errorInterceptor(logger: Logger): Interceptor {
  // Decided once: the per-call debug lines would otherwise build their fields on every call only to drop them.
  const debug = logger.isLevelEnabled("debug");
  return (next) => async (req) => {
    const started = debug ? performance.now() : 0;
    try {
      const response = await next(req);
      if (debug) logger.debug({ method: req.method.name, ms: Math.round(performance.now() - started) }, "rpc");
      return response;
    } catch (error) {
      if (error instanceof ConnectError) {
        if (debug) logger.debug({ method: req.method.name, code: Code[error.code], message: error.rawMessage }, "rpc refused");
        throw error;
      }
      if (isConnectionError(error)) {
        logger.warn({ err: error, method: req.method.name }, "dependency unavailable");
        throw new ConnectError("service temporarily unavailable, retry shortly", Code.Unavailable);
      }
      logger.error({ err: error, method: req.method.name }, "rpc failed");
      throw new ConnectError("internal error", Code.Internal);
    }
  };
}

interface Listener {
  port: number;
  close(shutdown: AbortController, timeoutMs: number): Promise<void>;
}

/**
 * One port for every protocol: HTTP/2 without TLS (gRPC, gRPC-Web, Connect)
 * and HTTP/1.1 (gRPC-Web and Connect from browsers and curl). The first bytes
 * of a connection tell them apart: HTTP/2 starts with its "PRI *" preface.
 */
async function listen(handler: ReturnType<typeof connectNodeAdapter>, host: string, port: number): Promise<Listener> {
  const h2 = http2.createServer({}, closeUnreadUploads(handler));
  const h1 = http.createServer(handler);
  const sessions = new Set<http2.ServerHttp2Session>();
  h2.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    // A peer that resets before HTTP takes the socket (a caller killed mid-connect) must not crash the process.
    socket.on("error", () => socket.destroy());
    // Nagle would hold small responses back (~40 ms a call) waiting for the peer's ACK.
    socket.setNoDelay(true);
    peekProtocol(socket, (isHttp2) => (isHttp2 ? h2 : h1).emit("connection", socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    async close(shutdown, timeoutMs) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Ask clients to go away (GOAWAY / Connection: close) and let in-flight calls finish.
      for (const session of sessions) session.close();
      h1.closeIdleConnections();
      const idle = (async () => {
        while (sockets.size > 0) await new Promise((r) => setTimeout(r, 50));
      })();
      // Long-lived streams (MyPage watch) end when the shutdown signal fires; give unary calls a moment first.
      setTimeout(() => shutdown.abort(), Math.min(1_000, timeoutMs / 4)).unref();
      const timedOut = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
      await Promise.race([Promise.all([closed, idle]), timedOut]);
      for (const socket of sockets) socket.destroy();
      h1.closeAllConnections();
    },
  };
}

/** How an HTTP/2 connection starts ("PRI * HTTP/2.0..."); no HTTP/1.1 method starts so. */
const HTTP2_START = Buffer.from("PRI", "latin1");

/**
 * Reads the first bytes of a connection, puts them back, and says whether they
 * start HTTP/2's preface. Both servers then read the socket itself: since Node
 * 17.4 an HTTP/2 session picks up bytes unshifted onto a real socket and keeps
 * Node's native stream path, which any JS stream in between would forgo.
 */
function peekProtocol(socket: net.Socket, decided: (isHttp2: boolean) => void): void {
  let seen: Buffer = Buffer.alloc(0);
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) seen = seen.length === 0 ? chunk : Buffer.concat([seen, chunk]);
    const compared = Math.min(seen.length, HTTP2_START.length);
    const isHttp2 = seen.subarray(0, compared).equals(HTTP2_START.subarray(0, compared));
    if (isHttp2 && compared < HTTP2_START.length) return; // too few bytes to tell yet
    socket.off("readable", onReadable);
    socket.off("end", onEnd);
    socket.unshift(seen);
    decided(isHttp2);
  };
  // Closed before saying which protocol: nothing to answer.
  const onEnd = () => socket.destroy();
  socket.on("readable", onReadable);
  socket.once("end", onEnd);
}

/** Waits for a step of the shutdown, but never longer than its share of the budget. */
async function bounded(step: Promise<unknown>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  const outcome = await Promise.race([step.catch(() => undefined), timedOut]);
  clearTimeout(timer);
  if (outcome === "timeout") onTimeout();
}

async function retrying<T>(logger: Logger, what: string, connect: () => Promise<T>, attempts = 60): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (error) {
      if (attempt >= attempts) throw error;
      logger.warn({ err: error, attempt }, `${what} not reachable yet; retrying`);
      await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 250 * attempt)));
    }
  }
}

async function outboxBacklog(db: Database): Promise<{ waiting: number; oldestSeconds: number }> {
  const [row] = await db.em.fork().execute<{ waiting: number; oldest: number }[]>(
    `select count(*)::int as waiting, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest
       from outbox where published_at is null`,
  );
  return { waiting: row?.waiting ?? 0, oldestSeconds: row?.oldest ?? 0 };
}

/** Applies a service's migrations and returns: the Helm hook and `outerpark migrate`. */
export async function migrateOnly(module: ServiceModule, config: ServiceConfig): Promise<string[]> {
  const { db, applied } = await openMigrated(module, config, createLogger(module.name, config.logLevel));
  await db.close(true);
  return applied;
}

/** Opens the service's database (waiting for it to be reachable) and applies its pending migrations. */
async function openMigrated(module: ServiceModule, config: ServiceConfig, logger: Logger): Promise<{ db: Database; applied: string[] }> {
  const db = await retrying(logger, "database", () =>
    openDatabase({ url: config.databaseUrl, entities: module.entities, migrations: module.migrations }),
  );
  try {
    const applied = await migrate(db);
    logger.info({ applied }, applied.length > 0 ? "migrations applied" : "migrations up to date");
    return { db, applied };
  } catch (error) {
    await db.close(true);
    throw error;
  }
}

import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { inject } from "vitest";
import { connect } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import { fromBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { ISSUER_KEY_OWNER, mintToken, signingKeyOf, type Role, type SigningKey } from "#kit/auth.js";
import { SERVICE_NAMES, SERVICE_NODE_FLAGS, type ServiceName } from "#kit/config.js";
import { domainOf, streamName, subjectOf } from "#kit/events.js";

/** A stream of the system: one per event domain, and the dead letters. */
type StreamDomain = Parameters<typeof streamName>[1];
import { dropDatabaseIfExists, withPgClient } from "../../tools/infra.js";
import { generateKeySet, type KeySet } from "../../tools/keys.js";
import { unaryClient } from "./grpc-clients.js";
import { freePort } from "./ports.js";

const root = path.resolve(import.meta.dirname, "../..");
const nodeBinary = path.join(root, "node_modules/.bin/node");
const cli = path.join(root, "dist/tools/outerpark.js");

export interface SystemOptions {
  services?: readonly ServiceName[];
  replicas?: number;
  /** Extra environment for every service process. */
  env?: Record<string, string>;
  /** Start the simulated payment gateway (payment's dependency). */
  gateway?: boolean;
  /** A NATS of the test's own (e.g. one it restarts), instead of the shared one. */
  natsUrl?: string;
  /** A PostgreSQL server of the test's own, likewise. */
  postgresUrl?: string;
  /** A PostgreSQL server for some services only (e.g. one the test stops), overriding postgresUrl for them. */
  postgresUrls?: Partial<Record<ServiceName, string>>;
}

interface Replica {
  service: ServiceName;
  index: number;
  port: number;
  /** Its GET /metrics port; explicit, so parallel systems never meet on the defaults. */
  metricsPort: number;
  process?: ChildProcess;
  exited?: Promise<number | null>;
}

/**
 * The whole system as separate processes over real PostgreSQL and NATS, with
 * its own databases and streams (a random namespace), so runs never collide.
 */
export class TestSystem {
  readonly namespace = `t${randomBytes(4).toString("hex")}`;
  readonly infra = inject("infra");
  readonly replicas: Replica[] = [];
  /**
   * This system's own signing keys: the issuer's and one pair per service (so
   * tests can also sign as a service that is not allowed to call). Only
   * reservation is given its private key, as in a deployment.
   */
  readonly keys: KeySet = generateKeySet([ISSUER_KEY_OWNER, ...SERVICE_NAMES], `test-${this.namespace}`);
  gatewayPort = 0;
  #gateway: ChildProcess | undefined;
  readonly #logDir: string;
  readonly #options: Required<SystemOptions>;

  private constructor(options: SystemOptions) {
    this.#options = { services: SERVICE_NAMES, replicas: 1, env: {}, gateway: true, natsUrl: "", postgresUrl: "", postgresUrls: {}, ...options };
    this.#logDir = path.join(root, ".data/test-logs", this.namespace);
    mkdirSync(this.#logDir, { recursive: true });
  }

  static async start(options: SystemOptions = {}): Promise<TestSystem> {
    const system = new TestSystem(options);
    try {
      await system.#start();
    } catch (error) {
      // What did start must not outlive the failed start: nobody holds this system to stop it.
      await system.stop().catch(() => undefined);
      throw error;
    }
    return system;
  }

  async #start(): Promise<void> {
    if (this.#options.gateway) await this.startGateway();
    for (const service of this.#options.services) {
      for (let index = 0; index < this.#options.replicas; index++) {
        this.replicas.push({ service, index, port: await freePort(), metricsPort: await freePort() });
      }
    }
    // Musical first: reservation calls it synchronously.
    await Promise.all(this.replicas.map((r) => this.startReplica(r.service, r.index)));
  }

  get natsUrl(): string {
    return this.#options.natsUrl || this.infra.natsUrl;
  }

  get postgresUrl(): string {
    return this.#options.postgresUrl || this.infra.postgresUrl;
  }

  /** The PostgreSQL server that holds this service's database. */
  postgresUrlOf(service: ServiceName): string {
    return this.#options.postgresUrls[service] || this.postgresUrl;
  }

  databaseUrl(service: ServiceName): string {
    const url = new URL(this.postgresUrlOf(service));
    url.pathname = `/${this.namespace}_${service}`;
    return url.toString();
  }

  address(service: ServiceName, index = 0): string {
    const replica = this.replicas.find((r) => r.service === service && r.index === index);
    if (!replica) throw new Error(`${service}#${index} is not part of this system`);
    return `127.0.0.1:${replica.port}`;
  }

  /** The replica's metrics in the Prometheus text format. */
  async metrics(service: ServiceName, index = 0): Promise<string> {
    const replica = this.replicas.find((r) => r.service === service && r.index === index);
    if (!replica) throw new Error(`${service}#${index} is not part of this system`);
    const response = await fetch(`http://127.0.0.1:${replica.metricsPort}/metrics`);
    if (!response.ok) throw new Error(`${service}#${index} /metrics: ${response.status}`);
    return response.text();
  }

  client<S extends ServiceName>(service: S, index = 0) {
    return unaryClient(service, this.address(service, index));
  }

  get gatewayUrl(): string {
    return `http://127.0.0.1:${this.gatewayPort}`;
  }

  async startGateway(): Promise<void> {
    this.gatewayPort ||= await freePort();
    this.#gateway = this.#spawn("gateway", ["gateway"], { GATEWAY_PORT: String(this.gatewayPort), HOST: "127.0.0.1" });
    await waitFor(async () => (await fetch(`${this.gatewayUrl}/behaviour`)).ok, 15_000, "payment gateway");
  }

  async stopGateway(): Promise<void> {
    if (!this.#gateway) return;
    const exited = new Promise((resolve) => this.#gateway!.once("exit", resolve));
    this.#gateway.kill("SIGKILL");
    await exited;
    this.#gateway = undefined;
  }

  async setGateway(behaviour: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.gatewayUrl}/behaviour`, { method: "PUT", body: JSON.stringify(behaviour) });
    if (!response.ok) throw new Error(`gateway behaviour not set: ${response.status}`);
  }

  async gatewayStats(): Promise<{ approvedCharges: number; refunds: number; chargeRequests: number; approvedReservations: string[] }> {
    return (await fetch(`${this.gatewayUrl}/stats`)).json() as never;
  }

  /** `env` adds to (and overrides) the system's environment for this start only, e.g. a changed setting on restart. */
  async startReplica(service: ServiceName, index = 0, env: Record<string, string> = {}, attempt = 1): Promise<void> {
    const replica = this.replicas.find((r) => r.service === service && r.index === index);
    if (!replica) throw new Error(`${service}#${index} is not part of this system`);
    // Each reservation replica calls "its" musical replica, as a Kubernetes Service would spread them.
    const musicals = this.replicas.filter((r) => r.service === "musical");
    const musical = musicals[index % Math.max(1, musicals.length)];
    const child = this.#spawn(`${service}-${index}`, ["serve", service], {
      PORT: String(replica.port),
      METRICS_PORT: String(replica.metricsPort),
      HOST: "127.0.0.1",
      DATABASE_URL: this.databaseUrl(service),
      NATS_URL: this.natsUrl,
      EVENT_NAMESPACE: this.namespace,
      JWT_JWKS: JSON.stringify(this.keys.jwks),
      ...(service === "reservation" ? { SERVICE_SIGNING_KEY: JSON.stringify(this.keys.privateKeys.reservation) } : {}),
      MUSICAL_URL: `http://127.0.0.1:${musical?.port ?? 1}`,
      PAYMENT_GATEWAY_URL: this.gatewayUrl,
      LOG_LEVEL: process.env.OUTERPARK_TEST_LOG_LEVEL ?? "info",
      ...this.#options.env,
      ...env,
    });
    replica.process = child;
    replica.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    const closed = new Promise((resolve) => child.once("close", resolve));
    let startupOutput = "";
    const capture = (chunk: Buffer) => (startupOutput = (startupOutput + chunk.toString()).slice(-8_000));
    child.stdout!.on("data", capture);
    child.stderr!.on("data", capture);
    // A replica that dies while starting fails at once, not when the wait for SERVING times out.
    const outcome = await Promise.race([this.waitUntilServing(service, index).then(() => "serving" as const), replica.exited]);
    child.stdout!.off("data", capture);
    child.stderr!.off("data", capture);
    if (outcome === "serving") return;
    replica.process = undefined;
    await closed;
    // A port handed out free can be taken before the replica binds it (an outgoing connection's ephemeral port): new ports, again.
    if (attempt < 3 && startupOutput.includes("EADDRINUSE")) {
      replica.port = await freePort();
      replica.metricsPort = await freePort();
      return this.startReplica(service, index, env, attempt + 1);
    }
    throw new Error(`${service}#${index} exited (code ${outcome}) before serving; see ${this.#logDir}`);
  }

  /** SIGTERM (graceful, resolves with the exit code) or SIGKILL (a crash). */
  async stopReplica(service: ServiceName, index = 0, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<number | null> {
    const replica = this.replicas.find((r) => r.service === service && r.index === index);
    if (!replica?.process || replica.process.exitCode !== null || replica.process.signalCode) return replica?.process?.exitCode ?? null;
    replica.process.kill(signal);
    const code = await replica.exited!;
    replica.process = undefined;
    return code;
  }

  async waitUntilServing(service: ServiceName, index = 0, timeoutMs = 60_000): Promise<void> {
    const health = unaryClient("health", this.address(service, index));
    try {
      await waitFor(
        async () => (await health.check({ service: "" }, undefined, 1_000)).status === "SERVING",
        timeoutMs,
        `${service}#${index} to serve`,
      );
    } finally {
      health.close();
    }
  }

  /** A token as the sign-in (issuer key) would mint it, or for role "service" as that service would sign its own. */
  async token(subject: string, role: Role = "customer", ttlSeconds = 3600): Promise<string> {
    return mintToken({ key: this.signingKey(role === "service" ? subject : ISSUER_KEY_OWNER), subject, role, ttlSeconds });
  }

  /** The private key of the issuer or of a service, for tests that craft tokens. */
  signingKey(owner: string): SigningKey {
    const jwk = this.keys.privateKeys[owner];
    if (!jwk) throw new Error(`no key for ${owner}`);
    return signingKeyOf(jwk);
  }

  /** Runs SQL against one service's own database. */
  async sql<T = Record<string, unknown>>(service: ServiceName, text: string, values: unknown[] = []): Promise<T[]> {
    return withPgClient(this.databaseUrl(service), 10_000, async (client) => (await client.query(text, values)).rows as T[]);
  }

  /** Messages currently in one domain's stream. */
  async streamMessageCount(domain: StreamDomain): Promise<number> {
    return this.#withJetStream(async ({ jsm }) => (await jsm.streams.info(streamName(this.namespace, domain))).state.messages);
  }

  /**
   * Every event of one type in its stream, oldest first, once the service of its domain has published all it wrote:
   * what the services published (the relay deletes an outbox row once JetStream has it; JetStream drops a republished
   * event by its id).
   */
  async publishedEvents<Desc extends DescMessage>(schema: Desc): Promise<MessageShape<Desc>[]> {
    const domain = domainOf(schema.typeName);
    await waitFor(
      async () => (await this.sql(domain, "select 1 from outbox where published_at is null")).length === 0,
      15_000,
      `${domain}'s outbox published`,
    );
    return this.#withJetStream(async ({ js }) => {
      const stream = streamName(this.namespace, domain);
      const consumer = await js.consumers.get(stream, { filter_subjects: subjectOf(this.namespace, schema.typeName) });
      const events: MessageShape<Desc>[] = [];
      for (let pending = (await consumer.info()).num_pending; pending > 0;) {
        let fetched = 0;
        for await (const msg of await consumer.fetch({ max_messages: pending, expires: 2_000 })) {
          events.push(fromBinary(schema, msg.data));
          pending = msg.info.pending;
          fetched++;
        }
        if (fetched === 0) throw new Error(`${stream}: ${pending} ${schema.typeName} pending but none fetched`);
      }
      return events;
    });
  }

  /** The header names of the last message in one domain's stream; undefined when it is empty. */
  async lastStreamMessageHeaderNames(domain: StreamDomain): Promise<string[] | undefined> {
    return this.#withJetStream(async ({ jsm }) => {
      const stream = streamName(this.namespace, domain);
      const { last_seq } = (await jsm.streams.info(stream)).state;
      if (last_seq === 0) return undefined;
      return [...((await jsm.streams.getMessage(stream, { seq: last_seq }))?.header.keys() ?? [])];
    });
  }

  async stop(): Promise<void> {
    await Promise.all(this.replicas.map((r) => this.stopReplica(r.service, r.index, "SIGTERM")));
    await this.stopGateway();
    if (process.env.OUTERPARK_TEST_KEEP) return; // leave databases and streams for a post-mortem
    for (const service of SERVICE_NAMES) await dropDatabaseIfExists(this.postgresUrlOf(service), `${this.namespace}_${service}`);
    await this.#withJetStream(async ({ jsm }) => {
      for await (const stream of jsm.streams.list()) {
        if (stream.config.name.startsWith(`${this.namespace.toUpperCase()}_`)) await jsm.streams.delete(stream.config.name);
      }
    });
  }

  /** A NATS connection of its own for one look at JetStream, closed afterwards. */
  async #withJetStream<T>(use: (clients: { js: JetStreamClient; jsm: JetStreamManager }) => Promise<T>): Promise<T> {
    const nc = await connect({ servers: this.natsUrl });
    try {
      return await use({ js: jetstream(nc), jsm: await jetstreamManager(nc) });
    } finally {
      await nc.close();
    }
  }

  #spawn(name: string, args: string[], env: Record<string, string>): ChildProcess {
    const log = createWriteStream(path.join(this.#logDir, `${name}.log`), { flags: "a" });
    const child = spawn(nodeBinary, [...SERVICE_NODE_FLAGS, cli, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    return child;
  }

  get logDir(): string {
    return this.#logDir;
  }
}

export async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await condition()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ""}`);
}

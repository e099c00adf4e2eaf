/**
 * What this machine can do at best, measured in the same run as the project: the naive seat claim in pgbench, a bare
 * connect-node server under ghz, and JetStream publish/consume from nats.js. Also the ghz runner the project's reads use.
 */
import { execFile, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { AckPolicy, jetstream, jetstreamManager, StorageType } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { dropDatabaseIfExists, withPgClient } from "../../tools/infra.js";
import { childrenCpuSeconds, cpuMsPerCall, programCpuSeconds } from "./cpu.js";

const run = promisify(execFile);
export const root = path.resolve(import.meta.dirname, "../..");
export const nodeBinary = path.join(root, "node_modules/.bin/node");
const ghzBinary = path.join(root, ".tools/bin/ghz");

export interface Throughput {
  clients: number;
  callsPerS: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Milliseconds of CPU per call, by program (see cpu.ts), where the step measured them. */
  cpuMs?: Record<string, number>;
}

// --- pgbench: UPDATE reservable seats + INSERT hold, one transaction per claim ---------------------------------------

/** Musical's own tables (services/musical/src/adapters/migrations.ts), so the claim touches the same rows and indexes. */
const SCHEMA = [
  `create table musicals (musical_id text primary key, name text not null, total_seats int not null check (total_seats > 0),
     reservable_seats int not null check (reservable_seats >= 0 and reservable_seats <= total_seats), seat_price bigint not null,
     registered_at timestamptz not null default now())`,
  `create table seat_holds (reservation_id text primary key, musical_id text not null, customer_id text not null default '',
     seats int not null check (seats >= 0), status text not null check (status in ('HELD', 'RELEASED')),
     created_at timestamptz not null default now(), released_at timestamptz)`,
  `create index seat_holds_musical on seat_holds (musical_id) where status = 'HELD'`,
  `insert into musicals (musical_id, name, total_seats, reservable_seats, seat_price)
     select 'm' || i, 'show ' || i, 100000000, 100000000, 1000 from generate_series(1, 1000) i`,
];

const claimScript = (shows: number) => `\\set m random(1, ${shows})
BEGIN;
UPDATE musicals SET reservable_seats = reservable_seats - 1 WHERE musical_id = 'm' || :m AND reservable_seats >= 1;
INSERT INTO seat_holds (reservation_id, musical_id, customer_id, seats, status) VALUES (gen_random_uuid()::text, 'm' || :m, 'c' || :client_id, 1, 'HELD');
COMMIT;
`;

/** pgbench runs per client count; null when pgbench is not installed (the ratio goals then read "not measured"). */
export async function pgbenchClaims(
  postgresUrl: string,
  namespace: string,
  clientCounts: readonly number[],
  seconds: number,
  workDir: string,
): Promise<{ hot: Throughput[]; spread: Throughput[] } | null> {
  try {
    await run("pgbench", ["--version"]);
  } catch {
    console.warn("bench: pgbench not found (PostgreSQL client tools): the pgbench ceilings are not measured");
    return null;
  }
  const database = `${namespace}_pgbench`;
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  await withPgClient(postgresUrl, 10_000, (client) => client.query(`create database ${database}`));
  try {
    for (const statement of SCHEMA) await withPgClient(url.toString(), 30_000, (client) => client.query(statement));
    const measure = async (shows: number) => {
      const script = path.join(workDir, `claim-${shows}.sql`);
      writeFileSync(script, claimScript(shows));
      const results: Throughput[] = [];
      for (const clients of clientCounts) {
        const threads = String(Math.min(clients, 2));
        const args = ["-n", "-f", script, "-c", String(clients), "-j", threads, "-T", String(seconds), url.toString()];
        const { result: stdout, cpuMs } = await cpuMsPerCall(
          { postgres: () => programCpuSeconds("postgres"), pgbench: childrenCpuSeconds },
          async () => {
            const { stdout } = await run("pgbench", args);
            return { result: stdout, calls: Number(/number of transactions actually processed: (\d+)/.exec(stdout)?.[1] ?? 0) };
          },
        );
        const tps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);
        const average = Number(/latency average = ([\d.]+) ms/.exec(stdout)?.[1]);
        // pgbench reports the average latency, not percentiles.
        results.push({ clients, callsPerS: tps, p50Ms: Number.isFinite(average) ? average : null, p99Ms: null, cpuMs });
      }
      return results;
    };
    return { hot: await measure(1), spread: await measure(1000) };
  } finally {
    await dropDatabaseIfExists(postgresUrl, database);
  }
}

// --- ghz: the same settings for the bare server and the project's GetMusical ----------------------------------------

interface GhzReport {
  count: number;
  rps: number;
  latencyDistribution: { percentage: number; latency: number }[] | null;
  statusCodeDistribution: Record<string, number>;
}

/** GetMusical for `seconds` at each client count over one connection (ghz's default), after a 2 s warm-up. */
export async function ghzGetMusical(address: string, token: string, clientCounts: readonly number[], seconds: number): Promise<Throughput[]> {
  const ghz = (clients: number, duration: number) =>
    run(
      ghzBinary,
      [
        "--insecure",
        ...["--proto", "outerpark/musical/v1/musical.proto", "--import-paths", path.join(root, "proto")],
        ...["--call", "outerpark.musical.v1.MusicalService.GetMusical", "-d", '{"musical_id":"bench"}'],
        ...["-m", JSON.stringify({ authorization: `Bearer ${token}` })],
        ...["-c", String(clients), "-z", `${duration}s`, "--format", "json", address],
      ],
      { maxBuffer: 256 * 1024 * 1024, timeout: (duration + 60) * 1000 },
    );
  await ghz(8, 2);
  const results: Throughput[] = [];
  for (const clients of clientCounts) {
    const report = JSON.parse((await ghz(clients, seconds)).stdout) as GhzReport;
    const at = (p: number) => {
      const ns = report.latencyDistribution?.find((d) => d.percentage === p)?.latency;
      return ns === undefined ? null : ns / 1e6;
    };
    const ok = report.statusCodeDistribution.OK ?? 0;
    // ghz's rps counts failed calls too: count only the answered ones.
    results.push({ clients, callsPerS: (report.rps * ok) / Math.max(1, report.count), p50Ms: at(50), p99Ms: at(99) });
  }
  return results;
}

/** Starts test/bench/bare-server.ts as its own process; resolves once it listens. */
export async function startBareServer(): Promise<{ address: string; stop(): void }> {
  const child = spawn(nodeBinary, [path.join(root, "test/bench/bare-server.ts")], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once("line", resolve);
      child.once("exit", (code) => reject(new Error(`bare server exited with ${code}`)));
    });
    const { port } = JSON.parse(line) as { port: number };
    return { address: `127.0.0.1:${port}`, stop: () => child.kill("SIGTERM") };
  } catch (error) {
    child.kill("SIGTERM");
    throw error;
  }
}

// --- JetStream from nats.js --------------------------------------------------------------------------------------------

/**
 * A throwaway file-backed stream: `messages` publishes of 200 bytes with a message id (as the outbox relay publishes),
 * 64 in flight, then one durable pull consumer acknowledging each message explicitly.
 */
export async function jetStreamThroughput(natsUrl: string, namespace: string, messages: number) {
  const nc = await connect({ servers: natsUrl });
  const name = `${namespace}_BENCH`.toUpperCase();
  const subject = `${namespace}.bench`;
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name, subjects: [subject], storage: StorageType.File });
    const js = jetstream(nc);
    const payload = new Uint8Array(200);
    let next = 0;
    let started = performance.now();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < messages) await js.publish(subject, payload, { msgID: String(next++) });
      }),
    );
    const publishPerS = messages / ((performance.now() - started) / 1000);

    await jsm.consumers.add(name, { durable_name: "bench", ack_policy: AckPolicy.Explicit });
    const consumer = await js.consumers.get(name, "bench");
    started = performance.now();
    const feed = await consumer.consume({ max_messages: 256 });
    let received = 0;
    for await (const message of feed) {
      message.ack();
      if (++received === messages) break;
    }
    const consumePerS = messages / ((performance.now() - started) / 1000);
    await feed.close();
    return { publishPerS, consumePerS, messages };
  } finally {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(name).catch(() => false);
    await nc.close();
  }
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

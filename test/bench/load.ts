/**
 * The PlaceReservation load generator: its own Node process (`node test/bench/load.ts <config.json>`), so its CPU is
 * visible and it never shares an event loop with vitest. One @grpc/grpc-js channel (one HTTP/2 connection, as ghz
 * uses by default and as an edge proxy would) carries every worker's calls; each call carries its customer's own token.
 *
 * - closed: `clients` workers, each placing 1 seat at a time until `durationS` or `total` calls (and never past `maxS`).
 * - open: one placement every 1/`rate` s for `durationS`, each customer watching its MyPage (WatchMyPage) meanwhile,
 *   to time placement → MyPage.
 *
 * Prints one JSON line `{"started": <epoch ms>}` when the first call goes out, and the LoadResult as the last line.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { grpc, unaryClient, type GrpcError } from "../support/grpc-clients.ts";
import { summarize, type Latency } from "./stats.ts";

export interface LoadConfig {
  mode: "closed" | "open";
  reservation: string;
  /** Customers' tokens: worker w of a closed run uses tokens[w], tokens[w + clients], …; an open run cycles through them. */
  tokens: string[];
  musicals: string[];
  keyPrefix: string;
  clients?: number;
  durationS?: number;
  total?: number;
  maxS?: number;
  rate?: number;
  customercenter?: string;
  /** Open runs: how long to wait after the last placement for MyPage to show everything. */
  tailS?: number;
}

export interface LoadResult {
  ok: number;
  errors: Record<string, number>;
  elapsedS: number;
  callsPerS: number;
  latencyMs: Latency;
  /** CPU seconds this generator used, so its share of the 2 cores is on record. */
  cpuS: number;
  lag?: {
    /** Placed → the reservation first appears on the customer's MyPage stream. */
    visibleMs: Latency;
    /** Placed → MyPage shows it PAID with its notification. */
    completeMs: Latency;
    missingVisible: number;
    missingComplete: number;
    /** Placements that could not start on time (too many in flight). */
    late: number;
  };
}

const CALL_DEADLINE_MS = 30_000;
const MAX_IN_FLIGHT = 512;

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, "utf8")) as LoadConfig;
  const result = config.mode === "open" ? await openLoop(config) : await closedLoop(config);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

function placer(config: LoadConfig) {
  const client = unaryClient("reservation", config.reservation);
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let sequence = 0;
  const place = async (token: string): Promise<string | undefined> => {
    const n = sequence++;
    const started = performance.now();
    try {
      const { reservation } = await client.placeReservation(
        { musicalId: config.musicals[n % config.musicals.length]!, seats: 1, idempotencyKey: `${config.keyPrefix}-${n}` },
        token,
        CALL_DEADLINE_MS,
      );
      latencies.push(performance.now() - started);
      return reservation.reservationId;
    } catch (error) {
      const code = grpc.status[(error as GrpcError).code] ?? String(error);
      errors[code] = (errors[code] ?? 0) + 1;
      return undefined;
    }
  };
  const finish = (startedAt: number, endedAt: number, cpuStart: NodeJS.CpuUsage): LoadResult => {
    client.close();
    const elapsedS = (endedAt - startedAt) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    return {
      ok: latencies.length,
      errors,
      elapsedS,
      callsPerS: latencies.length / elapsedS,
      latencyMs: summarize(latencies),
      cpuS: (cpu.user + cpu.system) / 1e6,
    };
  };
  return { place, finish };
}

function announceStart(): number {
  const now = Date.now();
  process.stdout.write(`${JSON.stringify({ started: now })}\n`);
  return now;
}

async function closedLoop(config: LoadConfig): Promise<LoadResult> {
  const { place, finish } = placer(config);
  const clients = config.clients ?? 1;
  const cpuStart = process.cpuUsage();
  const startedAt = announceStart();
  const stopAt = startedAt + 1000 * Math.min(config.durationS ?? Infinity, config.maxS ?? Infinity);
  let remaining = config.total ?? Infinity;
  await Promise.all(
    Array.from({ length: clients }, async (_, worker) => {
      for (let round = 0; remaining > 0 && Date.now() < stopAt; round++) {
        remaining--;
        await place(config.tokens[(worker + round * clients) % config.tokens.length]!);
      }
    }),
  );
  return finish(startedAt, Date.now(), cpuStart);
}

async function openLoop(config: LoadConfig): Promise<LoadResult> {
  const { place, finish } = placer(config);
  const customercenter = unaryClient("customercenter", config.customercenter!);
  const visibleAt = new Map<string, number>();
  const completeAt = new Map<string, number>();
  const streams = config.tokens.map((token) => {
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${token}`);
    const call = customercenter.raw.watchMyPage({ pageSize: 1 }, metadata);
    call.on("data", ({ reservation }: { reservation?: { reservationId: string; reservationStatus: string; notifications: unknown[] } }) => {
      if (!reservation) return;
      const now = Date.now();
      if (!visibleAt.has(reservation.reservationId)) visibleAt.set(reservation.reservationId, now);
      if (
        reservation.reservationStatus === "RESERVATION_STATUS_PAID" &&
        reservation.notifications.length > 0 &&
        !completeAt.has(reservation.reservationId)
      ) {
        completeAt.set(reservation.reservationId, now);
      }
    });
    call.on("error", () => {}); // cancelled at the end; a stream lost earlier shows up as missing changes
    return call;
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // let every stream send its first page

  const placedAt = new Map<string, number>();
  const total = Math.round(config.rate! * config.durationS!);
  let late = 0;
  let inFlight = 0;
  const calls: Promise<void>[] = [];
  const cpuStart = process.cpuUsage();
  const startedAt = announceStart();
  for (let i = 0; i < total; i++) {
    const due = startedAt + (1000 * i) / config.rate!;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    if (inFlight >= MAX_IN_FLIGHT) {
      late++;
      continue;
    }
    inFlight++;
    calls.push(
      place(config.tokens[i % config.tokens.length]!).then((id) => {
        inFlight--;
        if (id) placedAt.set(id, Date.now());
      }),
    );
  }
  await Promise.all(calls);
  const placed = finish(startedAt, Date.now(), cpuStart);
  const tailEnd = Date.now() + 1000 * (config.tailS ?? 60);
  while (Date.now() < tailEnd && [...placedAt.keys()].some((id) => !completeAt.has(id))) await new Promise((resolve) => setTimeout(resolve, 200));
  for (const stream of streams) stream.cancel();
  customercenter.close();

  const lagOf = (seen: Map<string, number>) => [...placedAt].map(([id, at]) => Math.max(0, (seen.get(id) ?? Infinity) - at));
  const missing = (seen: Map<string, number>) => [...placedAt.keys()].filter((id) => !seen.has(id)).length;
  return {
    ...placed,
    lag: {
      visibleMs: summarize(lagOf(visibleAt)),
      completeMs: summarize(lagOf(completeAt)),
      missingVisible: missing(visibleAt),
      missingComplete: missing(completeAt),
      late,
    },
  };
}

if (import.meta.filename === path.resolve(process.argv[1] ?? "")) await main();

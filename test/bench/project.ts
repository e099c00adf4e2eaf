/** Driving and observing the project in the bench: shows, the load generator process, saga progress, peak memory. */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { SERVICE_NAMES } from "#kit/config.js";
import type { TestSystem } from "../support/system.js";
import { withPgClient, type PgClient } from "../../tools/infra.js";
import { nodeBinary, root } from "./ceilings.js";
import { processCpuSeconds } from "./cpu.js";
import type { LoadConfig, LoadResult } from "./load.js";

export async function registerShows(system: TestSystem, ids: readonly string[], seats: number): Promise<void> {
  const manager = await system.token("bench-manager", "manager");
  const musical = system.client("musical");
  try {
    let next = 0;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < ids.length) {
          const musicalId = ids[next++]!;
          await musical.registerMusical({ musicalId, name: `Show ${musicalId}`, totalSeats: seats, seatPrice: "1000" }, manager);
        }
      }),
    );
  } finally {
    musical.close();
  }
}

export async function tokens(system: TestSystem, prefix: string, count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => system.token(`${prefix}-${i}`)));
}

/** Runs test/bench/load.ts as its own process; `started` resolves (epoch ms) when its first call goes out. */
export function runLoad(config: LoadConfig, workDir: string): { started: Promise<number>; result: Promise<LoadResult> } {
  const file = path.join(workDir, `${config.keyPrefix}.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(nodeBinary, [path.join(root, "test/bench/load.ts"), file], { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  const lines: string[] = [];
  let onStart: (at: number) => void;
  const started = new Promise<number>((resolve) => (onStart = resolve));
  createInterface({ input: child.stdout }).on("line", (line) => {
    const message = JSON.parse(line) as { started?: number };
    if (message.started) onStart(message.started);
    else lines.push(line);
  });
  const result = new Promise<LoadResult>((resolve, reject) =>
    child.once("exit", (code) =>
      code === 0 && lines.length ? resolve(JSON.parse(lines.at(-1)!) as LoadResult) : reject(new Error(`load generator exited ${code}`)),
    ),
  );
  return { started, result };
}

export interface MyPageProgress {
  visible: number;
  complete: number;
  /** When the last complete one became so (epoch ms, customercenter's clock = this machine's). */
  lastCompleteMs: number | null;
}

/**
 * How many of the customers' reservations MyPage shows (visible), and how many it shows PAID with the notification
 * sent (complete: MyPage folds ReservationConfirmed from reservation and NotificationSent from notice, so the
 * reservation is paid and its notice sent when it shows both). Read from customercenter's database, as the tests do,
 * over one connection the caller keeps open (a new connection per poll would cost the loaded machine a backend).
 */
export async function myPageProgress(customercenter: PgClient, customerPattern: string): Promise<MyPageProgress> {
  const { rows } = await customercenter.query(
    `select count(*)::int as visible, count(*) filter (where done)::int as complete,
            (extract(epoch from max(updated_at) filter (where done)) * 1000)::float8 as "lastCompleteMs"
       from (select r.updated_at, r.reservation_status = 'PAID' and exists (
               select 1 from mypage_history h where h.reservation_id = r.reservation_id and h.event_type like '%NotificationSent') as done
             from mypage_reservations r where r.customer_id like $1) v`,
    [customerPattern],
  );
  return rows[0] as unknown as MyPageProgress;
}

export function withMyPage<T>(system: TestSystem, fn: (customercenter: PgClient) => Promise<T>): Promise<T> {
  return withPgClient(system.databaseUrl("customercenter"), 10_000, fn);
}

/** Waits (at most capS) until MyPage shows every placed reservation complete, so the next step starts without a backlog. */
export async function drainSaga(system: TestSystem, placed: number, capS: number): Promise<number> {
  const started = Date.now();
  await withMyPage(system, async (customercenter) => {
    while (Date.now() - started < capS * 1000 && (await myPageProgress(customercenter, "%")).complete < placed) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  });
  return (Date.now() - started) / 1000;
}

/** Peak resident memory of each service process since it started (the kernel's high-water mark, VmHWM). */
export function peakRssMiB(system: TestSystem): Record<string, number> {
  return Object.fromEntries(
    SERVICE_NAMES.map((service) => {
      const pid = system.replicas.find((r) => r.service === service)!.process!.pid!;
      const kib = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN);
      return [service, Math.round(kib / 1024)];
    }),
  );
}

/** CPU seconds (user + system) the service processes have used since they started, from /proc. */
export function serviceCpuSeconds(system: TestSystem): number {
  let seconds = 0;
  for (const replica of system.replicas) if (replica.process?.pid) seconds += processCpuSeconds(replica.process.pid);
  return seconds;
}

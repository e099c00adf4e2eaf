/**
 * `make bench` (issue 10): what observability costs the hot path. The PlaceReservation rush (one show, 64 clients)
 * on a system with metrics and tracing off (METRICS=off, no OTEL_EXPORTER_OTLP_ENDPOINT) and on one with metrics on
 * and every span exported over OTLP/HTTP to a local sink (default batch settings, as deployed). Both systems start
 * once, are warmed up, and stay up; then windows alternate off, on, off, …, on, off, each window a rush followed by
 * its saga, so every window follows the other system's (a system loaded twice in a row runs on warmer database
 * buffers) and each "on" window sits between two "off" windows (a drift of the shared machine cancels). Goal: the "on"
 * rush loses less than 10% of the "off" calls/s, as the median over rounds of each "on" window against the mean of
 * its two neighbours (one round disturbed by other load on the machine does not decide). Beside it, the services' CPU
 * per reservation (the rush and its whole saga).
 *
 * Only this part: `make bench BENCH_ONLY=overhead`. Settings (environment): BENCH_OVERHEAD_CLIENTS (64),
 * BENCH_OVERHEAD_S (10), BENCH_OVERHEAD_ROUNDS (6), BENCH_OVERHEAD_WARMUP_S (3), BENCH_DRAIN_CAP_S (120); to tell the
 * two apart, BENCH_OVERHEAD_ON=metrics or =tracing turns on only that one in the "on" mode (the goal is for both).
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { TestSystem } from "../support/system.js";
import { OtlpReceiver } from "../support/otlp-receiver.js";
import { ensureDir, root } from "./ceilings.js";
import type { LoadResult } from "./load.js";
import { drainSaga, peakRssMiB, registerShows, runLoad, serviceCpuSeconds, tokens } from "./project.js";
import { bracketedCostsPct, formatTable, overheadRows, type OverheadMode, type OverheadResults } from "./report.js";
import { meanOf } from "./stats.js";

const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const S = {
  clients: setting("BENCH_OVERHEAD_CLIENTS", 64),
  seconds: setting("BENCH_OVERHEAD_S", 10),
  rounds: setting("BENCH_OVERHEAD_ROUNDS", 6),
  warmupS: setting("BENCH_OVERHEAD_WARMUP_S", 3),
  drainCapS: setting("BENCH_DRAIN_CAP_S", 120),
  on: (process.env.BENCH_OVERHEAD_ON ?? "both") as "both" | "metrics" | "tracing",
};
const outDir = ensureDir(path.join(root, ".data/bench"));
const workDir = ensureDir(path.join(outDir, "work"));
const log = (text: string) => console.log(`bench ${new Date().toISOString().slice(11, 19)} overhead: ${text}`);

type Mode = "off" | "on";
let sink: OtlpReceiver | undefined;
const systems: Partial<Record<Mode, TestSystem>> = {};
afterAll(async () => {
  for (const system of Object.values(systems)) await system.stop();
  await sink?.stop();
});

it("prices metrics and tracing on the rush: under 10% of its calls/s", async () => {
  sink = await OtlpReceiver.start({ decode: false });
  const env: Record<Mode, Record<string, string>> = {
    off: { LOG_LEVEL: "warn", METRICS: "off" },
    on: {
      LOG_LEVEL: "warn",
      ...(S.on === "tracing" ? { METRICS: "off" } : {}),
      ...(S.on === "metrics" ? {} : { OTEL_EXPORTER_OTLP_ENDPOINT: sink.endpoint }),
    },
  };
  // Both systems run side by side for the whole bench, one loaded at a time (the idle one does next to nothing):
  // neighbouring windows are seconds apart on warm processes, so neither start-up nor the shared machine's drift
  // decides a window, and more windows fit in the same time than with a fresh system per window.
  const placed: Record<Mode, number> = { off: 0, on: 0 };
  const load = async (mode: Mode, keyPrefix: string, durationS: number) => {
    const system = systems[mode]!;
    const result = await runLoad(
      {
        mode: "closed",
        reservation: system.address("reservation"),
        tokens: await tokens(system, keyPrefix, S.clients),
        musicals: ["bench"],
        keyPrefix,
        clients: S.clients,
        durationS,
      },
      workDir,
    ).result;
    placed[mode] += result.ok;
    return result;
  };
  for (const mode of ["off", "on"] as Mode[]) {
    systems[mode] = await TestSystem.start({ env: env[mode] });
    await registerShows(systems[mode], ["bench"], 100_000);
  }
  for (const mode of ["off", "on"] as Mode[]) {
    await load(mode, `warm-${mode}`, S.warmupS);
    await drainSaga(systems[mode]!, placed[mode], S.drainCapS);
  }
  const runs: Record<Mode, { result: LoadResult; drainS: number; rssMiB: number; cpuS: number }[]> = { off: [], on: [] };
  // off, on, off, on, …, on, off: every window follows the other system's, and each "on" sits between two "off"s.
  const windows = Array.from({ length: 2 * S.rounds + 1 }, (_, i): Mode => (i % 2 === 0 ? "off" : "on"));
  for (const [index, mode] of windows.entries()) {
    const system = systems[mode]!;
    const cpuBefore = serviceCpuSeconds(system);
    const result = await load(mode, `overhead-${index}`, S.seconds);
    // The window's saga finishes before the other system's window starts, and its CPU counts for this one.
    const drainS = await drainSaga(system, placed[mode], S.drainCapS);
    const cpuS = serviceCpuSeconds(system) - cpuBefore;
    const rssMiB = Math.max(...Object.values(peakRssMiB(system)));
    runs[mode].push({ result, drainS, rssMiB, cpuS });
    log(
      `window ${index + 1}/${windows.length} ${mode}: ${result.ok} OK, ${result.callsPerS.toFixed(1)}/s, p50 ${result.latencyMs.p50?.toFixed(0)} ms, ` +
        `p99 ${result.latencyMs.p99?.toFixed(0)} ms, errors ${JSON.stringify(result.errors)}, saga drained in ${drainS.toFixed(0)} s, ` +
        `services' CPU ${((1000 * cpuS) / result.ok).toFixed(1)} ms per reservation, peak RSS ${rssMiB} MiB`,
    );
  }

  const summary = (mode: Mode): OverheadMode => {
    const all = runs[mode];
    return {
      // All calls over all measured seconds: a round that ran longer weighs more, as it should.
      callsPerS: all.reduce((sum, r) => sum + r.result.ok, 0) / all.reduce((sum, r) => sum + r.result.elapsedS, 0),
      p50Ms: meanOf(all.map((r) => r.result.latencyMs.p50)),
      p99Ms: meanOf(all.map((r) => r.result.latencyMs.p99)),
      drainS: Math.max(...all.map((r) => r.drainS)),
      cpuMsPerReservation: (1000 * all.reduce((sum, r) => sum + r.cpuS, 0)) / all.reduce((sum, r) => sum + r.result.ok, 0),
      peakRssMiB: Math.max(...all.map((r) => r.rssMiB)),
    };
  };
  const results: OverheadResults = {
    clients: S.clients,
    seconds: S.seconds,
    rounds: S.rounds,
    roundCostsPct: bracketedCostsPct(
      runs.off.map((r) => r.result.callsPerS),
      runs.on.map((r) => r.result.callsPerS),
    ),
    enabled: S.on,
    off: summary("off"),
    on: { ...summary("on"), exportRequests: sink.requests, exportedBytes: sink.bytes },
  };
  const rows = overheadRows(results);
  const errors = Object.fromEntries((["off", "on"] as Mode[]).map((mode) => [mode, runs[mode].map((r) => r.result.errors)]));
  writeFileSync(
    path.join(outDir, "overhead-latest.json"),
    `${JSON.stringify({ startedAt: new Date().toISOString(), ...results, rows, errors }, null, 2)}\n`,
  );
  console.log(
    [
      "",
      "Observability overhead (issue 10)",
      formatTable(rows),
      `errors: ${JSON.stringify(errors)}`,
      "written: .data/bench/overhead-latest.json",
      "",
    ].join("\n"),
  );

  expect(sink.rejected).toEqual([]);
  for (const row of rows) if (row.met === false) expect.soft(row.met, `goal not met: ${row.measure}`).toBe(true);
}, 3_600_000);

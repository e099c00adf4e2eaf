/** The bench's results, its goals (as issue 9 states them; never lower them) and the table (pure, no I/O). */
import type { Throughput } from "./ceilings.js";

export interface BenchResults {
  startedAt: string;
  machine: { cpus: number; model: string; memoryGiB: number; node: string };
  settings: Record<string, number | string>;
  ceilings: {
    /** pgbench, the naive claim on one show / over 1,000 shows; null when pgbench is not installed. */
    pgbenchHot: Throughput[] | null;
    pgbenchSpread: Throughput[] | null;
    bareGetMusical: Throughput[];
    jetStream: { publishPerS: number; consumePerS: number; messages: number };
  };
  project: {
    rush: Throughput[];
    spread: Throughput[];
    /** At the goals' client count, the mean of the windows below. */
    reads: Throughput[];
    /**
     * GetMusical at the goals' client count in alternating windows, bare server first and last (one more bare window
     * than project windows): each project window is priced against the bare windows either side.
     */
    readsWindows?: { clients: number; bareCallsPerS: number[]; projectCallsPerS: number[] };
    endToEnd: {
      target: number;
      placed: number;
      completed: number;
      elapsedS: number;
      perS: number;
      capped: boolean;
      /** On MyPage at all, and the progress every ~10 s (with the cost of the bench's own poll). */
      visible?: number;
      curve?: { atS: number; visible: number; complete: number; pollMs: number }[];
    };
    lag: {
      ratePerS: number;
      rateBasis: string;
      placed: number;
      visibleP50Ms: number | null;
      visibleP99Ms: number | null;
      completeP50Ms: number | null;
      completeP99Ms: number | null;
      missingVisible: number;
      missingComplete: number;
    };
    peakRssMiB: Record<string, number>;
    /** The load generator's own CPU share (of one core) per step, so it can be weighed against the results. */
    loadGeneratorCpu: Record<string, number>;
    errors: Record<string, Record<string, number>>;
  };
}

export type Goal = { ratioAtLeast: number } | { atMost: number } | { atLeast: number };

export interface Row {
  measure: string;
  ceiling?: number | null;
  project: number | null;
  unit: string;
  goal?: Goal;
  /** The ratio to the ceiling when it is not project / ceiling (a median over bracketed windows). */
  ratioToCeiling?: number;
  /** Why the goal is not met whatever the number says (e.g. the run hit its time cap). */
  unmet?: string;
}

export interface EvaluatedRow extends Row {
  ratio: number | null;
  /** null: an informational row without a goal. */
  met: boolean | null;
}

export const GOALS = {
  /** Rush and reads goals hold at the rush's own concurrency; a run without it reads "—", NOT MET. */
  clients: 64,
  rushRatio: 1.0,
  rushP99Ms: 200,
  endToEndPerS: 500,
  myPageLagP99Ms: 250,
  readsRatio: 0.7,
  peakRssMiB: 150,
  /** Issue 10: metrics on and tracing exporting may cost the rush at most this share of its calls/s. */
  observabilityCostPct: 10,
} as const;

export function evaluate(row: Row): EvaluatedRow {
  // Ratios compare throughputs; a latency beside its ceiling is shown, not divided.
  const ratio = row.ratioToCeiling ?? (row.ceiling && row.project !== null && row.unit !== "ms" ? row.project / row.ceiling : null);
  if (!row.goal) return { ...row, ratio, met: null };
  const { goal } = row;
  const met =
    "ratioAtLeast" in goal
      ? ratio !== null && ratio >= goal.ratioAtLeast
      : row.project !== null && ("atMost" in goal ? row.project <= goal.atMost : row.project >= goal.atLeast);
  return { ...row, ratio, met: met && !row.unmet };
}

const p50 = (t: Throughput | null) => (t?.p50Ms == null ? "" : ` (p50 ${t.p50Ms.toFixed(1)} ms)`);
const at = (series: readonly Throughput[] | null | undefined, clients: number) => series?.find((t) => t.clients === clients) ?? null;

const sum = (cpuMs: Record<string, number>) => Object.values(cpuMs).reduce((a, b) => a + b, 0);

/**
 * What a rush reservation costs in CPU beside the ceiling's claim, and the cores that cost needs at the ceiling's rate:
 * on a machine whose cores are all busy, the rate is the cores divided by the CPU per call.
 */
function cpuRows(ceiling: Throughput | null, rush: Throughput | null, cores: number): Row[] {
  if (!rush?.cpuMs) return [];
  const total = sum(rush.cpuMs);
  const rows: Row[] = [
    {
      measure: `CPU per rush reservation, ${rush.clients} clients, saga included (ceiling: per claim, PostgreSQL + pgbench)`,
      ceiling: ceiling?.cpuMs ? sum(ceiling.cpuMs) : null,
      project: total,
      unit: "ms CPU",
    },
    ...[...new Set([...Object.keys(rush.cpuMs), ...Object.keys(ceiling?.cpuMs ?? {})])].map((program) => ({
      measure: `  of which ${program}`,
      ceiling: ceiling?.cpuMs?.[program] ?? null,
      project: rush.cpuMs![program] ?? null,
      unit: "ms CPU",
    })),
  ];
  if (ceiling)
    rows.push({
      measure: `Cores that CPU needs at the ceiling's ${Math.round(ceiling.callsPerS).toLocaleString("en")} calls/s (this machine: ${cores})`,
      project: (total * ceiling.callsPerS) / 1000,
      unit: "cores",
    });
  return rows;
}

export function rowsOf(r: BenchResults): EvaluatedRow[] {
  const { ceilings: c, project: p } = r;
  const rows: Row[] = [];
  const counts = [...new Set([...p.rush, ...p.spread, ...p.reads].map((t) => t.clients).concat(GOALS.clients))].sort((a, b) => a - b);
  for (const clients of counts) {
    const rush = at(p.rush, clients);
    const atGoal = clients === GOALS.clients;
    rows.push({
      measure: `Rush PlaceReservation, ${clients} clients, one show`,
      ceiling: at(c.pgbenchHot, clients)?.callsPerS ?? null,
      project: rush?.callsPerS ?? null,
      unit: "calls/s",
      ...(atGoal ? { goal: { ratioAtLeast: GOALS.rushRatio } } : {}),
    });
    rows.push({
      measure: `Rush p99, ${clients} clients${p50(rush)}`,
      project: rush?.p99Ms ?? null,
      unit: "ms",
      ...(atGoal ? { goal: { atMost: GOALS.rushP99Ms } } : {}),
    });
  }
  rows.push(...cpuRows(at(c.pgbenchHot, GOALS.clients), at(p.rush, GOALS.clients), r.machine.cpus));
  for (const clients of counts) {
    const spread = at(p.spread, clients);
    rows.push({
      measure: `Spread PlaceReservation, ${clients} clients, 1,000 shows`,
      ceiling: at(c.pgbenchSpread, clients)?.callsPerS ?? null,
      project: spread?.callsPerS ?? null,
      unit: "calls/s",
    });
    rows.push({ measure: `Spread p99, ${clients} clients${p50(spread)}`, project: spread?.p99Ms ?? null, unit: "ms" });
  }
  const e2e = p.endToEnd;
  rows.push({
    measure: `End to end: ${e2e.completed} of ${e2e.target} paid, notified, on MyPage in ${e2e.elapsedS.toFixed(0)} s${e2e.capped ? " (time cap)" : ""}`,
    project: e2e.perS,
    unit: "reservations/s",
    goal: { atLeast: GOALS.endToEndPerS },
    ...(e2e.capped
      ? { unmet: "not all done within the time cap" }
      : e2e.placed < e2e.target
        ? { unmet: `${e2e.target - e2e.placed} placements failed` }
        : {}),
  });
  const lag = p.lag;
  rows.push({ measure: `MyPage lag p50 at ${lag.ratePerS.toFixed(0)}/s (${lag.rateBasis})`, project: lag.visibleP50Ms, unit: "ms" });
  rows.push({
    measure: `MyPage lag p99 at ${lag.ratePerS.toFixed(0)}/s`,
    project: lag.visibleP99Ms,
    unit: "ms",
    goal: { atMost: GOALS.myPageLagP99Ms },
  });
  rows.push({ measure: "Placed → PAID + notified on MyPage p50", project: lag.completeP50Ms, unit: "ms" });
  rows.push({ measure: "Placed → PAID + notified on MyPage p99", project: lag.completeP99Ms, unit: "ms" });
  for (const clients of counts) {
    const reads = at(p.reads, clients);
    const atGoal = clients === GOALS.clients;
    const windows = p.readsWindows?.clients === clients ? bracketedRatios(p.readsWindows.bareCallsPerS, p.readsWindows.projectCallsPerS) : [];
    rows.push({
      measure: windows.length
        ? `GetMusical, ${clients} clients (ceiling: bare connect-node; means of ${windows.length} windows, ratio the median of each against the bare ones either side: ${windows.map((w) => w.toFixed(2)).join(", ")})`
        : `GetMusical, ${clients} clients (ceiling: bare connect-node)`,
      ceiling: at(c.bareGetMusical, clients)?.callsPerS ?? null,
      project: reads?.callsPerS ?? null,
      unit: "calls/s",
      ...(windows.length ? { ratioToCeiling: median(windows) } : {}),
      ...(atGoal ? { goal: { ratioAtLeast: GOALS.readsRatio } } : {}),
    });
    rows.push({
      measure: `GetMusical p99, ${clients} clients${p50(reads)}`,
      ceiling: at(c.bareGetMusical, clients)?.p99Ms ?? null,
      project: reads?.p99Ms ?? null,
      unit: "ms",
    });
  }
  rows.push({ measure: "JetStream publish (nats.js, 64 in flight)", ceiling: c.jetStream.publishPerS, project: null, unit: "msgs/s" });
  rows.push({ measure: "JetStream consume (nats.js, explicit acks)", ceiling: c.jetStream.consumePerS, project: null, unit: "msgs/s" });
  for (const [service, mib] of Object.entries(p.peakRssMiB)) {
    rows.push({ measure: `Peak RSS ${service}`, project: mib, unit: "MiB", goal: { atMost: GOALS.peakRssMiB } });
  }
  return rows.map(evaluate);
}

const number = (value: number | null | undefined) =>
  value === null || value === undefined ? "—" : value >= 100 ? Math.round(value).toLocaleString("en") : value.toFixed(1);

export function goalText(goal: Goal | undefined, unit: string): string {
  if (!goal) return "";
  if ("ratioAtLeast" in goal) return `≥ ${goal.ratioAtLeast.toFixed(1)}× ceiling`;
  return "atMost" in goal ? `≤ ${goal.atMost} ${unit}` : `≥ ${goal.atLeast} ${unit}`;
}

export function formatTable(rows: readonly EvaluatedRow[]): string {
  const cells = rows.map((row) => [
    row.measure,
    number(row.ceiling),
    number(row.project),
    row.unit,
    row.ratio === null ? "" : `${row.ratio.toFixed(2)}×`,
    goalText(row.goal, row.unit),
    row.met === null ? "" : row.met ? "met" : `NOT MET${row.unmet ? ` (${row.unmet})` : ""}`,
  ]);
  const header = ["measure", "ceiling", "project", "unit", "ratio", "goal", "status"];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) => c.map((cell, i) => (i === 1 || i === 2 || i === 4 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join("\n").replace(/ +$/gm, "");
}

/** One observability mode of the overhead bench: the rush's calls/s over all its rounds, and what came with it. */
export interface OverheadMode {
  callsPerS: number;
  p50Ms: number | null;
  p99Ms: number | null;
  /** Seconds for the saga to finish after the last round's rush (slowest round). */
  drainS: number;
  /** CPU the five services spent per reservation placed, from the rush's start until its saga finished. */
  cpuMsPerReservation: number;
  peakRssMiB: number;
}

export interface OverheadResults {
  /** What the "on" mode turns on: both (the goal's case), or one of them to tell their costs apart. */
  on: OverheadMode & { exportRequests: number; exportedBytes: number };
  clients: number;
  seconds: number;
  rounds: number;
  /** Per "on" window, 1 − on / the mean of the "off" windows either side of it (a drift of the machine cancels); the goal is on their median. */
  roundCostsPct?: number[];
  off: OverheadMode;
  enabled?: "both" | "metrics" | "tracing";
}

/** Each project window's calls/s against the mean of the ceiling's windows either side (one more of those). */
export function bracketedRatios(ceilingCallsPerS: readonly number[], projectCallsPerS: readonly number[]): number[] {
  if (ceilingCallsPerS.length !== projectCallsPerS.length + 1) throw new Error("needs one more baseline window (ceiling, off) than measured ones");
  return projectCallsPerS.map((project, i) => project / ((ceilingCallsPerS[i]! + ceilingCallsPerS[i + 1]!) / 2));
}

/**
 * The overhead bench's windows run off, on, off, …, on, off: each "on" window's cost is 1 − its calls/s over the mean
 * of the "off" windows just before and after it, so a steady drift of the shared machine cancels.
 */
export function bracketedCostsPct(offCallsPerS: readonly number[], onCallsPerS: readonly number[]): number[] {
  return bracketedRatios(offCallsPerS, onCallsPerS).map((ratio) => 100 * (1 - ratio));
}

/** Rows of the overhead bench (issue 10): the rush with metrics and tracing off, then on and exporting, and the cost. */
export function overheadRows(r: OverheadResults): EvaluatedRow[] {
  // The windows run off, on, off, …, on, off: one "off" window more than "on" windows (rounds).
  const what = (windows: number) => `Rush PlaceReservation, ${r.clients} clients, ${windows} × ${r.seconds} s`;
  const latency = (m: OverheadMode) => ` (p50 ${m.p50Ms?.toFixed(0) ?? "—"} ms, p99 ${m.p99Ms?.toFixed(0) ?? "—"} ms)`;
  const pooled = r.off.callsPerS > 0 ? 100 * (1 - r.on.callsPerS / r.off.callsPerS) : null;
  const cost = r.roundCostsPct?.length ? median(r.roundCostsPct) : pooled;
  const rows: Row[] = [
    { measure: `${what(r.rounds + 1)}, metrics and tracing off${latency(r.off)}`, project: r.off.callsPerS, unit: "calls/s" },
    {
      measure: `${what(r.rounds)}, ${r.enabled === "metrics" ? "metrics on, tracing off" : `${r.enabled === "tracing" ? "metrics off" : "metrics on"}, tracing exporting (${r.on.exportRequests} OTLP requests, ${(r.on.exportedBytes / 2 ** 20).toFixed(1)} MiB)`}${latency(r.on)}`,
      project: r.on.callsPerS,
      unit: "calls/s",
    },
    {
      measure: r.roundCostsPct?.length
        ? `Observability cost: 1 − on / off, median of ${r.roundCostsPct.length} on-windows each against the off-windows either side (${r.roundCostsPct.map((c) => c.toFixed(1)).join(", ")} %; pooled ${pooled?.toFixed(1)} %)`
        : "Observability cost: 1 − on / off",
      project: cost,
      unit: "%",
      goal: { atMost: GOALS.observabilityCostPct },
      ...(r.enabled && r.enabled !== "both"
        ? { unmet: `only ${r.enabled} on` }
        : r.on.exportRequests === 0
          ? { unmet: "tracing exported nothing" }
          : {}),
    },
    { measure: "Services' CPU per reservation (rush and saga), off", project: r.off.cpuMsPerReservation, unit: "ms" },
    { measure: "Services' CPU per reservation (rush and saga), on", project: r.on.cpuMsPerReservation, unit: "ms" },
    {
      measure: "CPU cost: on / off − 1",
      project: r.off.cpuMsPerReservation > 0 ? 100 * (r.on.cpuMsPerReservation / r.off.cpuMsPerReservation - 1) : null,
      unit: "%",
    },
    { measure: "Saga drained after the rush (slowest round), off", project: r.off.drainS, unit: "s" },
    { measure: "Saga drained after the rush (slowest round), on", project: r.on.drainS, unit: "s" },
    { measure: "Peak RSS of the largest service, off", project: r.off.peakRssMiB, unit: "MiB" },
    { measure: "Peak RSS of the largest service, on", project: r.on.peakRssMiB, unit: "MiB" },
  ];
  return rows.map(evaluate);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

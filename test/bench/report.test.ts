import { describe, expect, it } from "vitest";
import { chartSvg, logTicks } from "./chart.js";
import {
  bracketedCostsPct,
  bracketedRatios,
  evaluate,
  formatTable,
  GOALS,
  overheadRows,
  rowsOf,
  type BenchResults,
  type OverheadResults,
} from "./report.js";
import { meanOf, percentile, summarize } from "./stats.js";

describe("bench statistics", () => {
  it("takes nearest-rank percentiles", () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100)]).toEqual([50, 99, 100]);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });

  it("takes the mean only when every value is known", () => {
    expect(meanOf([1, 2, 6])).toBe(3);
    expect(meanOf([1, null, 6])).toBeNull();
  });

  it("never reports a percentile that landed on something that did not finish", () => {
    const values = [...Array.from({ length: 98 }, () => 10), Infinity, Infinity];
    expect(summarize(values)).toEqual({ p50: 10, p90: 10, p99: null, max: null });
  });
});

describe("bench goals", () => {
  it("compares ratios to the ceiling and bounds to the number", () => {
    expect(evaluate({ measure: "r", ceiling: 400, project: 400, unit: "calls/s", goal: { ratioAtLeast: 1 } })).toMatchObject({ ratio: 1, met: true });
    expect(evaluate({ measure: "r", ceiling: 400, project: 399, unit: "calls/s", goal: { ratioAtLeast: 1 } }).met).toBe(false);
    expect(evaluate({ measure: "r", ceiling: null, project: 399, unit: "calls/s", goal: { ratioAtLeast: 1 } }).met).toBe(false);
    expect(evaluate({ measure: "p99", project: 200, unit: "ms", goal: { atMost: 200 } }).met).toBe(true);
    expect(evaluate({ measure: "p99", project: null, unit: "ms", goal: { atMost: 200 } }).met).toBe(false);
    expect(evaluate({ measure: "e2e", project: 600, unit: "/s", goal: { atLeast: 500 }, unmet: "capped" }).met).toBe(false);
    expect(evaluate({ measure: "info", project: 1, unit: "/s" }).met).toBeNull();
  });

  it("states the issue's goals at the top client count", () => {
    const t = (clients: number, callsPerS: number, p99Ms: number | null = 10) => ({ clients, callsPerS, p50Ms: 1, p99Ms });
    const results: BenchResults = {
      startedAt: "2026-11-25T00:00:00Z",
      machine: { cpus: 2, model: "cpu", memoryGiB: 4, node: "v24" },
      settings: {},
      ceilings: {
        pgbenchHot: [t(1, 1500), t(64, 385)],
        pgbenchSpread: [t(1, 1300), t(64, 1620)],
        bareGetMusical: [t(1, 900), t(64, 2089)],
        jetStream: { publishPerS: 20000, consumePerS: 30000, messages: 1000 },
      },
      project: {
        rush: [t(1, 40), t(64, 400, 150)],
        spread: [t(1, 40), t(64, 70)],
        reads: [t(1, 400), t(64, 764)],
        endToEnd: { target: 100, placed: 100, completed: 100, elapsedS: 2, perS: 50, capped: false },
        lag: {
          ratePerS: 25,
          rateBasis: "half",
          placed: 10,
          visibleP50Ms: 20,
          visibleP99Ms: 90,
          completeP50Ms: 30,
          completeP99Ms: 300,
          missingVisible: 0,
          missingComplete: 0,
        },
        peakRssMiB: { musical: 120, reservation: 151 },
        loadGeneratorCpu: {},
        errors: {},
      },
    };
    const rows = rowsOf(results);
    const status = Object.fromEntries(rows.filter((r) => r.met !== null).map((r) => [r.measure, r.met]));
    expect(status).toEqual({
      "Rush PlaceReservation, 64 clients, one show": true,
      "Rush p99, 64 clients (p50 1.0 ms)": true,
      "End to end: 100 of 100 paid, notified, on MyPage in 2 s": false,
      "MyPage lag p99 at 25/s": true,
      "GetMusical, 64 clients (ceiling: bare connect-node)": false,
      "Peak RSS musical": true,
      "Peak RSS reservation": false,
    });
    expect(rows.find((r) => r.measure.startsWith("GetMusical, 64"))!.ratio).toBeCloseTo(764 / 2089);
    const table = formatTable(rows);
    expect(table).toContain(`≥ ${GOALS.readsRatio.toFixed(1)}× ceiling`);
    expect(table).toMatch(/Peak RSS reservation\s+—\s+151\s+MiB\s+≤ 150 MiB\s+NOT MET/);
    expect(rows.some((r) => r.unit === "ms CPU")).toBe(false); // no CPU measured, no CPU rows
  });

  it("prices GetMusical's bracketed windows each against the bare ones either side, and holds the goal to their median", () => {
    const t = (clients: number, callsPerS: number) => ({ clients, callsPerS, p50Ms: 1, p99Ms: 10 });
    const results = (projectCallsPerS: number[]) =>
      measuredOnly({
        ceilings: { bareGetMusical: [t(64, 1000)] },
        // The machine slows down from window to window: against the mean of all bare windows the middle one would read low.
        project: { reads: [t(64, 700)], readsWindows: { clients: 64, bareCallsPerS: [1200, 1000, 800, 600], projectCallsPerS } },
      });
    const reads = (projectCallsPerS: number[]) => rowsOf(results(projectCallsPerS)).find((r) => r.measure.startsWith("GetMusical, 64"))!;
    // 880 / 1100, 630 / 900, 500 / 700: 0.80, 0.70, 0.71; their median decides, not the means' 700 / 1000.
    expect(reads([880, 630, 500])).toMatchObject({ met: true });
    expect(reads([880, 630, 500]).ratio).toBeCloseTo(500 / 700);
    expect(reads([880, 630, 500]).measure).toContain("0.80, 0.70, 0.71");
    expect(reads([880, 610, 480]).met).toBe(false); // 0.80, 0.68, 0.69, though the means read 0.70
    expect(bracketedRatios([1000, 800], [900])).toEqual([1]);
    expect(() => bracketedRatios([1000], [900])).toThrow(/one more baseline window/);
  });

  it("sets a rush reservation's CPU beside the ceiling's claim, and the cores it needs at the ceiling's rate", () => {
    const ceiling = { clients: 64, callsPerS: 1000, p50Ms: 1, p99Ms: null, cpuMs: { postgres: 1.5, pgbench: 0.5 } };
    const rush = { clients: 64, callsPerS: 250, p50Ms: 200, p99Ms: 300, cpuMs: { services: 5, postgres: 2.5, nats: 0.5, "load generator": 0.5 } };
    const rows = rowsOf(measuredOnly({ ceilings: { pgbenchHot: [ceiling] }, project: { rush: [rush] } }));
    const cpu = rows.filter((r) => r.unit === "ms CPU" || r.unit === "cores").map((r) => [r.measure.trim(), r.ceiling ?? null, r.project, r.ratio]);
    expect(cpu).toEqual([
      ["CPU per rush reservation, 64 clients, saga included (ceiling: per claim, PostgreSQL + pgbench)", 2, 8.5, 4.25],
      ["of which services", null, 5, null],
      ["of which postgres", 1.5, 2.5, 2.5 / 1.5],
      ["of which nats", null, 0.5, null],
      ["of which load generator", null, 0.5, null],
      ["of which pgbench", 0.5, null, null],
      ["Cores that CPU needs at the ceiling's 1,000 calls/s (this machine: 2)", null, 8.5, null],
    ]);
  });
});

/** A run that measured only what a test gives; the rest is filler no goal of the test looks at. */
function measuredOnly(measured: { ceilings?: Partial<BenchResults["ceilings"]>; project?: Partial<BenchResults["project"]> }): BenchResults {
  return {
    startedAt: "2026-12-04T00:00:00Z",
    machine: { cpus: 2, model: "cpu", memoryGiB: 4, node: "v24" },
    settings: {},
    ceilings: {
      pgbenchHot: null,
      pgbenchSpread: null,
      bareGetMusical: [],
      jetStream: { publishPerS: 1, consumePerS: 1, messages: 1 },
      ...measured.ceilings,
    },
    project: {
      rush: [],
      spread: [],
      reads: [],
      endToEnd: { target: 1, placed: 1, completed: 1, elapsedS: 1, perS: 1, capped: false },
      lag: {
        ratePerS: 1,
        rateBasis: "",
        placed: 1,
        visibleP50Ms: 1,
        visibleP99Ms: 1,
        completeP50Ms: 1,
        completeP99Ms: 1,
        missingVisible: 0,
        missingComplete: 0,
      },
      peakRssMiB: {},
      loadGeneratorCpu: {},
      errors: {},
      ...measured.project,
    },
  };
}

describe("bench chart", () => {
  it("draws each series on log axes with finite coordinates", () => {
    expect(logTicks(10, 1000)).toEqual([10, 20, 50, 100, 200, 500, 1000]);
    const svg = chartSvg(
      "t",
      [
        {
          name: "rush <one show>",
          color: "#d00",
          points: [
            { clients: 1, callsPerS: 40, p50Ms: 5, p99Ms: 20 },
            { clients: 64, callsPerS: 70, p50Ms: 500, p99Ms: 1500 },
          ],
        },
        {
          name: "ceiling",
          color: "#d00",
          dashed: true,
          points: [
            { clients: 1, callsPerS: 1500, p50Ms: 1, p99Ms: null },
            { clients: 64, callsPerS: 385, p50Ms: 100, p99Ms: null },
          ],
        },
        { name: "empty", color: "#0d0", points: [] },
      ],
      200,
    );
    expect(svg.startsWith("<svg") && svg.endsWith("</svg>")).toBe(true);
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg.match(/<polyline/g)).toHaveLength(3); // rush calls/s and p99, the ceiling's calls/s (it has no p99)
    expect(svg).toContain("rush &lt;one show&gt;");
    expect(svg).toContain('stroke-dasharray="6 4"');
  });
});

describe("observability overhead", () => {
  const mode = (callsPerS: number) => ({ callsPerS, p50Ms: 300, p99Ms: 900, drainS: 4, cpuMsPerReservation: 5, peakRssMiB: 120 });
  const results = (off: number, on: number, exportRequests = 12) => ({
    clients: 64,
    seconds: 10,
    rounds: 2,
    off: mode(off),
    on: { ...mode(on), exportRequests, exportedBytes: 2 ** 20 },
  });
  const cost = (r: OverheadResults) => overheadRows(r).find((row) => row.measure.startsWith("Observability cost"))!;

  it("is met below 10% of the rush's calls/s, and not above", () => {
    expect(cost(results(200, 185))).toMatchObject({ project: expect.closeTo(7.5, 9), unit: "%", met: true });
    expect(cost(results(200, 179))).toMatchObject({ met: false });
    expect(formatTable(overheadRows(results(200, 185)))).toMatch(/Observability cost: 1 − on \/ off\s+—\s+7\.5\s+%\s+≤ 10 %\s+met/);
  });

  it("takes the median of the rounds' costs when it has them", () => {
    const row = cost({ ...results(200, 170), roundCostsPct: [4, 30, 8] });
    expect(row).toMatchObject({ project: 8, met: true });
    expect(row.measure).toBe(
      "Observability cost: 1 − on / off, median of 3 on-windows each against the off-windows either side (4.0, 30.0, 8.0 %; pooled 15.0 %)",
    );
    expect(cost({ ...results(200, 170), roundCostsPct: [4, 30, 8, 12] })).toMatchObject({ project: 10, met: true });
    expect(cost({ ...results(200, 170), roundCostsPct: [11, 30] })).toMatchObject({ met: false });
  });

  it("prices each on-window against the mean of the off-windows either side, so a drift of the machine cancels", () => {
    // The machine slows by 20 calls/s per window; "on" costs 10% throughout.
    const off = [200, 160, 120];
    const on = [0.9 * 180, 0.9 * 140];
    expect(bracketedCostsPct(off, on).map((c) => Number(c.toFixed(6)))).toEqual([10, 10]);
    expect(() => bracketedCostsPct([200, 180], [170, 150])).toThrow(/one more baseline window/);
  });

  it("is not met when tracing exported nothing, however fast", () => {
    expect(cost(results(200, 200, 0))).toMatchObject({ met: false, unmet: "tracing exported nothing" });
  });
});

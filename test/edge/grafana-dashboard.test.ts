// deploy/grafana/outerpark.json: up to date with its generator, well-formed for
// Grafana, and every query reads only metrics that a running system's services
// really expose (read from their /metrics, not from a list kept by hand).
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { SERVICE_NAMES } from "#kit/config.js";
import { TestSystem } from "../support/system.js";
import { outputs, renderJson } from "../../deploy/grafana/generate.js";
import { exposedFamilies, isExposed, metricNames } from "./promql-names.js";

type Panel = { id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: any; targets?: any[] };

const dashboardText = readFileSync(outputs[0]!, "utf8");
const dashboard = JSON.parse(dashboardText);
const panels: Panel[] = dashboard.panels;
const queryPanels = panels.filter((p) => p.type !== "row");
const exprs = (d: { panels: Panel[] }) => d.panels.flatMap((p) => (p.targets ?? []).map((t: any) => ({ panel: p.title, expr: String(t.expr) })));

/** Every (panel, metric) whose metric no service exposes. */
function unknownMetrics(d: { panels: Panel[] }, families: Map<string, string>): string[] {
  return exprs(d).flatMap(({ panel, expr }) =>
    metricNames(expr)
      .filter((n) => !isExposed(n, families))
      .map((n) => `${panel}: ${n}`),
  );
}

describe("the dashboard file", () => {
  test("both copies (deploy/grafana and the chart's files/) are what deploy/grafana/generate.ts writes", () => {
    for (const file of outputs) expect(readFileSync(file, "utf8"), `${file} is stale: run node deploy/grafana/generate.ts`).toBe(renderJson());
  });

  test("is a Grafana dashboard: schemaVersion, uid, a Prometheus data source variable used by every panel and query", () => {
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: "datasource", type: "datasource", query: "prometheus" }));
    for (const p of queryPanels) {
      expect(p.datasource, p.title).toEqual({ type: "prometheus", uid: "${datasource}" });
      for (const t of p.targets ?? []) expect(t.datasource, p.title).toEqual({ type: "prometheus", uid: "${datasource}" });
    }
  });

  test("panel ids are unique; panels sit on the 24-column grid without overlapping", () => {
    expect(new Set(panels.map((p) => p.id)).size).toBe(panels.length);
    const cells = new Set<string>();
    for (const p of panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let i = x; i < x + w; i++)
        for (let j = y; j < y + h; j++) {
          expect(cells.has(`${i},${j}`), `${p.title} overlaps at ${i},${j}`).toBe(false);
          cells.add(`${i},${j}`);
        }
    }
  });

  test("a row per service, then the saga, seats and runtime rows; every panel has a query with a refId", () => {
    const rows = panels.filter((p) => p.type === "row").map((p) => p.title);
    expect(rows).toEqual([
      ...SERVICE_NAMES.map((s) => `Service: ${s}`),
      expect.stringMatching(/^Saga/),
      expect.stringMatching(/^Seats/),
      expect.stringMatching(/runtime/),
    ]);
    for (const p of queryPanels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) {
        expect(t.expr.trim(), p.title).not.toBe("");
        expect(t.refId, p.title).toMatch(/^[A-Z]$/);
      }
    }
  });

  test("each service row shows its rate, errors by grpc_code and p50/p99 from grpc_server_handling_seconds", () => {
    for (const service of SERVICE_NAMES) {
      const start = panels.findIndex((p) => p.title === `Service: ${service}`);
      const next = panels.findIndex((p, i) => i > start && p.type === "row");
      const row = exprs({ panels: panels.slice(start, next) }).map((e) => e.expr);
      expect(
        row.some((e) => /rate\(grpc_server_handled_total\{service="\w+"\}/.test(e) && e.includes(`service="${service}"`)),
        service,
      ).toBe(true);
      expect(
        row.some((e) => e.includes("by (grpc_code)") && e.includes('grpc_code!="OK"')),
        service,
      ).toBe(true);
      for (const p of ["0.5", "0.99"])
        expect(
          row.some((e) => e.startsWith(`histogram_quantile(${p},`) && e.includes("grpc_server_handling_seconds_bucket")),
          service,
        ).toBe(true);
    }
  });
});

describe("metricNames reads PromQL", () => {
  test.each([
    ['rate(grpc_server_handled_total{service="musical", grpc_code!="OK"}[$__rate_interval])', ["grpc_server_handled_total"]],
    [
      'histogram_quantile(0.99, sum by (le, grpc_method) (rate(grpc_server_handling_seconds_bucket{x=~"a|b"}[5m])))',
      ["grpc_server_handling_seconds_bucket"],
    ],
    ["sum(rate(a_total[1h:1m])) by (service) / on (service) group_left (kind) b_bytes offset 5m", ["a_total", "b_bytes"]],
    ["max by (breaker, state) (outerpark_breaker_state) == 1", ["outerpark_breaker_state"]],
    ["sum without(le)(rate(x_count[${interval}])) > bool 1e3 and unless_metric", ["x_count", "unless_metric"]],
    ['label_replace(up, "dst", "$1", "src", "(.*)")', ["up"]],
  ])("%s", (expr, names) => {
    expect(metricNames(expr)).toEqual(names);
  });
});

describe("every query reads metrics the running services expose", () => {
  let system: TestSystem;
  let families: Map<string, string>;

  beforeAll(async () => {
    system = await TestSystem.start();
    families = new Map();
    for (const service of SERVICE_NAMES) for (const [name, type] of exposedFamilies(await system.metrics(service))) families.set(name, type);
  });

  afterAll(async () => {
    await system?.stop();
  });

  test("the scrape is real: kit's RPC metrics, the saga's and Node's runtime metrics are there", () => {
    expect(families.get("grpc_server_handling_seconds")).toBe("histogram");
    expect(families.get("outerpark_outbox_waiting")).toBe("gauge");
    expect(families.get("outerpark_seats_taken_total")).toBe("counter");
    expect(families.get("nodejs_heap_size_used_bytes")).toBe("gauge");
    expect(families.size).toBeGreaterThan(40);
  });

  test("no query names a metric that is not exposed", () => {
    const used = new Set(exprs(dashboard).flatMap(({ expr }) => metricNames(expr)));
    expect(used.size).toBeGreaterThan(20);
    expect(unknownMetrics(dashboard, families)).toEqual([]);
  });

  test("a query naming a metric that does not exist fails the check", () => {
    const broken = structuredClone(dashboard);
    const target = broken.panels.find((p: Panel) => p.title === "Outbox backlog").targets[0];
    target.expr = target.expr.replace("outerpark_outbox_waiting", "outerpark_outbox_wating");
    expect(unknownMetrics(broken, families)).toEqual(["Outbox backlog: outerpark_outbox_wating"]);
    const histogram = structuredClone(dashboard);
    histogram.panels.find((p: Panel) => p.title === "Seats taken / returned per second").targets[0].expr =
      "sum(rate(outerpark_seats_taken_total_bucket[5m]))";
    expect(unknownMetrics(histogram, families)).toEqual(["Seats taken / returned per second: outerpark_seats_taken_total_bucket"]);
  });
});

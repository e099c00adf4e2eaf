// The OuterPark Grafana dashboard, written once and rendered to two files:
//   deploy/grafana/outerpark.json                          import it into Grafana
//   deploy/helm/outerpark/files/grafana-dashboard.json     the chart's optional ConfigMap (metrics.grafanaDashboard)
//
//   node deploy/grafana/generate.ts          write both files
//   node deploy/grafana/generate.ts --check  exit 1 when a committed file is stale
//
// Every query names metrics the services expose (kit/src/metrics.ts and the
// services' own); test/edge/grafana-dashboard.test.ts checks each name against a
// running system's /metrics. Run by Node directly (type stripping), like envoy/generate.ts.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVICE_NAMES } from "../../kit/src/config.ts";
import { writeOrCheck } from "../../tools/generated-files.ts";

/** One query of a panel: PromQL and the legend Grafana draws for each series. */
interface Query {
  expr: string;
  legend: string;
}

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  queries: Query[];
  /** "timeseries" (default) or "state-timeline" (breaker states). */
  type?: "timeseries" | "state-timeline";
  stack?: boolean;
}

interface RowSpec {
  title: string;
  panels: PanelSpec[];
}

const RATE = "$__rate_interval";
const DATASOURCE = { type: "prometheus", uid: "${datasource}" };

const q = (expr: string, legend: string): Query => ({ expr, legend });

/** Calls answered, failed and timed, for one service's server side (go-grpc-prometheus names). */
function serviceRow(service: string): RowSpec {
  const sel = `service="${service}"`;
  const quantile = (p: number) =>
    q(`histogram_quantile(${p}, sum by (le, grpc_method) (rate(grpc_server_handling_seconds_bucket{${sel}}[${RATE}])))`, `p${p * 100} {{grpc_method}}`);
  const panels: PanelSpec[] = [
    {
      title: "Requests / s",
      description: "RPCs completed per second, by method (grpc_server_handled_total).",
      unit: "reqps",
      queries: [q(`sum by (grpc_method) (rate(grpc_server_handled_total{${sel}}[${RATE}]))`, "{{grpc_method}}")],
    },
    {
      title: "Errors / s by code",
      description: "RPCs that ended with a status other than OK, by grpc_code.",
      unit: "reqps",
      stack: true,
      queries: [q(`sum by (grpc_code) (rate(grpc_server_handled_total{${sel}, grpc_code!="OK"}[${RATE}]))`, "{{grpc_code}}")],
    },
    {
      title: "Duration p50 / p99",
      description: "Server-side handling time by method, from the grpc_server_handling_seconds histogram.",
      unit: "s",
      queries: [quantile(0.5), quantile(0.99)],
    },
  ];
  if (service === "reservation") {
    panels.push({
      title: "Seat calls to musical",
      description: "reservation's client-side calls to musical (ReserveSeats / ReleaseSeats), by code; the seat breaker guards them.",
      unit: "reqps",
      queries: [q(`sum by (grpc_method, grpc_code) (rate(grpc_client_handled_total{${sel}}[${RATE}]))`, "{{grpc_method}} {{grpc_code}}")],
    });
  }
  if (service === "customercenter") {
    panels.push({
      title: "MyPage streams open",
      description: "WatchMyPage server streams being served now.",
      unit: "short",
      queries: [q(`sum by (grpc_method) (outerpark_server_streams_open{${sel}})`, "{{grpc_method}}")],
    });
  }
  return { title: `Service: ${service}`, panels };
}

const sagaRow: RowSpec = {
  title: "Saga: outbox, consumers, payments, breakers",
  panels: [
    {
      title: "Outbox backlog",
      description: "Outbox rows committed and not yet published to NATS, per service.",
      unit: "short",
      queries: [q("sum by (service) (outerpark_outbox_waiting)", "{{service}}")],
    },
    {
      title: "Oldest outbox row",
      description: "Age of the oldest unpublished outbox row (0 when none): how far behind publishing is.",
      unit: "s",
      queries: [q("max by (service) (outerpark_outbox_oldest_age_seconds)", "{{service}}")],
    },
    {
      title: "Consumer lag",
      description: "Per durable consumer: events not delivered yet (JetStream num_pending) and delivered but not acknowledged.",
      unit: "short",
      queries: [
        q("sum by (consumer) (outerpark_consumer_pending_messages)", "pending {{consumer}}"),
        q("sum by (consumer) (outerpark_consumer_ack_pending_messages)", "ack pending {{consumer}}"),
      ],
    },
    {
      title: "Events consumed / s",
      description: "Events each consumer finished, handled or skipped as duplicates.",
      unit: "ops",
      queries: [q(`sum by (consumer, outcome) (rate(outerpark_events_consumed_total[${RATE}]))`, "{{consumer}} {{outcome}}")],
    },
    {
      title: "Redeliveries and dead letters",
      description: "Deliveries of an event seen before (retries, crashes), and events parked on the dead-letter stream: any dead letter needs a look.",
      unit: "short",
      queries: [
        q(`sum by (consumer) (increase(outerpark_events_redelivered_total[${RATE}]))`, "redelivered {{consumer}}"),
        q(`sum by (consumer) (increase(outerpark_events_dead_lettered_total[${RATE}]))`, "dead-lettered {{consumer}}"),
      ],
    },
    {
      title: "Events recorded / s",
      description: "Events committed to the outboxes, by type: the facts the services announced.",
      unit: "ops",
      queries: [q(`sum by (event_type) (rate(outerpark_events_recorded_total[${RATE}]))`, "{{event_type}}")],
    },
    {
      title: "Unsettled payments",
      description: "Payments not settled yet: PENDING, DEFERRED (gateway unreachable, retried later), REFUND_PENDING.",
      unit: "short",
      queries: [q("max by (status) (outerpark_payments_unsettled)", "{{status}}")],
    },
    {
      title: "Breaker states",
      description: "Each circuit breaker's current state (the seat call in reservation, the gateway in payment), per pod.",
      unit: "short",
      type: "state-timeline",
      queries: [q('max by (breaker, state) (outerpark_breaker_state) == 1', "{{breaker}} {{state}}")],
    },
    {
      title: "Placements aborted / s",
      description: "Placements undone because the seat call failed or was abandoned (their seats given back).",
      unit: "ops",
      queries: [q(`sum(rate(outerpark_placements_aborted_total[${RATE}]))`, "aborted")],
    },
  ],
};

const seatsRow: RowSpec = {
  title: "Seats and reservations",
  panels: [
    {
      title: "Seats taken / returned per second",
      description: "Seats that changed hands in musical, counted after the commit that moved them.",
      unit: "ops",
      queries: [
        q(`sum(rate(outerpark_seats_taken_total[${RATE}]))`, "taken"),
        q(`sum(rate(outerpark_seats_returned_total[${RATE}]))`, "returned"),
      ],
    },
    {
      title: "Reservations by outcome / s",
      description: "placed, confirmed, cancelled, rejected (payment refused), expired (payment never answered).",
      unit: "ops",
      stack: true,
      queries: [q(`sum by (outcome) (rate(outerpark_reservations_total[${RATE}]))`, "{{outcome}}")],
    },
  ],
};

const runtimeRow: RowSpec = {
  title: "Node.js runtime",
  panels: [
    {
      title: "Event loop lag p99",
      description: "How late the event loop runs callbacks (prom-client's event loop monitor), per service.",
      unit: "s",
      queries: [q("max by (service) (nodejs_eventloop_lag_p99_seconds)", "{{service}}")],
    },
    {
      title: "Heap used",
      description: "V8 heap in use, per service (summed over pods).",
      unit: "bytes",
      queries: [q("sum by (service) (nodejs_heap_size_used_bytes)", "{{service}}")],
    },
    {
      title: "Resident memory",
      description: "Process resident set size, per service (summed over pods).",
      unit: "bytes",
      queries: [q("sum by (service) (process_resident_memory_bytes)", "{{service}}")],
    },
    {
      title: "GC time / s",
      description: "Seconds spent in garbage collection per second, by service and GC kind.",
      unit: "s",
      queries: [q(`sum by (service, kind) (rate(nodejs_gc_duration_seconds_sum[${RATE}]))`, "{{service}} {{kind}}")],
    },
    {
      title: "CPU",
      description: "CPU seconds per second, per service (summed over pods).",
      unit: "percentunit",
      queries: [q(`sum by (service) (rate(process_cpu_seconds_total[${RATE}]))`, "{{service}}")],
    },
  ],
};

export const rows: readonly RowSpec[] = [...SERVICE_NAMES.map(serviceRow), sagaRow, seatsRow, runtimeRow];

const PANEL_WIDTH = 8;
const PANEL_HEIGHT = 8;

function panel(spec: PanelSpec, id: number, x: number, y: number) {
  return {
    id,
    type: spec.type ?? "timeseries",
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { h: PANEL_HEIGHT, w: PANEL_WIDTH, x, y },
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.type === "state-timeline"
          ? {}
          : { custom: { drawStyle: "line", lineWidth: 1, fillOpacity: spec.stack ? 30 : 10, stacking: { mode: spec.stack ? "normal" : "none" } } }),
      },
      overrides: [],
    },
    options: { legend: { displayMode: "list", placement: "bottom", showLegend: true }, tooltip: { mode: "multi", sort: "desc" } },
    targets: spec.queries.map((query, i) => ({
      datasource: DATASOURCE,
      refId: String.fromCharCode(65 + i),
      expr: query.expr,
      legendFormat: query.legend,
      range: true,
    })),
  };
}

/** The dashboard model Grafana imports (schemaVersion 39: Grafana 10.x and 11.x). */
export function renderDashboard() {
  const panels: unknown[] = [];
  let id = 1;
  let y = 0;
  for (const row of rows) {
    panels.push({ id: id++, type: "row", title: row.title, collapsed: false, gridPos: { h: 1, w: 24, x: 0, y }, panels: [] });
    y += 1;
    row.panels.forEach((spec, i) => {
      const x = (i % 3) * PANEL_WIDTH;
      if (i > 0 && i % 3 === 0) y += PANEL_HEIGHT;
      panels.push(panel(spec, id++, x, y));
    });
    y += PANEL_HEIGHT;
  }
  return {
    uid: "outerpark-overview",
    title: "OuterPark",
    description: "Calls, errors and latency per service; the saga (outboxes, consumers, payments, breakers); seats; the Node.js runtime.",
    tags: ["outerpark", "grpc", "nodejs"],
    editable: true,
    graphTooltip: 1,
    refresh: "30s",
    schemaVersion: 39,
    version: 1,
    time: { from: "now-1h", to: "now" },
    timepicker: {},
    timezone: "browser",
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: "grafana", uid: "-- Grafana --" },
          enable: true,
          hide: true,
          iconColor: "rgba(0, 211, 255, 1)",
          name: "Annotations & Alerts",
          type: "dashboard",
        },
      ],
    },
    templating: {
      list: [{ name: "datasource", label: "Data source", type: "datasource", query: "prometheus", current: {}, hide: 0, refresh: 1, options: [] }],
    },
    links: [],
    panels,
  };
}

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const outputs = [join(root, "deploy/grafana/outerpark.json"), join(root, "deploy/helm/outerpark/files/grafana-dashboard.json")];

export const renderJson = () => `${JSON.stringify(renderDashboard(), null, 2)}\n`;

function main(argv: string[]) {
  const text = renderJson();
  writeOrCheck(
    outputs.map((file) => ({ file, text })),
    argv.includes("--check"),
    "node deploy/grafana/generate.ts",
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));

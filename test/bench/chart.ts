/**
 * The bench's chart as hand-written SVG (pure, no dependency): calls/s (left) and p99 (right) against clients, log
 * scales, the project's series solid, the ceilings measured in the same run dashed in the same colour.
 */
import type { Throughput } from "./ceilings.js";

export interface Series {
  name: string;
  color: string;
  points: readonly Throughput[];
  dashed?: boolean;
}

const PANEL = { width: 420, height: 300, left: 64, top: 40, gap: 90 };
const LEGEND_HEIGHT = 120;

/** Powers of ten (and 2×, 5×) covering [min, max], for a log axis. */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(min)); decade <= max * 10; decade *= 10) {
    for (const m of [1, 2, 5]) if (decade * m >= min && decade * m <= max) ticks.push(decade * m);
  }
  return ticks;
}

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const label = (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v));

function panel(series: readonly Series[], value: (t: Throughput) => number | null, title: string, x0: number, guide?: { at: number; text: string }) {
  const values = series.flatMap((s) => s.points.map(value)).filter((v): v is number => v !== null && v > 0);
  if (guide) values.push(guide.at);
  const clients = series.flatMap((s) => s.points.map((p) => p.clients));
  const [cMin, cMax] = [Math.min(...clients, 1), Math.max(...clients, 2)];
  const [vMin, vMax] = values.length
    ? [10 ** Math.floor(Math.log10(Math.min(...values))), 10 ** Math.ceil(Math.log10(Math.max(...values)))]
    : [1, 10];
  const w = PANEL.width;
  const h = PANEL.height;
  const x = (c: number) => x0 + (w * Math.log(c / cMin)) / Math.log(cMax / cMin);
  const y = (v: number) => PANEL.top + h - (h * Math.log(v / vMin)) / Math.log(vMax / vMin || 10);
  const out = [
    `<text x="${x0 + w / 2}" y="${PANEL.top - 14}" text-anchor="middle" font-weight="bold">${escape(title)}</text>`,
    `<rect x="${x0}" y="${PANEL.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`,
  ];
  for (const t of logTicks(vMin, vMax)) {
    out.push(`<line x1="${x0}" x2="${x0 + w}" y1="${y(t).toFixed(1)}" y2="${y(t).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 - 6}" y="${(y(t) + 4).toFixed(1)}" text-anchor="end">${label(t)}</text>`);
  }
  for (const c of [...new Set(clients)].sort((a, b) => a - b)) {
    out.push(`<text x="${x(c).toFixed(1)}" y="${PANEL.top + h + 18}" text-anchor="middle">${c}</text>`);
  }
  out.push(`<text x="${x0 + w / 2}" y="${PANEL.top + h + 36}" text-anchor="middle">clients</text>`);
  if (guide) {
    out.push(
      `<line x1="${x0}" x2="${x0 + w}" y1="${y(guide.at).toFixed(1)}" y2="${y(guide.at).toFixed(1)}" stroke="#c00" stroke-dasharray="2 3"/>`,
      `<text x="${x0 + w - 4}" y="${(y(guide.at) - 4).toFixed(1)}" text-anchor="end" fill="#c00">${escape(guide.text)}</text>`,
    );
  }
  for (const s of series) {
    const points = s.points.filter((p) => (value(p) ?? 0) > 0).map((p) => `${x(p.clients).toFixed(1)},${y(value(p)!).toFixed(1)}`);
    if (points.length === 0) continue;
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    out.push(`<polyline points="${points.join(" ")}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    for (const p of points) out.push(`<circle cx="${p.split(",")[0]}" cy="${p.split(",")[1]}" r="3" fill="${s.color}"/>`);
  }
  return out;
}

export function chartSvg(title: string, series: readonly Series[], p99GoalMs?: number): string {
  const width = PANEL.left * 2 + PANEL.width * 2 + PANEL.gap;
  const height = PANEL.top + PANEL.height + 50 + LEGEND_HEIGHT;
  const legendTop = PANEL.top + PANEL.height + 60;
  const legend = series.map((s, i) => {
    const lx = PANEL.left + (i % 2) * (PANEL.width + PANEL.gap);
    const ly = legendTop + Math.floor(i / 2) * 20;
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    return `<line x1="${lx}" x2="${lx + 30}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"${dash}/><text x="${lx + 38}" y="${ly + 4}">${escape(s.name)}</text>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="14">${escape(title)}</text>`,
    ...panel(series, (t) => t.callsPerS, "calls/s", PANEL.left),
    ...panel(
      series,
      (t) => t.p99Ms,
      "p99 latency (ms)",
      PANEL.left + PANEL.width + PANEL.gap,
      p99GoalMs ? { at: p99GoalMs, text: `rush p99 goal ${p99GoalMs} ms` } : undefined,
    ),
    ...legend,
    `</svg>`,
  ].join("\n");
}

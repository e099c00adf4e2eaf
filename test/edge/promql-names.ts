// The metric names a PromQL expression reads, for checking dashboards against
// what the services expose. Not a full PromQL parser: it removes everything that
// can hold an identifier that is not a metric (strings, label matchers,
// grouping label lists, ranges, Grafana variables), then keeps the identifiers
// that are not followed by "(" (functions, aggregations) and are not keywords.

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "bool",
  "and",
  "or",
  "unless",
  "offset",
  "atan2",
  "inf",
  "nan",
  "start",
  "end",
]);

/** Metric names in one PromQL expression, in order of first use. */
export function metricNames(expr: string): string[] {
  let rest = expr
    // Grafana variables: $__rate_interval, ${datasource}, [[var]]
    .replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\[\[[^\]]*\]\]/g, " ")
    // string literals, escapes included
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    // label matchers: {job="x", code!~"5.."}
    .replace(/\{[^}]*\}/g, " ")
    // range and subquery selectors: [5m], [1h:1m]
    .replace(/\[[^\]]*\]/g, " ");
  // Label lists: by (a, b), without (a), on (a), ignoring (a), group_left (a), group_right (a); "by" may be followed by a space or not.
  rest = rest.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names: string[] = [];
  for (const match of rest.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const name = match[0];
    const after = rest.slice(match.index + name.length);
    if (/^\s*\(/.test(after)) continue; // a function or aggregation
    if (KEYWORDS.has(name.toLowerCase())) continue;
    if (/[0-9]$/.test(rest.slice(0, match.index))) continue; // a duration/number suffix, e.g. the "m" of 5m or "e" of 1e3
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"];

/**
 * Metric families from Prometheus text exposition ("# TYPE name type" lines, so
 * metrics that have no sample yet count too).
 */
export function exposedFamilies(text: string): Map<string, string> {
  const families = new Map<string, string>();
  for (const [, name, type] of text.matchAll(/^# TYPE ([A-Za-z_:][A-Za-z0-9_:]*) (\w+)$/gm)) families.set(name!, type!);
  return families;
}

/** Whether a series name belongs to an exposed family: the name itself, or a histogram's or summary's _bucket/_sum/_count. */
export function isExposed(name: string, families: Map<string, string>): boolean {
  if (families.has(name)) return true;
  const suffix = HISTOGRAM_SUFFIXES.find((s) => name.endsWith(s));
  if (!suffix) return false;
  const type = families.get(name.slice(0, -suffix.length));
  return type === "histogram" || (type === "summary" && suffix !== "_bucket");
}

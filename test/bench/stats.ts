/** Latency summaries shared by the load generator and the report (pure, no I/O). */
export interface Latency {
  p50: number | null;
  p90: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * Nearest-rank percentile of values sorted ascending. An Infinity (a call or change that never completed) counts as
 * slower than everything, so a percentile that lands on one is null: unknown, never a flattering number.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  const value = sorted[rank - 1]!;
  return Number.isFinite(value) ? value : null;
}

export function summarize(values: Iterable<number>): Latency {
  const sorted = Float64Array.from(values).sort();
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: percentile(sorted, 100) };
}

/** The mean, or null when any value is unknown (a percentile that landed on an unfinished call, say). */
export function meanOf(values: readonly (number | null)[]): number | null {
  return values.some((value) => value === null) ? null : (values as number[]).reduce((sum, value) => sum + value, 0) / values.length;
}

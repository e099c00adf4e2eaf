import { pino, type Logger } from "pino";
import { activeTraceIds, tracingRequested } from "./tracing.js";

export type { Logger };

/**
 * JSON logs, one line per record, tagged with the service name. With tracing on, a line written inside a span
 * carries its trace_id and span_id, so logs and traces join; without, no per-line work is added.
 */
export function createLogger(service: string, level = process.env.LOG_LEVEL ?? "info"): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(tracingRequested() ? { mixin: () => activeTraceIds() ?? {} } : {}),
  });
}

import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import {
  Health,
  HealthCheckResponseSchema,
  HealthCheckResponse_ServingStatus as ServingStatus,
  type HealthCheckResponse,
} from "#gen/grpc/health/v1/health_pb.js";

/** Resolves when the dependency answers; throws (or rejects) when it is unreachable. */
export type HealthProbe = () => Promise<void>;

export interface HealthMonitorOptions {
  /** Named dependency checks, e.g. `{ database, nats }`. */
  probes: Record<string, HealthProbe>;
  /** Pause between the end of one probe run and the start of the next. Default 2000. */
  intervalMs?: number;
  /** A probe still pending after this long counts as failed. Default 1000. */
  timeoutMs?: number;
}

export interface ProbeResult {
  ok: boolean;
  /** Why the probe failed; absent when it passed. */
  error?: string;
  checkedAt: Date;
}

/** Service name that answers SERVING for as long as the process can answer at all (Kubernetes liveness). */
export const LIVENESS_SERVICE = "liveness";

/**
 * Runs the dependency probes periodically and on demand, and keeps the latest verdict, so that
 * health checks answer from memory instead of hitting the database on every Kubernetes probe.
 */
export class HealthMonitor {
  readonly #probes: [string, HealthProbe][];
  readonly #intervalMs: number;
  readonly #timeoutMs: number;
  readonly #listeners = new Set<(serving: boolean) => void>();
  #results: Record<string, ProbeResult> = {};
  // Not ready until the first run has proved the dependencies reachable.
  #probesPassing = false;
  #shuttingDown = false;
  #started = false;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<boolean> | undefined;

  constructor(options: HealthMonitorOptions) {
    this.#probes = Object.entries(options.probes);
    this.#intervalMs = options.intervalMs ?? 2000;
    this.#timeoutMs = options.timeoutMs ?? 1000;
  }

  /** Runs the probes now, then every `intervalMs`. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    void this.refresh().finally(() => this.#scheduleNext());
  }

  stop(): void {
    this.#started = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** From now on readiness is NOT_SERVING, so load balancers drain this instance before it exits. */
  markShuttingDown(): void {
    this.#update(() => {
      this.#shuttingDown = true;
    });
  }

  /** Ready: every probe passed on the latest run and the process is not shutting down. */
  isServing(): boolean {
    return this.#probesPassing && !this.#shuttingDown;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Latest outcome per probe, for logs and diagnostics. */
  get results(): Readonly<Record<string, ProbeResult>> {
    return this.#results;
  }

  /**
   * Runs every probe now and resolves with `isServing()`. A call made while a run is in progress
   * joins that run, so runs never overlap.
   */
  refresh(): Promise<boolean> {
    this.#inFlight ??= this.#runProbes().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Calls `listener` whenever `isServing()` changes. Returns the unsubscribe function. */
  onChange(listener: (serving: boolean) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  async #runProbes(): Promise<boolean> {
    const entries = await Promise.all(
      this.#probes.map(async ([name, probe]): Promise<[string, ProbeResult]> => {
        try {
          await withTimeout(probe, this.#timeoutMs);
          return [name, { ok: true, checkedAt: new Date() }];
        } catch (error) {
          return [name, { ok: false, error: describeError(error), checkedAt: new Date() }];
        }
      }),
    );
    this.#update(() => {
      this.#results = Object.fromEntries(entries);
      this.#probesPassing = entries.every(([, result]) => result.ok);
    });
    return this.isServing();
  }

  #scheduleNext(): void {
    // The timer check keeps a stop()/start() during a run from starting a second loop.
    if (!this.#started || this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.refresh().finally(() => this.#scheduleNext());
    }, this.#intervalMs);
    // Health checking alone must not keep the process alive.
    this.#timer.unref();
  }

  #update(mutate: () => void): void {
    const before = this.isServing();
    mutate();
    const after = this.isServing();
    if (after === before) return;
    for (const listener of [...this.#listeners]) {
      try {
        listener(after);
      } catch {
        // A faulty watcher must not stop the others from hearing about the change.
      }
    }
  }
}

async function withTimeout(probe: HealthProbe, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // Promise.resolve().then() also turns a synchronous throw into a rejection.
    await Promise.race([Promise.resolve().then(probe), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Implements grpc.health.v1.Health (https://github.com/grpc/grpc/blob/master/doc/health-checking.md).
 * "" and every name in `serviceNames` report readiness; "liveness" reports SERVING while the
 * process runs; other names are unknown.
 */
export function registerHealth(router: ConnectRouter, monitor: HealthMonitor, serviceNames: string[]): void {
  const readinessNames = new Set(["", ...serviceNames]);

  function statusOf(service: string): ServingStatus | undefined {
    if (service === LIVENESS_SERVICE) return ServingStatus.SERVING;
    if (!readinessNames.has(service)) return undefined;
    return monitor.isServing() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
  }
  const response = (status: ServingStatus): HealthCheckResponse => create(HealthCheckResponseSchema, { status });

  router.service(Health, {
    check(request) {
      const status = statusOf(request.service);
      if (status === undefined) {
        throw new ConnectError(`unknown service ${JSON.stringify(request.service)}`, Code.NotFound);
      }
      return response(status);
    },

    list() {
      const statuses: Record<string, HealthCheckResponse> = {};
      for (const name of [...readinessNames, LIVENESS_SERVICE]) {
        statuses[name] = response(statusOf(name) ?? ServingStatus.SERVICE_UNKNOWN);
      }
      return { statuses };
    },

    // Per the protocol an unknown service is reported as SERVICE_UNKNOWN and the call stays open.
    async *watch(request, context) {
      const { signal } = context;
      let sent: ServingStatus | undefined;
      while (!signal.aborted) {
        const current = statusOf(request.service) ?? ServingStatus.SERVICE_UNKNOWN;
        if (current !== sent) {
          sent = current;
          yield response(current);
          continue;
        }
        await nextChangeOrAbort(monitor, signal);
      }
    },
  });
}

/** Reading the status and subscribing happen in one synchronous step, so no change slips between them. */
function nextChangeOrAbort(monitor: HealthMonitor, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const settle = () => {
      unsubscribe();
      signal.removeEventListener("abort", settle);
      resolve();
    };
    const unsubscribe = monitor.onChange(settle);
    signal.addEventListener("abort", settle, { once: true });
  });
}

import { spawn, type ChildProcess } from "node:child_process";
import type { Logger } from "pino";

export interface SupervisedProcess {
  /** A name for the logs, e.g. "musical". */
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

export interface SupervisorOptions {
  logger: Logger;
  /** First restart delay; it doubles with each crash in a row, up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A process that ran this long before dying starts again from the initial delay. */
  stableAfterMs?: number;
  stdio?: "inherit" | "ignore";
}

interface Running {
  spec: SupervisedProcess;
  child?: ChildProcess;
  startedAt: number;
  crashesInARow: number;
  restartTimer?: NodeJS.Timeout;
}

/**
 * Keeps local processes running the way Kubernetes keeps pods running: a
 * process that exits while the supervisor is up is started again after a
 * growing back-off (CrashLoopBackOff), with a log line saying so. Only stop()
 * ends them for good.
 */
export class Supervisor {
  readonly #processes: Running[] = [];
  readonly #options: Required<SupervisorOptions>;
  #stopping = false;

  constructor(options: SupervisorOptions) {
    this.#options = { initialBackoffMs: 1_000, maxBackoffMs: 30_000, stableAfterMs: 60_000, stdio: "inherit", ...options };
  }

  start(spec: SupervisedProcess): void {
    const running: Running = { spec, startedAt: 0, crashesInARow: 0 };
    this.#processes.push(running);
    this.#launch(running);
  }

  /** The current process id of a supervised process (undefined while it waits to restart). */
  pid(name: string): number | undefined {
    return this.#processes.find((p) => p.spec.name === name)?.child?.pid;
  }

  /** SIGTERM to every process, waiting for each to exit; none is restarted. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(
      this.#processes.map((running) => {
        clearTimeout(running.restartTimer);
        const child = running.child;
        if (!child || child.exitCode !== null || child.signalCode) return undefined;
        return new Promise((resolve) => {
          child.once("exit", resolve);
          child.kill("SIGTERM");
        });
      }),
    );
  }

  #launch(running: Running): void {
    const { spec } = running;
    const child = spawn(spec.command, spec.args, {
      env: { ...process.env, ...spec.env },
      stdio: ["ignore", this.#options.stdio, this.#options.stdio],
    });
    running.child = child;
    running.startedAt = Date.now();
    child.once("exit", (code, signal) => {
      running.child = undefined;
      if (this.#stopping) return;
      const ranMs = Date.now() - running.startedAt;
      running.crashesInARow = ranMs >= this.#options.stableAfterMs ? 1 : running.crashesInARow + 1;
      const delayMs = Math.min(this.#options.maxBackoffMs, this.#options.initialBackoffMs * 2 ** (running.crashesInARow - 1));
      this.#options.logger.warn(
        { process: spec.name, code, signal, ranMs, restartInMs: delayMs, crashesInARow: running.crashesInARow },
        `${spec.name} exited; restarting it in ${delayMs} ms`,
      );
      running.restartTimer = setTimeout(() => {
        if (this.#stopping) return;
        this.#options.logger.info({ process: spec.name }, `restarting ${spec.name}`);
        this.#launch(running);
      }, delayMs);
    });
  }
}

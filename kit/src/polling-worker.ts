import type { Logger } from "pino";

/**
 * A background loop that works in passes: after a pass that did something it
 * goes again at once; after an idle pass it waits pollMs, or less when woken.
 * With `passSize`, a pass that handled fewer than that found all that was due:
 * it too waits, unless woken meanwhile (new work was committed during it).
 * The outbox relay, the payment processor, the notice dispatcher and the
 * placement sweeper all run this way.
 */
export class PollingWorker {
  #running = false;
  #loop: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;
  /** A wake that arrived while a pass ran: the next pass starts without sleeping. */
  #woken = false;

  constructor(
    private readonly options: {
      name: string;
      logger: Logger;
      pollMs: number;
      /** One unit of work; returns how many items it handled. */
      pass: () => Promise<number>;
      /** The most one pass takes: a pass that handled fewer leaves nothing due behind it. */
      passSize?: number;
      /** Finishes what passes leave for the next one (the relay's marks), before the worker waits. */
      beforeWait?: () => Promise<void>;
    },
  ) {}

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Cuts the current wait short (new work was just committed). */
  wake(): void {
    this.#woken = true;
    this.#wakeUp?.();
  }

  /** Finishes the pass under way, then stops. */
  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#woken = false;
      let handled = 0;
      try {
        handled = await this.options.pass();
      } catch (error) {
        this.options.logger.warn({ err: error, worker: this.options.name }, "worker pass failed");
      }
      // Without a passSize any item handled may mean more are due; with one, only a full pass does.
      const drained = handled < (this.options.passSize ?? 1);
      if (drained && this.#running && !this.#woken) {
        await this.options
          .beforeWait?.()
          .catch((error: unknown) => this.options.logger.warn({ err: error, worker: this.options.name }, "worker could not finish before waiting"));
        if (this.#running && !this.#woken) await this.#sleep();
      }
    }
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.pollMs);
      this.#wakeUp = done;
    });
  }
}

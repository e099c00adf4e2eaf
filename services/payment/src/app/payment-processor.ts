import type { Logger } from "pino";
import type { Worker } from "#kit/server.js";
import type { Transactor } from "#kit/outbox.js";
import { PollingWorker } from "#kit/polling-worker.js";
import { continueTrace } from "#kit/tracing.js";
import * as store from "../adapters/payment-store.js";
import type { Payments } from "./payments.js";

/**
 * Works through due payments (new, deferred, to refund, to void), up to
 * `concurrency` of them at once: each finished payment frees its slot for the
 * next, so one slow gateway call holds up no others. Payments are leased, so
 * several replicas share the work and a crashed replica's payments are picked
 * up when its lease runs out; each step re-reads its payment under lock, so it
 * stays idempotent however the steps interleave.
 */
export class PaymentProcessor implements Worker {
  readonly #worker: PollingWorker;
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly transactor: Transactor,
    private readonly payments: Payments,
    private readonly logger: Logger,
    private readonly options = { concurrency: 16, leaseMs: 60_000, pollMs: 1_000 },
  ) {
    this.#worker = new PollingWorker({ name: "payment-processor", logger, pollMs: options.pollMs, pass: () => this.processOnce() });
  }

  start(): void {
    this.#worker.start();
  }

  wake(): void {
    this.#worker.wake();
  }

  /** Stops leasing, then lets the payments in flight finish. */
  async stop(): Promise<void> {
    await this.#worker.stop();
    await Promise.all(this.#inFlight);
  }

  /** One pass: leases due payments into the free slots and starts them; returns how many it started. */
  async processOnce(): Promise<number> {
    const { concurrency, leaseMs } = this.options;
    // Lease when half the slots are free, so one statement leases many payments even while the window stays full.
    while (this.#inFlight.size > concurrency / 2) await Promise.race(this.#inFlight);
    // One statement (the lease is its own guard): no transaction around it.
    const leased = await this.transactor.autocommit((em) => store.leaseDue(em, concurrency - this.#inFlight.size, leaseMs));
    for (const payment of leased) {
      const work: Promise<void> = continueTrace("payment process", payment.trace, {}, () => this.payments.process(payment))
        .catch((error) => this.logger.error({ err: error, paymentId: payment.paymentId }, "payment step failed"))
        .finally(() => {
          this.#inFlight.delete(work);
          // A step may leave its payment due at once (a charge that landed after a cancellation is refunded next).
          this.#worker.wake();
        });
      this.#inFlight.add(work);
    }
    return leased.length;
  }
}

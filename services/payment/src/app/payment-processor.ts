import type { Logger } from "pino";
import type { Worker } from "#kit/server.js";
import type { Transactor } from "#kit/outbox.js";
import { PollingWorker } from "#kit/polling-worker.js";
import * as store from "../adapters/payment-store.js";
import type { Payments } from "./payments.js";

/**
 * Works through due payments (new, deferred, to refund, to void). Payments are
 * leased, so several replicas share the work and a crashed replica's payments
 * are picked up when its lease runs out.
 */
export class PaymentProcessor implements Worker {
  readonly #worker: PollingWorker;

  constructor(
    private readonly transactor: Transactor,
    private readonly payments: Payments,
    private readonly logger: Logger,
    private readonly options = { batchSize: 16, leaseMs: 60_000, pollMs: 200 },
  ) {
    this.#worker = new PollingWorker({ name: "payment-processor", logger, pollMs: options.pollMs, pass: () => this.processOnce() });
  }

  start(): void {
    this.#worker.start();
  }

  wake(): void {
    this.#worker.wake();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  /** One pass; returns how many payments it advanced. */
  async processOnce(): Promise<number> {
    const leased = await this.transactor.run((tx) => store.leaseDue(tx.em, this.options.batchSize, this.options.leaseMs));
    // Gateway calls of one batch run side by side; each payment commits on its own.
    await Promise.all(
      leased.map((payment) =>
        this.payments.process(payment).catch((error) => this.logger.error({ err: error, paymentId: payment.paymentId }, "payment step failed")),
      ),
    );
    return leased.length;
  }
}

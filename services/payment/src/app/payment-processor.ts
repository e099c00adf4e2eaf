import type { Logger } from "pino";
import type { Worker } from "../../../../kit/src/server.js";
import type { Transactor } from "../../../../kit/src/outbox.js";
import * as store from "../adapters/payment-store.js";
import type { Payments } from "./payments.js";

/**
 * Works through due payments (new, deferred, to refund, to void). Payments are
 * leased, so several replicas share the work and a crashed replica's payments
 * are picked up when its lease runs out.
 */
export class PaymentProcessor implements Worker {
  #running = false;
  #loop: Promise<void> | undefined;
  #wakeUp: (() => void) | undefined;

  constructor(
    private readonly transactor: Transactor,
    private readonly payments: Payments,
    private readonly logger: Logger,
    private readonly options = { batchSize: 16, leaseMs: 60_000, pollMs: 200 },
  ) {}

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  wake(): void {
    this.#wakeUp?.();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.wake();
    await this.#loop;
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

  async #run(): Promise<void> {
    while (this.#running) {
      let advanced = 0;
      try {
        advanced = await this.processOnce();
      } catch (error) {
        this.logger.warn({ err: error }, "payment pass failed");
      }
      if (advanced === 0 && this.#running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.pollMs);
          this.#wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
  }
}

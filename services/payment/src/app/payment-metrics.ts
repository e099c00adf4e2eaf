import { Gauge, registry } from "#kit/metrics.js";
import type { Autocommit } from "#kit/outbox.js";
import * as store from "../adapters/payment-store.js";

/** Unsettled payments by state (pending, deferred while the gateway is down, refund pending): read on scrape. */
export function watchUnsettledPayments(transactor: Autocommit): void {
  registry.removeSingleMetric("outerpark_payments_unsettled");
  new Gauge({
    name: "outerpark_payments_unsettled",
    help: "Payments not settled yet, by status: PENDING, DEFERRED (gateway unreachable, retrying), REFUND_PENDING.",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      try {
        const counts = await transactor.autocommit((em) => store.countUnsettled(em));
        for (const [status, n] of Object.entries(counts)) this.set({ status }, n);
      } catch {
        // During an outage the last values stay; the health endpoint tells the outage.
      }
    },
  });
}

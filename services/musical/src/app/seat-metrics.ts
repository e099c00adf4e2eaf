import { Counter, registry } from "#kit/metrics.js";

/** Seats that changed hands, counted after the commit that moved them. */
export const seatMetrics = {
  taken: new Counter({ name: "outerpark_seats_taken_total", help: "Seats taken by reservations.", registers: [registry] }),
  returned: new Counter({
    name: "outerpark_seats_returned_total",
    help: "Seats given back (cancelled, rejected, expired or aborted reservations).",
    registers: [registry],
  }),
};

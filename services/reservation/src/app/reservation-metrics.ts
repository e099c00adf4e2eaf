import { Counter, registry } from "#kit/metrics.js";

/** What happened to reservations, counted after the commit that made it so (never for a rolled-back attempt). */
export const reservationsCounter = new Counter({
  name: "outerpark_reservations_total",
  help: "Reservation outcomes: placed, confirmed, cancelled, rejected (payment refused), expired (payment never answered).",
  labelNames: ["outcome"],
  registers: [registry],
});

export const placementsAborted = new Counter({
  name: "outerpark_placements_aborted_total",
  help: "Placements undone because the seat call failed or was abandoned (their seats given back).",
  registers: [registry],
});

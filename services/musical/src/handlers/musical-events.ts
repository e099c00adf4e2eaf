import { on, type Subscription } from "#kit/consumer.js";
import { ReservationCancelledSchema, ReservationExpiredSchema, ReservationRejectedSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import { release } from "../app/inventory.js";

/** Seats go back when a reservation is cancelled, its payment was declined, or its payment deadline passed. */
export const reservationEventHandlers: Subscription[] = [
  on(ReservationCancelledSchema, async (event, tx) => {
    await release(tx, event.reservationId, event.customerId);
  }),
  on(ReservationRejectedSchema, async (event, tx) => {
    await release(tx, event.reservationId, event.customerId);
  }),
  on(ReservationExpiredSchema, async (event, tx) => {
    await release(tx, event.reservationId, event.customerId);
  }),
];

import type { EventHandler } from "../../../../kit/src/consumer.js";
import type { ReservationCancelled, ReservationRejected } from "../../../../gen/outerpark/reservation/v1/events_pb.js";
import { ReservationCancelledSchema, ReservationRejectedSchema } from "../../../../gen/outerpark/reservation/v1/events_pb.js";
import { release } from "../app/inventory.js";

/** Seats go back when a reservation is cancelled or its payment was declined. */
export const reservationEventHandlers: Record<string, EventHandler> = {
  [ReservationCancelledSchema.typeName]: (async (event: ReservationCancelled, tx) => {
    await release(tx, event.reservationId, event.customerId);
  }) as EventHandler,
  [ReservationRejectedSchema.typeName]: (async (event: ReservationRejected, tx) => {
    await release(tx, event.reservationId, event.customerId);
  }) as EventHandler,
};

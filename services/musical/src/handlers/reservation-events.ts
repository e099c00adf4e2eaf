import type { EventHandler } from "../../../../kit/src/consumer.js";
import type { ReservationCancelled, ReservationExpired, ReservationRejected } from "../../../../gen/outerpark/reservation/v1/events_pb.js";
import { ReservationCancelledSchema, ReservationExpiredSchema, ReservationRejectedSchema } from "../../../../gen/outerpark/reservation/v1/events_pb.js";
import { release } from "../app/inventory.js";

/** Seats go back when a reservation is cancelled, its payment was declined, or its payment deadline passed. */
export const reservationEventHandlers: Record<string, EventHandler> = {
  [ReservationCancelledSchema.typeName]: (async (event: ReservationCancelled, tx) => {
    await release(tx, event.reservationId, event.customerId);
  }) as EventHandler,
  [ReservationRejectedSchema.typeName]: (async (event: ReservationRejected, tx) => {
    await release(tx, event.reservationId, event.customerId);
  }) as EventHandler,
  [ReservationExpiredSchema.typeName]: (async (event: ReservationExpired, tx) => {
    await release(tx, event.reservationId, event.customerId);
  }) as EventHandler,
};

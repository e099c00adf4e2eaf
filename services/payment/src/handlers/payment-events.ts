import { timestampDate } from "@bufbuild/protobuf/wkt";
import { on, type Subscription } from "#kit/consumer.js";
import { ReservationCancelledSchema, ReservationPlacedSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import type { Payments } from "../app/payments.js";

/** Reservation facts open and cancel payments; the processor does the gateway work. */
export function reservationEventHandlers(payments: Payments, wakeProcessor: () => void): Subscription[] {
  return [
    on(ReservationPlacedSchema, async (event, tx) => {
      // The payment deadline runs from the placement, not from when this event arrived.
      const placedAt = event.occurredAt ? timestampDate(event.occurredAt) : new Date();
      payments.open(tx, { reservationId: event.reservationId, customerId: event.customerId, amount: event.amount, placedAt });
      tx.afterCommit(wakeProcessor);
    }),
    on(ReservationCancelledSchema, async (event, tx) => {
      await payments.requestCancellation(tx, { reservationId: event.reservationId, customerId: event.customerId });
      tx.afterCommit(wakeProcessor);
    }),
  ];
}

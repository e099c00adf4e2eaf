import type { EventHandler } from "../../../../kit/src/consumer.js";
import {
  PaymentApprovedSchema,
  PaymentCancelledSchema,
  PaymentDeferredSchema,
  PaymentExpiredSchema,
  PaymentFailedSchema,
  type PaymentApproved,
  type PaymentCancelled,
  type PaymentDeferred,
  type PaymentExpired,
  type PaymentFailed,
} from "../../../../gen/outerpark/payment/v1/events_pb.js";
import { onPaymentApproved, onPaymentCancelled, onPaymentDeferred, onPaymentExpired, onPaymentFailed } from "../domain/reservation.js";
import type { Reservations } from "../app/reservations.js";

/** The reservation side of the saga: payment facts move the reservation on. */
export function paymentEventHandlers(reservations: Reservations): Record<string, EventHandler> {
  return {
    [PaymentApprovedSchema.typeName]: ((event: PaymentApproved, tx) =>
      reservations.applyPaymentFact(tx, event.reservationId, onPaymentApproved)) as EventHandler,
    [PaymentFailedSchema.typeName]: ((event: PaymentFailed, tx) =>
      reservations.applyPaymentFact(tx, event.reservationId, onPaymentFailed, event.reason)) as EventHandler,
    [PaymentCancelledSchema.typeName]: ((event: PaymentCancelled, tx) =>
      reservations.applyPaymentFact(tx, event.reservationId, onPaymentCancelled)) as EventHandler,
    [PaymentDeferredSchema.typeName]: ((event: PaymentDeferred, tx) =>
      reservations.applyPaymentFact(tx, event.reservationId, onPaymentDeferred)) as EventHandler,
    [PaymentExpiredSchema.typeName]: ((event: PaymentExpired, tx) =>
      reservations.applyPaymentFact(tx, event.reservationId, onPaymentExpired, event.reason)) as EventHandler,
  };
}

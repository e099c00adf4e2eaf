import { on, type Subscription } from "#kit/consumer.js";
import {
  PaymentApprovedSchema,
  PaymentCancelledSchema,
  PaymentDeferredSchema,
  PaymentExpiredSchema,
  PaymentFailedSchema,
} from "#gen/outerpark/payment/v1/events_pb.js";
import { onPaymentApproved, onPaymentCancelled, onPaymentDeferred, onPaymentExpired, onPaymentFailed } from "../domain/reservation.js";
import type { Reservations } from "../app/reservations.js";

/** The reservation side of the saga: payment facts move the reservation on. */
export function paymentEventHandlers(reservations: Reservations): Subscription[] {
  return [
    on(PaymentApprovedSchema, (event, tx) => reservations.applyPaymentFact(tx, event.reservationId, onPaymentApproved)),
    on(PaymentFailedSchema, (event, tx) => reservations.applyPaymentFact(tx, event.reservationId, onPaymentFailed, event.reason)),
    on(PaymentCancelledSchema, (event, tx) => reservations.applyPaymentFact(tx, event.reservationId, onPaymentCancelled)),
    on(PaymentDeferredSchema, (event, tx) => reservations.applyPaymentFact(tx, event.reservationId, onPaymentDeferred)),
    on(PaymentExpiredSchema, (event, tx) => reservations.applyPaymentFact(tx, event.reservationId, onPaymentExpired, event.reason)),
  ];
}

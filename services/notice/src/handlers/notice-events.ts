import { on, type EventHandler, type Subscription } from "#kit/consumer.js";
import type { DomainEvent } from "#kit/events.js";
import { PaymentCancelledSchema, PaymentFailedSchema, type PaymentCancelled } from "#gen/outerpark/payment/v1/events_pb.js";
import { ReservationCancelledSchema, ReservationConfirmedSchema, ReservationExpiredSchema } from "#gen/outerpark/reservation/v1/events_pb.js";
import {
  isRefundNews,
  paymentApprovedMessage,
  paymentFailedMessage,
  paymentRefundedMessage,
  reservationCancelledMessage,
  reservationExpiredMessage,
  type NotificationKind,
} from "../domain/notification.js";
import type { Notifications } from "../app/notifications.js";

/** A handler that records one notification of the given kind for the event's customer and reservation (when the event is news). */
function notify<E extends DomainEvent & { customerId: string; reservationId: string }>(
  notifications: Notifications,
  kind: NotificationKind,
  message: (event: E) => string,
  isNews: (event: E) => boolean = () => true,
): EventHandler<E> {
  return (event, tx) => {
    if (!isNews(event)) return;
    notifications.enqueue(tx, { customerId: event.customerId, reservationId: event.reservationId, kind, message: message(event) });
  };
}

export function paymentEventHandlers(notifications: Notifications): Subscription[] {
  return [
    on(
      PaymentFailedSchema,
      notify(notifications, "PAYMENT_FAILED", (e) => paymentFailedMessage(e.reservationId, e.reason)),
    ),
    on(
      PaymentCancelledSchema,
      notify(notifications, "PAYMENT_REFUNDED", (e: PaymentCancelled) => paymentRefundedMessage(e.reservationId, e.amount), isRefundNews),
    ),
  ];
}

export function reservationEventHandlers(notifications: Notifications): Subscription[] {
  return [
    // Confirmed by the reservation itself, which orders payment against cancellation: a cancelled booking is never "confirmed".
    on(
      ReservationConfirmedSchema,
      notify(notifications, "PAYMENT_APPROVED", (e) => paymentApprovedMessage(e.reservationId, e.amount)),
    ),
    on(
      ReservationCancelledSchema,
      notify(notifications, "RESERVATION_CANCELLED", (e) => reservationCancelledMessage(e.reservationId, e.seats)),
    ),
    on(
      ReservationExpiredSchema,
      notify(notifications, "RESERVATION_EXPIRED", (e) => reservationExpiredMessage(e.reservationId, e.seats)),
    ),
  ];
}

import type { EventHandler } from "../../../../kit/src/consumer.js";
import {
  PaymentCancelledSchema,
  PaymentFailedSchema,
  type PaymentCancelled,
  type PaymentFailed,
} from "../../../../gen/outerpark/payment/v1/events_pb.js";
import {
  ReservationCancelledSchema,
  ReservationConfirmedSchema,
  ReservationExpiredSchema,
  type ReservationCancelled,
  type ReservationConfirmed,
  type ReservationExpired,
} from "../../../../gen/outerpark/reservation/v1/events_pb.js";
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
function notify<E extends { customerId: string; reservationId: string }>(
  notifications: Notifications,
  kind: NotificationKind,
  message: (event: E) => string,
  isNews: (event: E) => boolean = () => true,
): EventHandler {
  return (async (event: E, tx) => {
    if (!isNews(event)) return;
    await notifications.enqueue(tx, { customerId: event.customerId, reservationId: event.reservationId, kind, message: message(event) });
  }) as EventHandler;
}

export function paymentEventHandlers(notifications: Notifications): Record<string, EventHandler> {
  return {
    [PaymentFailedSchema.typeName]: notify(notifications, "PAYMENT_FAILED", (e: PaymentFailed) => paymentFailedMessage(e.reservationId, e.reason)),
    [PaymentCancelledSchema.typeName]: notify(
      notifications,
      "PAYMENT_REFUNDED",
      (e: PaymentCancelled) => paymentRefundedMessage(e.reservationId, e.amount),
      isRefundNews,
    ),
  };
}

export function reservationEventHandlers(notifications: Notifications): Record<string, EventHandler> {
  return {
    // Confirmed by the reservation itself, which orders payment against cancellation: a cancelled booking is never "confirmed".
    [ReservationConfirmedSchema.typeName]: notify(notifications, "PAYMENT_APPROVED", (e: ReservationConfirmed) =>
      paymentApprovedMessage(e.reservationId, e.amount),
    ),
    [ReservationCancelledSchema.typeName]: notify(notifications, "RESERVATION_CANCELLED", (e: ReservationCancelled) =>
      reservationCancelledMessage(e.reservationId, e.seats),
    ),
    [ReservationExpiredSchema.typeName]: notify(notifications, "RESERVATION_EXPIRED", (e: ReservationExpired) =>
      reservationExpiredMessage(e.reservationId, e.seats),
    ),
  };
}

import type { EventHandler } from "../../../../kit/src/consumer.js";
import {
  PaymentApprovedSchema,
  PaymentFailedSchema,
  type PaymentApproved,
  type PaymentFailed,
} from "../../../../gen/outerpark/payment/v1/events_pb.js";
import { ReservationCancelledSchema, type ReservationCancelled } from "../../../../gen/outerpark/reservation/v1/events_pb.js";
import { paymentApprovedMessage, paymentFailedMessage, reservationCancelledMessage, type NotificationKind } from "../domain/notification.js";
import type { Notifications } from "../app/notifications.js";

/** A handler that records one notification of the given kind for the event's customer and reservation. */
function notify<E extends { customerId: string; reservationId: string }>(
  notifications: Notifications,
  kind: NotificationKind,
  message: (event: E) => string,
): EventHandler {
  return (async (event: E, tx) =>
    notifications.enqueue(tx, { customerId: event.customerId, reservationId: event.reservationId, kind, message: message(event) })) as EventHandler;
}

export function paymentEventHandlers(notifications: Notifications): Record<string, EventHandler> {
  return {
    [PaymentApprovedSchema.typeName]: notify(notifications, "PAYMENT_APPROVED", (e: PaymentApproved) => paymentApprovedMessage(e.reservationId, e.amount)),
    [PaymentFailedSchema.typeName]: notify(notifications, "PAYMENT_FAILED", (e: PaymentFailed) => paymentFailedMessage(e.reservationId, e.reason)),
  };
}

export function reservationEventHandlers(notifications: Notifications): Record<string, EventHandler> {
  return {
    [ReservationCancelledSchema.typeName]: notify(notifications, "RESERVATION_CANCELLED", (e: ReservationCancelled) =>
      reservationCancelledMessage(e.reservationId, e.seats),
    ),
  };
}

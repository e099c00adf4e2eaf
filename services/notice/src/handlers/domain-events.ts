import type { EventHandler } from "../../../../kit/src/consumer.js";
import {
  PaymentApprovedSchema,
  PaymentFailedSchema,
  type PaymentApproved,
  type PaymentFailed,
} from "../../../../gen/outerpark/payment/v1/events_pb.js";
import { ReservationCancelledSchema, type ReservationCancelled } from "../../../../gen/outerpark/reservation/v1/events_pb.js";
import { paymentApprovedMessage, paymentFailedMessage, reservationCancelledMessage } from "../domain/notification.js";
import type { Notifications } from "../app/notifications.js";

export function paymentEventHandlers(notifications: Notifications, wake: () => void): Record<string, EventHandler> {
  return {
    [PaymentApprovedSchema.typeName]: (async (e: PaymentApproved, tx) => {
      await notifications.enqueue(tx, {
        customerId: e.customerId,
        reservationId: e.reservationId,
        kind: "PAYMENT_APPROVED",
        message: paymentApprovedMessage(e.reservationId, e.amount),
      });
      tx.afterCommit(wake);
    }) as EventHandler,
    [PaymentFailedSchema.typeName]: (async (e: PaymentFailed, tx) => {
      await notifications.enqueue(tx, {
        customerId: e.customerId,
        reservationId: e.reservationId,
        kind: "PAYMENT_FAILED",
        message: paymentFailedMessage(e.reservationId, e.reason),
      });
      tx.afterCommit(wake);
    }) as EventHandler,
  };
}

export function reservationEventHandlers(notifications: Notifications, wake: () => void): Record<string, EventHandler> {
  return {
    [ReservationCancelledSchema.typeName]: (async (e: ReservationCancelled, tx) => {
      await notifications.enqueue(tx, {
        customerId: e.customerId,
        reservationId: e.reservationId,
        kind: "RESERVATION_CANCELLED",
        message: reservationCancelledMessage(e.reservationId, e.seats),
      });
      tx.afterCommit(wake);
    }) as EventHandler,
  };
}

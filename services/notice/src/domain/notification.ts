/** What customers are told, and when. No I/O. */
import { formatWon } from "#kit/money.js";

/**
 * PAYMENT_APPROVED is sent when the reservation is confirmed (ReservationConfirmed), never on the payment's
 * word alone: a charge that lands for a cancelled or expired booking is refunded, and that is what is told.
 */
export type NotificationKind = "PAYMENT_APPROVED" | "RESERVATION_CANCELLED" | "PAYMENT_FAILED" | "RESERVATION_EXPIRED" | "PAYMENT_REFUNDED";

export interface NotificationRecord {
  notificationId: string;
  customerId: string;
  reservationId: string;
  kind: NotificationKind;
  message: string;
  channel: string;
  sentAt: Date | null;
  createdAt: Date;
}

export function paymentApprovedMessage(reservationId: string, amount: bigint): string {
  return `Payment of ${formatWon(amount)} approved: reservation ${reservationId} is confirmed.`;
}

export function reservationCancelledMessage(reservationId: string, seats: number): string {
  return `Reservation ${reservationId} (${seats} seat${seats === 1 ? "" : "s"}) was cancelled; any payment is refunded.`;
}

export function paymentFailedMessage(reservationId: string, reason: string): string {
  return `Payment for reservation ${reservationId} was declined (${reason}); the seats were released.`;
}

export function reservationExpiredMessage(reservationId: string, seats: number): string {
  return `Reservation ${reservationId} (${seats} seat${seats === 1 ? "" : "s"}) expired: its payment was not completed in time; the seats were released.`;
}

export function paymentRefundedMessage(reservationId: string, amount: bigint): string {
  return `${formatWon(amount)} for reservation ${reservationId} was refunded.`;
}

/** Only a refund that returned money is news; a payment voided before any charge cost the customer nothing. */
export function isRefundNews(event: { refunded: boolean }): boolean {
  return event.refunded;
}

/** What customers are told, and when. No I/O. */

export type NotificationKind = "PAYMENT_APPROVED" | "RESERVATION_CANCELLED" | "PAYMENT_FAILED";

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

function won(amount: bigint): string {
  return `₩${amount.toLocaleString("en-US")}`;
}

export function paymentApprovedMessage(reservationId: string, amount: bigint): string {
  return `Payment of ${won(amount)} approved: reservation ${reservationId} is confirmed.`;
}

export function reservationCancelledMessage(reservationId: string, seats: number): string {
  return `Reservation ${reservationId} (${seats} seat${seats === 1 ? "" : "s"}) was cancelled; any payment is refunded.`;
}

export function paymentFailedMessage(reservationId: string, reason: string): string {
  return `Payment for reservation ${reservationId} was declined (${reason}); the seats were released.`;
}

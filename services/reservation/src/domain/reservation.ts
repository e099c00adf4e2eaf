/** Reservation lifecycle rules. No I/O. */

/**
 * PLACING: seats are being taken. ABORTING: an abort has won the row and is
 * releasing the seats. Neither is a reservation yet; customers never see them.
 * EXPIRED: its payment was not settled within the payment deadline; the seats went back.
 */
export type ReservationStatus = "PLACING" | "ABORTING" | "RESERVED" | "PAID" | "CANCELLED" | "REJECTED" | "EXPIRED";

export const UNFINISHED_PLACEMENT: readonly ReservationStatus[] = ["PLACING", "ABORTING"];

export function isUnfinishedPlacement(status: ReservationStatus): boolean {
  return UNFINISHED_PLACEMENT.includes(status);
}

export type PaymentState = "PENDING" | "DEFERRED" | "APPROVED" | "DECLINED" | "CANCELLED" | "EXPIRED";

export interface ReservationRecord {
  reservationId: string;
  customerId: string;
  idempotencyKey: string;
  musicalId: string;
  musicalName: string;
  seats: number;
  amount: bigint;
  status: ReservationStatus;
  paymentState: PaymentState;
  placedAt: Date;
  updatedAt: Date;
}

/** Payment facts can arrive out of order (several relays, redeliveries): a state only moves forward. */
/** A payment ends approved, declined or expired (one verdict stands); a refund of a charge found later still follows. */
const PAYMENT_RANK: Record<PaymentState, number> = { PENDING: 0, DEFERRED: 1, APPROVED: 2, DECLINED: 2, EXPIRED: 2, CANCELLED: 3 };

export function advancePayment(current: PaymentState, next: PaymentState): PaymentState {
  return PAYMENT_RANK[next] > PAYMENT_RANK[current] ? next : current;
}

export type Transition =
  { kind: "unchanged" } | { kind: "changed"; status: ReservationStatus; paymentState: PaymentState; emit?: "confirmed" | "rejected" | "expired" };

export function onPaymentApproved(r: ReservationRecord): Transition {
  const paymentState = advancePayment(r.paymentState, "APPROVED");
  if (r.status === "RESERVED") return { kind: "changed", status: "PAID", paymentState, emit: "confirmed" };
  // Cancelled meanwhile: payment refunds it on ReservationCancelled.
  return paymentState === r.paymentState ? { kind: "unchanged" } : { kind: "changed", status: r.status, paymentState };
}

export function onPaymentFailed(r: ReservationRecord): Transition {
  const paymentState = advancePayment(r.paymentState, "DECLINED");
  if (r.status === "RESERVED") return { kind: "changed", status: "REJECTED", paymentState, emit: "rejected" };
  return paymentState === r.paymentState ? { kind: "unchanged" } : { kind: "changed", status: r.status, paymentState };
}

/** The payment deadline passed: a reservation still waiting for its payment expires and gives its seats back. */
export function onPaymentExpired(r: ReservationRecord): Transition {
  const paymentState = advancePayment(r.paymentState, "EXPIRED");
  if (r.status === "RESERVED") return { kind: "changed", status: "EXPIRED", paymentState, emit: "expired" };
  return paymentState === r.paymentState ? { kind: "unchanged" } : { kind: "changed", status: r.status, paymentState };
}

export function onPaymentCancelled(r: ReservationRecord): Transition {
  const paymentState = advancePayment(r.paymentState, "CANCELLED");
  return paymentState === r.paymentState ? { kind: "unchanged" } : { kind: "changed", status: r.status, paymentState };
}

export function onPaymentDeferred(r: ReservationRecord): Transition {
  const paymentState = advancePayment(r.paymentState, "DEFERRED");
  return paymentState === r.paymentState ? { kind: "unchanged" } : { kind: "changed", status: r.status, paymentState };
}

export type CancelDecision = { kind: "cancel" } | { kind: "already-cancelled" } | { kind: "refuse"; reason: string };

export function decideCancel(r: ReservationRecord): CancelDecision {
  switch (r.status) {
    case "RESERVED":
    case "PAID":
      return { kind: "cancel" };
    case "CANCELLED":
      return { kind: "already-cancelled" };
    case "REJECTED":
      return { kind: "refuse", reason: "reservation was rejected because its payment was declined, there is nothing to cancel" };
    case "EXPIRED":
      return { kind: "refuse", reason: "reservation expired because its payment was not completed in time, there is nothing to cancel" };
    case "PLACING":
    case "ABORTING":
      return { kind: "refuse", reason: "reservation is still being placed, retry shortly" };
  }
}

/** The same idempotency key must mean the same request. */
export function sameRequest(r: ReservationRecord, musicalId: string, seats: number): boolean {
  return r.musicalId === musicalId && r.seats === seats;
}

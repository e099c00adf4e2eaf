/** Payment lifecycle rules. No I/O. */

export type PaymentStatus = "PENDING" | "DEFERRED" | "APPROVED" | "FAILED" | "REFUND_PENDING" | "CANCELLED" | "EXPIRED";

export interface PaymentRecord {
  paymentId: string;
  reservationId: string;
  customerId: string;
  amount: bigint;
  status: PaymentStatus;
  refunded: boolean;
  failureReason: string;
  attempts: number;
  cancelRequested: boolean;
  /** A charge was sent to the gateway at least once; its outcome may be unknown (a crash mid-call). */
  chargeAttempted: boolean;
  /** Failed or expired while a charge sent earlier may still land: the charge key is still to be voided at the gateway. */
  voidPending: boolean;
  deferredNotified: boolean;
  chargeId: string;
  /** The payment deadline: not settled by then, the payment expires and the reservation's seats go back. */
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * What the processor does next with a due payment.
 * "settle": cancelled after a charge was sent whose outcome is unknown — ask the gateway before voiding.
 * "expire": the deadline passed unsettled — void the charge key at the gateway, then expire (or approve, if it was charged).
 * "void-key": failed or expired while an earlier charge may still land — void its key at the gateway (refund what it reports).
 */
export type PaymentAction = "charge" | "refund" | "void" | "settle" | "expire" | "void-key" | "none";

export function nextAction(
  p: Pick<PaymentRecord, "status" | "cancelRequested"> & { chargeAttempted?: boolean; voidPending?: boolean; expiresAt?: Date },
  now = Date.now(),
): PaymentAction {
  switch (p.status) {
    case "PENDING":
    case "DEFERRED":
      if (p.cancelRequested) return p.chargeAttempted ? "settle" : "void";
      return p.expiresAt && now >= p.expiresAt.getTime() ? "expire" : "charge";
    case "APPROVED":
      return p.cancelRequested ? "refund" : "none";
    case "REFUND_PENDING":
      return "refund";
    case "FAILED":
    case "EXPIRED":
      return p.voidPending ? "void-key" : "none";
    case "CANCELLED":
      return "none";
  }
}

/** The reservation was cancelled: what becomes of its payment right away. */
export function onCancellationRequested(status: PaymentStatus): PaymentStatus {
  return status === "APPROVED" ? "REFUND_PENDING" : status;
}

/** A payment in one of these states has ended without a charge: a cancellation changes nothing (a charge found later is refunded anyway). */
export function isFinalWithoutCharge(status: PaymentStatus): boolean {
  return status === "FAILED" || status === "CANCELLED" || status === "EXPIRED";
}

/** Retry schedule while the gateway is unavailable: 1 s, 2 s, 4 s … capped at 30 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, Math.min(attempts - 1, 5)));
}

/** The retry delay, but never past the payment deadline: an unsettled payment expires on time. */
export function retryDelayBeforeDeadlineMs(attempts: number, expiresAt: Date, now: number): number {
  return Math.max(0, Math.min(retryDelayMs(attempts), expiresAt.getTime() - now));
}

/** When a payment for a reservation placed at placedAt must be settled. */
export function paymentDeadline(placedAt: Date, deadlineMs: number): Date {
  return new Date(placedAt.getTime() + deadlineMs);
}

export function expiryReason(deadlineMs: number): string {
  const within = deadlineMs % 60_000 === 0 ? `${deadlineMs / 60_000} min` : `${Math.round(deadlineMs / 1_000)} s`;
  return `payment not completed within the payment deadline (${within})`;
}

export type ChargeOutcome =
  | { kind: "approved"; chargeId: string }
  | { kind: "declined"; reason: string }
  /** The gateway refused the request itself (HTTP 4xx): retrying the same request cannot succeed. */
  | { kind: "refused"; reason: string }
  | { kind: "unavailable"; reason: string };

/**
 * 4xx answers that say nothing about the charge: our credentials or address
 * are wrong (an operator can fix them), the request timed out, or we are
 * throttled. They are retried until the deadline; every other 4xx judges the
 * request itself and is final.
 */
const RETRYABLE_4XX = new Set([401, 403, 404, 407, 408, 425, 429]);

/** What an HTTP status answering a charge means. */
export function classifyChargeStatus(status: number): ChargeOutcome["kind"] {
  if (status === 200) return "approved";
  if (status === 402) return "declined";
  if (status >= 400 && status < 500 && !RETRYABLE_4XX.has(status)) return "refused";
  return "unavailable";
}

export type VoidAnswer = { kind: "approved"; chargeId: string } | { kind: "voided" } | { kind: "unavailable"; reason: string };

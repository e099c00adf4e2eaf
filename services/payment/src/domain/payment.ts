/** Payment lifecycle rules. No I/O. */

export type PaymentStatus = "PENDING" | "DEFERRED" | "APPROVED" | "FAILED" | "REFUND_PENDING" | "CANCELLED";

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
  deferredNotified: boolean;
  chargeId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What the processor does next with a due payment. */
/** "settle": cancelled after a charge was sent whose outcome is unknown — ask the gateway before voiding. */
export type PaymentAction = "charge" | "refund" | "void" | "settle" | "none";

export function nextAction(p: Pick<PaymentRecord, "status" | "cancelRequested"> & { chargeAttempted?: boolean }): PaymentAction {
  switch (p.status) {
    case "PENDING":
    case "DEFERRED":
      if (!p.cancelRequested) return "charge";
      return p.chargeAttempted ? "settle" : "void";
    case "APPROVED":
      return p.cancelRequested ? "refund" : "none";
    case "REFUND_PENDING":
      return "refund";
    case "FAILED":
    case "CANCELLED":
      return "none";
  }
}

/** The reservation was cancelled: what becomes of its payment right away. */
export function onCancellationRequested(status: PaymentStatus): PaymentStatus {
  return status === "APPROVED" ? "REFUND_PENDING" : status;
}

/** Retry schedule while the gateway is unavailable: 1 s, 2 s, 4 s … capped at 30 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000, 1_000 * 2 ** Math.max(0, Math.min(attempts - 1, 5)));
}

export type ChargeOutcome = { kind: "approved"; chargeId: string } | { kind: "declined"; reason: string } | { kind: "unavailable"; reason: string };

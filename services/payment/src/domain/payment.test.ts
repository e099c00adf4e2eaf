import { describe, expect, it } from "vitest";
import {
  classifyChargeStatus,
  expiryReason,
  isFinalWithoutCharge,
  nextAction,
  onCancellationRequested,
  paymentDeadline,
  retryDelayBeforeDeadlineMs,
  retryDelayMs,
  type PaymentAction,
  type PaymentStatus,
} from "./payment.js";

describe("nextAction", () => {
  const table: [PaymentStatus, boolean, PaymentAction][] = [
    ["PENDING", false, "charge"],
    ["PENDING", true, "void"],
    ["DEFERRED", false, "charge"],
    ["DEFERRED", true, "void"],
    ["APPROVED", false, "none"],
    ["APPROVED", true, "refund"],
    ["REFUND_PENDING", false, "refund"],
    ["REFUND_PENDING", true, "refund"],
    ["FAILED", false, "none"],
    ["FAILED", true, "none"],
    ["CANCELLED", false, "none"],
    ["CANCELLED", true, "none"],
  ];

  it.each(table)("a %s payment with cancelRequested=%s → %s", (status, cancelRequested, action) => {
    expect(nextAction({ status, cancelRequested })).toBe(action);
  });

  it.each<[PaymentStatus, boolean, PaymentAction]>([
    ["PENDING", true, "settle"],
    ["DEFERRED", true, "settle"],
    ["PENDING", false, "charge"],
    ["APPROVED", true, "refund"],
  ])("after a charge was sent, a %s payment with cancelRequested=%s → %s (never a blind void)", (status, cancelRequested, action) => {
    expect(nextAction({ status, cancelRequested, chargeAttempted: true })).toBe(action);
  });

  it("never charges a payment whose reservation was cancelled", () => {
    const statuses: PaymentStatus[] = ["PENDING", "DEFERRED", "APPROVED", "FAILED", "REFUND_PENDING", "CANCELLED"];
    for (const status of statuses) expect(nextAction({ status, cancelRequested: true })).not.toBe("charge");
  });
});

describe("onCancellationRequested", () => {
  it.each<[PaymentStatus, PaymentStatus]>([
    ["APPROVED", "REFUND_PENDING"],
    ["PENDING", "PENDING"],
    ["DEFERRED", "DEFERRED"],
    ["REFUND_PENDING", "REFUND_PENDING"],
    ["FAILED", "FAILED"],
    ["CANCELLED", "CANCELLED"],
  ])("%s becomes %s", (before, after) => {
    expect(onCancellationRequested(before)).toBe(after);
  });

  it("a charged payment is refunded next, an uncharged one voided next", () => {
    expect(nextAction({ status: onCancellationRequested("APPROVED"), cancelRequested: true })).toBe("refund");
    expect(nextAction({ status: onCancellationRequested("PENDING"), cancelRequested: true })).toBe("void");
    expect(nextAction({ status: onCancellationRequested("DEFERRED"), cancelRequested: true })).toBe("void");
  });
});

describe("retryDelayMs", () => {
  it.each([
    [1, 1_000],
    [2, 2_000],
    [3, 4_000],
    [4, 8_000],
    [5, 16_000],
    [6, 30_000],
    [7, 30_000],
    [50, 30_000],
    [10_000, 30_000],
  ])("attempt %i waits %i ms", (attempts, delay) => {
    expect(retryDelayMs(attempts)).toBe(delay);
  });

  it("treats a first call with no recorded attempt like the first attempt", () => {
    expect(retryDelayMs(0)).toBe(1_000);
  });

  it("never shrinks and never exceeds 30 s", () => {
    let previous = 0;
    for (let attempts = 1; attempts <= 100; attempts++) {
      const delay = retryDelayMs(attempts);
      expect(delay).toBeGreaterThanOrEqual(previous);
      expect(delay).toBeLessThanOrEqual(30_000);
      previous = delay;
    }
  });
});

describe("the payment deadline", () => {
  const NOW = Date.parse("2026-11-25T12:00:00Z");
  const past = new Date(NOW - 1);
  const future = new Date(NOW + 60_000);

  it.each<[PaymentStatus, Date, PaymentAction]>([
    ["PENDING", future, "charge"],
    ["DEFERRED", future, "charge"],
    ["PENDING", past, "expire"],
    ["DEFERRED", past, "expire"],
    ["PENDING", new Date(NOW), "expire"],
  ])("a %s payment due %s → %s", (status, expiresAt, action) => {
    expect(nextAction({ status, cancelRequested: false, chargeAttempted: true, expiresAt }, NOW)).toBe(action);
  });

  it("never charges a payment past its deadline", () => {
    const statuses: PaymentStatus[] = ["PENDING", "DEFERRED", "APPROVED", "FAILED", "REFUND_PENDING", "CANCELLED", "EXPIRED"];
    for (const status of statuses) {
      for (const cancelRequested of [false, true]) {
        for (const voidPending of [false, true]) {
          expect(nextAction({ status, cancelRequested, chargeAttempted: true, voidPending, expiresAt: past }, NOW)).not.toBe("charge");
        }
      }
    }
  });

  it("a cancellation wins over the deadline: the cancelled payment is settled or voided, not expired", () => {
    expect(nextAction({ status: "DEFERRED", cancelRequested: true, chargeAttempted: true, expiresAt: past }, NOW)).toBe("settle");
    expect(nextAction({ status: "PENDING", cancelRequested: true, chargeAttempted: false, expiresAt: past }, NOW)).toBe("void");
  });

  it.each<[PaymentStatus, boolean, PaymentAction]>([
    ["EXPIRED", true, "void-key"],
    ["EXPIRED", false, "none"],
    ["FAILED", true, "void-key"],
    ["FAILED", false, "none"],
    ["CANCELLED", true, "none"],
  ])("a %s payment whose key is still to be voided=%s → %s", (status, voidPending, action) => {
    expect(nextAction({ status, cancelRequested: false, voidPending, expiresAt: past }, NOW)).toBe(action);
  });

  it("runs from the placement", () => {
    expect(paymentDeadline(new Date(NOW), 15 * 60_000)).toEqual(new Date(NOW + 900_000));
  });

  it.each([
    [1, future, 1_000],
    [6, future, 30_000],
    [6, new Date(NOW + 5_000), 5_000],
    [1, new Date(NOW + 300), 300],
    [3, past, 0],
  ])("retry after attempt %i with the deadline at %s waits %i ms", (attempts, expiresAt, delay) => {
    expect(retryDelayBeforeDeadlineMs(attempts, expiresAt, NOW)).toBe(delay);
  });

  it.each([
    [15 * 60_000, "payment not completed within the payment deadline (15 min)"],
    [5_000, "payment not completed within the payment deadline (5 s)"],
  ])("explains an expiry after %i ms", (deadlineMs, reason) => {
    expect(expiryReason(deadlineMs)).toBe(reason);
  });

  it.each<[PaymentStatus, boolean]>([
    ["FAILED", true],
    ["CANCELLED", true],
    ["EXPIRED", true],
    ["PENDING", false],
    ["DEFERRED", false],
    ["APPROVED", false],
    ["REFUND_PENDING", false],
  ])("a cancellation has nothing to do for a %s payment: %s", (status, final) => {
    expect(isFinalWithoutCharge(status)).toBe(final);
  });
});

describe("classifyChargeStatus", () => {
  it.each([
    [200, "approved"],
    [402, "declined"],
    // The request itself is judged: retrying it cannot succeed.
    [400, "refused"],
    [409, "refused"],
    [410, "refused"],
    [413, "refused"],
    [422, "refused"],
    // Our own setup or the moment is wrong: retried until the deadline.
    [401, "unavailable"],
    [403, "unavailable"],
    [404, "unavailable"],
    [408, "unavailable"],
    [429, "unavailable"],
    [500, "unavailable"],
    [502, "unavailable"],
    [503, "unavailable"],
    [504, "unavailable"],
    [302, "unavailable"],
  ])("HTTP %i → %s", (status, kind) => {
    expect(classifyChargeStatus(status)).toBe(kind);
  });
});

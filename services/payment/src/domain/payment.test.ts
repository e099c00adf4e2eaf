import { describe, expect, it } from "vitest";
import { nextAction, onCancellationRequested, retryDelayMs, type PaymentAction, type PaymentStatus } from "./payment.js";

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

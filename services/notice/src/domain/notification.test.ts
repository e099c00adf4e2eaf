import { describe, expect, it } from "vitest";
import {
  isRefundNews,
  paymentApprovedMessage,
  paymentFailedMessage,
  paymentRefundedMessage,
  reservationCancelledMessage,
  reservationExpiredMessage,
} from "./notification.js";

const RESERVATION = "3f2a9c1e-0b7d-4e51-9a63-2c8d1f0e4b77";

describe("paymentApprovedMessage", () => {
  it("names the amount in won with thousands separators and confirms the reservation", () => {
    expect(paymentApprovedMessage(RESERVATION, 240_000n)).toBe(`Payment of ₩240,000 approved: reservation ${RESERVATION} is confirmed.`);
  });

  it.each([
    [0n, "₩0"],
    [999n, "₩999"],
    [1_000n, "₩1,000"],
    [1_234_567n, "₩1,234,567"],
    // Beyond Number.MAX_SAFE_INTEGER: must not lose digits through a float.
    [12_345_678_901_234_567_890n, "₩12,345,678,901,234,567,890"],
  ])("formats %s as %s", (amount, text) => {
    expect(paymentApprovedMessage(RESERVATION, amount)).toContain(`Payment of ${text} approved`);
  });
});

describe("reservationCancelledMessage", () => {
  it("uses the singular for one seat", () => {
    expect(reservationCancelledMessage(RESERVATION, 1)).toBe(`Reservation ${RESERVATION} (1 seat) was cancelled; any payment is refunded.`);
  });

  it("uses the plural for several seats", () => {
    expect(reservationCancelledMessage(RESERVATION, 3)).toBe(`Reservation ${RESERVATION} (3 seats) was cancelled; any payment is refunded.`);
  });
});

describe("paymentFailedMessage", () => {
  it("gives the decline reason and says the seats were released", () => {
    expect(paymentFailedMessage(RESERVATION, "card expired")).toBe(
      `Payment for reservation ${RESERVATION} was declined (card expired); the seats were released.`,
    );
  });
});

describe("reservationExpiredMessage", () => {
  it("says the payment was not completed in time and the seats went back", () => {
    expect(reservationExpiredMessage(RESERVATION, 3)).toBe(
      `Reservation ${RESERVATION} (3 seats) expired: its payment was not completed in time; the seats were released.`,
    );
    expect(reservationExpiredMessage(RESERVATION, 1)).toContain("(1 seat)");
  });
});

describe("refunds", () => {
  it("names the amount refunded", () => {
    expect(paymentRefundedMessage(RESERVATION, 60_000n)).toBe(`₩60,000 for reservation ${RESERVATION} was refunded.`);
  });

  it("tells of a refund that returned money, not of a payment voided before any charge", () => {
    expect(isRefundNews({ refunded: true })).toBe(true);
    expect(isRefundNews({ refunded: false })).toBe(false);
  });
});

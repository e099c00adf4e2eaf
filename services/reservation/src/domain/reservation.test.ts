import { describe, expect, it } from "vitest";
import {
  advancePayment,
  decideCancel,
  onPaymentApproved,
  onPaymentCancelled,
  onPaymentDeferred,
  onPaymentExpired,
  onPaymentFailed,
  sameRequest,
  type CancelDecision,
  type PaymentState,
  type ReservationRecord,
  type ReservationStatus,
  type Transition,
} from "./reservation.js";

function reservation(status: ReservationStatus, paymentState: PaymentState): ReservationRecord {
  return {
    reservationId: "r-1",
    customerId: "alice",
    idempotencyKey: "k-1",
    musicalId: "phantom",
    musicalName: "Phantom of the Opera",
    seats: 2,
    amount: 240_000n,
    status,
    paymentState,
    placedAt: new Date("2026-11-24T10:00:00Z"),
    updatedAt: new Date("2026-11-24T10:00:00Z"),
  };
}

/** Applies a transition the way the reservation service stores it. */
function apply(r: ReservationRecord, t: Transition): ReservationRecord {
  return t.kind === "unchanged" ? r : { ...r, status: t.status, paymentState: t.paymentState };
}

describe("advancePayment: a payment state only moves forward", () => {
  // [current, next, result]
  it.each<[PaymentState, PaymentState, PaymentState]>([
    ["PENDING", "DEFERRED", "DEFERRED"],
    ["PENDING", "APPROVED", "APPROVED"],
    ["PENDING", "DECLINED", "DECLINED"],
    ["PENDING", "CANCELLED", "CANCELLED"],
    ["DEFERRED", "APPROVED", "APPROVED"],
    ["DEFERRED", "DECLINED", "DECLINED"],
    ["DEFERRED", "CANCELLED", "CANCELLED"],
    ["APPROVED", "CANCELLED", "CANCELLED"],
    ["DECLINED", "CANCELLED", "CANCELLED"],
    // Late or redelivered facts change nothing:
    ["DEFERRED", "PENDING", "DEFERRED"],
    ["APPROVED", "DEFERRED", "APPROVED"],
    ["APPROVED", "PENDING", "APPROVED"],
    ["DECLINED", "DEFERRED", "DECLINED"],
    ["CANCELLED", "APPROVED", "CANCELLED"],
    ["CANCELLED", "DEFERRED", "CANCELLED"],
    ["CANCELLED", "DECLINED", "CANCELLED"],
    ["APPROVED", "APPROVED", "APPROVED"],
    ["CANCELLED", "CANCELLED", "CANCELLED"],
    // A payment is either approved or declined, never both: the first verdict stands.
    ["APPROVED", "DECLINED", "APPROVED"],
    ["DECLINED", "APPROVED", "DECLINED"],
  ])("%s + %s → %s", (current, next, result) => {
    expect(advancePayment(current, next)).toBe(result);
  });
});

describe("onPaymentApproved", () => {
  it.each<PaymentState>(["PENDING", "DEFERRED"])("confirms a RESERVED reservation whose payment was %s", (paymentState) => {
    expect(onPaymentApproved(reservation("RESERVED", paymentState))).toStrictEqual({
      kind: "changed",
      status: "PAID",
      paymentState: "APPROVED",
      emit: "confirmed",
    });
  });

  it("keeps a reservation cancelled meanwhile CANCELLED and emits nothing (payment refunds it)", () => {
    expect(onPaymentApproved(reservation("CANCELLED", "PENDING"))).toStrictEqual({
      kind: "changed",
      status: "CANCELLED",
      paymentState: "APPROVED",
    });
  });

  it("changes nothing when the refund was already recorded", () => {
    expect(onPaymentApproved(reservation("CANCELLED", "CANCELLED"))).toEqual({ kind: "unchanged" });
  });

  it("changes nothing on a redelivered approval", () => {
    expect(onPaymentApproved(reservation("PAID", "APPROVED"))).toEqual({ kind: "unchanged" });
  });

  it("does not revive a reservation rejected for a declined payment", () => {
    expect(onPaymentApproved(reservation("REJECTED", "DECLINED"))).toEqual({ kind: "unchanged" });
  });
});

describe("onPaymentFailed", () => {
  it.each<PaymentState>(["PENDING", "DEFERRED"])("rejects a RESERVED reservation whose payment was %s and emits rejected", (paymentState) => {
    expect(onPaymentFailed(reservation("RESERVED", paymentState))).toStrictEqual({
      kind: "changed",
      status: "REJECTED",
      paymentState: "DECLINED",
      emit: "rejected",
    });
  });

  it("records the decline on a CANCELLED reservation without rejecting it or emitting", () => {
    expect(onPaymentFailed(reservation("CANCELLED", "PENDING"))).toStrictEqual({
      kind: "changed",
      status: "CANCELLED",
      paymentState: "DECLINED",
    });
  });

  it("changes nothing on a redelivered decline", () => {
    expect(onPaymentFailed(reservation("REJECTED", "DECLINED"))).toEqual({ kind: "unchanged" });
  });

  it("does not reject a reservation already paid", () => {
    expect(onPaymentFailed(reservation("PAID", "APPROVED"))).toEqual({ kind: "unchanged" });
  });
});

describe("onPaymentCancelled", () => {
  it.each<PaymentState>(["PENDING", "DEFERRED", "APPROVED", "DECLINED"])("moves a %s payment to CANCELLED and keeps the status", (paymentState) => {
    expect(onPaymentCancelled(reservation("CANCELLED", paymentState))).toStrictEqual({
      kind: "changed",
      status: "CANCELLED",
      paymentState: "CANCELLED",
    });
  });

  it("changes nothing when redelivered", () => {
    expect(onPaymentCancelled(reservation("CANCELLED", "CANCELLED"))).toEqual({ kind: "unchanged" });
  });
});

describe("onPaymentDeferred", () => {
  it("marks a pending payment DEFERRED and keeps the reservation RESERVED", () => {
    expect(onPaymentDeferred(reservation("RESERVED", "PENDING"))).toStrictEqual({
      kind: "changed",
      status: "RESERVED",
      paymentState: "DEFERRED",
    });
  });

  it.each<[ReservationStatus, PaymentState]>([
    ["RESERVED", "DEFERRED"],
    ["PAID", "APPROVED"],
    ["REJECTED", "DECLINED"],
    ["CANCELLED", "CANCELLED"],
  ])("a late deferral changes nothing for %s / %s", (status, paymentState) => {
    expect(onPaymentDeferred(reservation(status, paymentState))).toEqual({ kind: "unchanged" });
  });
});

describe("payment facts in a bad order", () => {
  it("a late PaymentDeferred after approval leaves the reservation PAID / APPROVED", () => {
    let r = reservation("RESERVED", "PENDING");
    r = apply(r, onPaymentApproved(r));
    r = apply(r, onPaymentDeferred(r));
    expect([r.status, r.paymentState]).toEqual(["PAID", "APPROVED"]);
  });

  it("cancel, then approval, then refund ends CANCELLED / CANCELLED and never confirms", () => {
    let r = reservation("RESERVED", "PENDING");
    r = { ...r, status: "CANCELLED" };
    const approval = onPaymentApproved(r);
    expect(approval).toMatchObject({ kind: "changed", status: "CANCELLED" });
    expect(approval).not.toHaveProperty("emit");
    r = apply(r, approval);
    r = apply(r, onPaymentCancelled(r));
    expect([r.status, r.paymentState]).toEqual(["CANCELLED", "CANCELLED"]);
  });

  it("refund recorded before the approval it undoes still ends CANCELLED / CANCELLED", () => {
    let r = reservation("CANCELLED", "PENDING");
    r = apply(r, onPaymentCancelled(r));
    r = apply(r, onPaymentApproved(r));
    expect([r.status, r.paymentState]).toEqual(["CANCELLED", "CANCELLED"]);
  });
});

describe("decideCancel", () => {
  it.each<[ReservationStatus, CancelDecision]>([
    ["RESERVED", { kind: "cancel" }],
    ["PAID", { kind: "cancel" }],
    ["CANCELLED", { kind: "already-cancelled" }],
    ["REJECTED", { kind: "refuse", reason: "reservation was rejected because its payment was declined, there is nothing to cancel" }],
    ["EXPIRED", { kind: "refuse", reason: "reservation expired because its payment was not completed in time, there is nothing to cancel" }],
    ["PLACING", { kind: "refuse", reason: "reservation is still being placed, retry shortly" }],
    ["ABORTING", { kind: "refuse", reason: "reservation is still being placed, retry shortly" }],
  ])("%s → %o", (status, decision) => {
    expect(decideCancel(reservation(status, "PENDING"))).toEqual(decision);
  });
});

describe("sameRequest", () => {
  const r = reservation("RESERVED", "PENDING");

  it.each([
    ["the same musical and seats", "phantom", 2, true],
    ["a different seat count", "phantom", 3, false],
    ["a different musical", "cats", 2, false],
    ["both different", "cats", 1, false],
  ])("%s → %s", (_case, musicalId, seats, same) => {
    expect(sameRequest(r, musicalId, seats)).toBe(same);
  });
});

describe("onPaymentExpired", () => {
  it.each<PaymentState>(["PENDING", "DEFERRED"])("expires a RESERVED reservation whose payment was %s and emits expired", (paymentState) => {
    expect(onPaymentExpired(reservation("RESERVED", paymentState))).toStrictEqual({
      kind: "changed",
      status: "EXPIRED",
      paymentState: "EXPIRED",
      emit: "expired",
    });
  });

  it("records the expiry on a reservation cancelled meanwhile without expiring it or emitting (the cancellation returns the seats)", () => {
    expect(onPaymentExpired(reservation("CANCELLED", "DEFERRED"))).toStrictEqual({ kind: "changed", status: "CANCELLED", paymentState: "EXPIRED" });
  });

  it.each<[ReservationStatus, PaymentState]>([
    ["EXPIRED", "EXPIRED"],
    ["PAID", "APPROVED"],
    ["REJECTED", "DECLINED"],
    ["CANCELLED", "CANCELLED"],
  ])("changes nothing for %s / %s", (status, paymentState) => {
    expect(onPaymentExpired(reservation(status, paymentState))).toEqual({ kind: "unchanged" });
  });

  it("a payment ends once: expired and approved or declined never replace each other", () => {
    expect(advancePayment("EXPIRED", "APPROVED")).toBe("EXPIRED");
    expect(advancePayment("EXPIRED", "DECLINED")).toBe("EXPIRED");
    expect(advancePayment("APPROVED", "EXPIRED")).toBe("APPROVED");
    expect(advancePayment("DEFERRED", "EXPIRED")).toBe("EXPIRED");
  });

  it("a charge found after the expiry is refunded: EXPIRED / CANCELLED, in either order", () => {
    let r = reservation("RESERVED", "DEFERRED");
    r = apply(r, onPaymentExpired(r));
    r = apply(r, onPaymentCancelled(r));
    expect([r.status, r.paymentState]).toEqual(["EXPIRED", "CANCELLED"]);

    let late = reservation("RESERVED", "DEFERRED");
    late = apply(late, onPaymentCancelled(late));
    late = apply(late, onPaymentExpired(late));
    expect([late.status, late.paymentState]).toEqual(["EXPIRED", "CANCELLED"]);
  });

  it("an expired reservation is never confirmed by a late approval", () => {
    const r = reservation("EXPIRED", "EXPIRED");
    expect(onPaymentApproved(r)).toEqual({ kind: "unchanged" });
  });
});

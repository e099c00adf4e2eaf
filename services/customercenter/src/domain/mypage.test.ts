import { describe, expect, it } from "vitest";
import { foldReservation, summarize, type Fact, type HistoryItem, type ReservationView } from "./mypage.js";

const T0 = Date.parse("2026-11-24T10:00:00Z");

function at(seconds: number, fact: Fact, eventId = `${fact.type}@${seconds}`): HistoryItem {
  return { eventId, eventType: `outerpark.${fact.type}`, occurredAt: new Date(T0 + seconds * 1000), fact };
}

const placed: Fact = { type: "ReservationPlaced", musicalId: "phantom", musicalName: "Phantom of the Opera", seats: 2, amount: 240_000n };
const placedView = { musicalId: "phantom", musicalName: "Phantom of the Opera", seats: 2, amount: 240_000n };

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i] as T, ...tail];
  }
}

/** Every view the permutations of a history fold into, keyed for comparison. */
function distinctViews(history: readonly HistoryItem[]): Map<string, ReservationView> {
  const views = new Map<string, ReservationView>();
  for (const order of permutations(history)) {
    const view = foldReservation(order);
    views.set(
      JSON.stringify(view, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)),
      view,
    );
  }
  return views;
}

/** Place → approve → confirm → cancel → refund → seats released → notifications. */
const paidThenCancelled: HistoryItem[] = [
  at(0, placed),
  at(2, { type: "PaymentApproved", amount: 240_000n }),
  at(3, { type: "ReservationConfirmed" }),
  at(4, { type: "NotificationSent", notificationId: "n-1", kind: "PAYMENT_APPROVED", message: "Payment of ₩240,000 approved" }),
  at(60, { type: "ReservationCancelled" }),
  at(61, { type: "PaymentCancelled", refunded: true, amount: 240_000n }),
  at(61.5, { type: "SeatsReleased", seats: 2 }),
  at(62, { type: "NotificationSent", notificationId: "n-2", kind: "RESERVATION_CANCELLED", message: "Reservation cancelled" }),
];

describe("foldReservation: arrival order does not matter", () => {
  it("gives one view for all 40,320 arrival orders of a paid-then-cancelled history", () => {
    const views = distinctViews(paidThenCancelled);
    expect([...views.values()]).toEqual([{ ...placedView, reservationStatus: "CANCELLED", paymentState: "CANCELLED" }]);
  });

  it("gives one view for all arrival orders when every fact carries the same timestamp (causal tie-break)", () => {
    const sameInstant = paidThenCancelled.map((h) => ({ ...h, occurredAt: new Date(T0) }));
    const views = distinctViews(sameInstant);
    expect([...views.values()]).toEqual([{ ...placedView, reservationStatus: "CANCELLED", paymentState: "CANCELLED" }]);
  });

  it("gives one view for all arrival orders of a deferred-then-approved history", () => {
    const history = [
      at(0, placed),
      at(1, { type: "PaymentDeferred" }),
      at(9, { type: "PaymentApproved", amount: 240_000n }),
      at(10, { type: "ReservationConfirmed" }),
      at(11, { type: "NotificationSent", notificationId: "n-1", kind: "PAYMENT_APPROVED", message: "approved" }),
    ];
    expect([...distinctViews(history).values()]).toEqual([{ ...placedView, reservationStatus: "PAID", paymentState: "APPROVED" }]);
  });

  it("gives one view for all arrival orders of a declined history", () => {
    const history = [
      at(0, placed),
      at(2, { type: "PaymentFailed", reason: "card expired" }),
      at(3, { type: "ReservationRejected", reason: "card expired" }),
      at(4, { type: "SeatsReleased", seats: 2 }),
      at(5, { type: "NotificationSent", notificationId: "n-1", kind: "PAYMENT_FAILED", message: "declined" }),
    ];
    expect([...distinctViews(history).values()]).toEqual([{ ...placedView, reservationStatus: "REJECTED", paymentState: "DECLINED" }]);
  });

  // Realistic histories fold the same in any order even unsorted (every rule only moves a state forward), so
  // the ordering itself shows only where two facts outrank each other equally: contradictory payment verdicts.
  describe("contradictory payment verdicts: the order they happened in decides", () => {
    const approved: Fact = { type: "PaymentApproved", amount: 240_000n };
    const failed: Fact = { type: "PaymentFailed", reason: "card expired" };

    it.each<[string, HistoryItem[], ReservationView["paymentState"]]>([
      ["approved first", [at(0, placed), at(1, approved), at(2, failed)], "APPROVED"],
      ["declined first", [at(0, placed), at(1, failed), at(2, approved)], "DECLINED"],
    ])("%s: the first verdict stands in every arrival order", (_case, history, paymentState) => {
      const states = [...distinctViews(history).values()].map((v) => v.paymentState);
      expect(states).toEqual([paymentState]);
    });

    it("at the same instant, every arrival order still gives one view", () => {
      expect(distinctViews([at(0, placed), at(1, approved), at(1, failed)]).size).toBe(1);
    });
  });

  it("does not reorder the caller's array", () => {
    const reversed = [...paidThenCancelled].reverse();
    const before = reversed.map((h) => h.eventId);
    foldReservation(reversed);
    expect(reversed.map((h) => h.eventId)).toEqual(before);
  });
});

describe("foldReservation: the saga's states", () => {
  it("shows nothing for an empty history", () => {
    expect(foldReservation([])).toEqual({
      musicalId: "",
      musicalName: "",
      seats: 0,
      amount: 0n,
      reservationStatus: "UNSPECIFIED",
      paymentState: "UNSPECIFIED",
    });
  });

  it.each<[string, HistoryItem[], Pick<ReservationView, "reservationStatus" | "paymentState">]>([
    ["just placed", [at(0, placed)], { reservationStatus: "RESERVED", paymentState: "PENDING" }],
    ["placed, payment delayed", [at(0, placed), at(1, { type: "PaymentDeferred" })], { reservationStatus: "RESERVED", paymentState: "DEFERRED" }],
    [
      "approved, confirmation not yet in",
      [at(0, placed), at(1, { type: "PaymentApproved", amount: 240_000n })],
      { reservationStatus: "PAID", paymentState: "APPROVED" },
    ],
    [
      "a late PaymentDeferred after approval",
      [
        at(0, placed),
        at(1, { type: "PaymentApproved", amount: 240_000n }),
        at(2, { type: "ReservationConfirmed" }),
        at(3, { type: "PaymentDeferred" }),
      ],
      { reservationStatus: "PAID", paymentState: "APPROVED" },
    ],
    [
      "cancelled before any charge",
      [at(0, placed), at(1, { type: "ReservationCancelled" }), at(2, { type: "PaymentCancelled", refunded: false, amount: 0n })],
      { reservationStatus: "CANCELLED", paymentState: "CANCELLED" },
    ],
    [
      "approved after the cancellation, refund still to come",
      [at(0, placed), at(1, { type: "ReservationCancelled" }), at(2, { type: "PaymentApproved", amount: 240_000n })],
      { reservationStatus: "CANCELLED", paymentState: "APPROVED" },
    ],
    [
      "approved after the cancellation, then refunded",
      [
        at(0, placed),
        at(1, { type: "ReservationCancelled" }),
        at(2, { type: "PaymentApproved", amount: 240_000n }),
        at(3, { type: "PaymentCancelled", refunded: true, amount: 240_000n }),
      ],
      { reservationStatus: "CANCELLED", paymentState: "CANCELLED" },
    ],
    [
      "declined after the cancellation",
      [at(0, placed), at(1, { type: "ReservationCancelled" }), at(2, { type: "PaymentFailed", reason: "card expired" })],
      { reservationStatus: "CANCELLED", paymentState: "DECLINED" },
    ],
  ])("%s", (_case, history, expected) => {
    expect(foldReservation(history)).toEqual({ ...placedView, ...expected });
  });
});

describe("foldReservation: facts that arrive before ReservationPlaced", () => {
  it("shows what is known from a payment fact alone, and the full view once the placement arrives", () => {
    const approved = at(2, { type: "PaymentApproved", amount: 240_000n });
    expect(foldReservation([approved])).toMatchObject({ musicalId: "", reservationStatus: "PAID", paymentState: "APPROVED" });
    expect(foldReservation([approved, at(0, placed)])).toEqual({ ...placedView, reservationStatus: "PAID", paymentState: "APPROVED" });
  });

  it("keeps a cancellation that arrived first when the placement follows", () => {
    expect(foldReservation([at(5, { type: "ReservationCancelled" })])).toMatchObject({ reservationStatus: "CANCELLED" });
    expect(foldReservation([at(5, { type: "ReservationCancelled" }), at(0, placed)])).toEqual({
      ...placedView,
      reservationStatus: "CANCELLED",
      paymentState: "PENDING",
    });
  });

  // Facts come from several services' clocks: a payment fact may be stamped before the placement it follows.
  it.each<[string, Fact, Pick<ReservationView, "reservationStatus" | "paymentState">]>([
    ["an approval", { type: "PaymentApproved", amount: 240_000n }, { reservationStatus: "PAID", paymentState: "APPROVED" }],
    ["a decline", { type: "PaymentFailed", reason: "card expired" }, { reservationStatus: "REJECTED", paymentState: "DECLINED" }],
    ["a deferral", { type: "PaymentDeferred" }, { reservationStatus: "RESERVED", paymentState: "DEFERRED" }],
  ])("does not let the placement undo %s stamped before it", (_case, fact, expected) => {
    expect(foldReservation([at(1, placed), at(0, fact)])).toEqual({ ...placedView, ...expected });
  });
});

describe("summarize", () => {
  it.each<[Fact, string]>([
    [placed, 'Reserved 2 seats for "Phantom of the Opera" (₩240,000); payment pending'],
    [{ ...placed, seats: 1, amount: 120_000n }, 'Reserved 1 seat for "Phantom of the Opera" (₩120,000); payment pending'],
    [{ type: "ReservationConfirmed" }, "Reservation confirmed"],
    [{ type: "ReservationCancelled" }, "Reservation cancelled"],
    [{ type: "ReservationRejected", reason: "card expired" }, "Reservation rejected: card expired"],
    [{ type: "ReservationRejected", reason: "" }, "Reservation rejected: payment declined"],
    [{ type: "SeatsReleased", seats: 1 }, "1 seat returned to sale"],
    [{ type: "SeatsReleased", seats: 4 }, "4 seats returned to sale"],
    [{ type: "PaymentApproved", amount: 1_234_567n }, "Payment of ₩1,234,567 approved"],
    [{ type: "PaymentDeferred" }, "Payment delayed: the payment provider is unavailable, it will be retried automatically"],
    [{ type: "PaymentFailed", reason: "insufficient funds" }, "Payment declined: insufficient funds"],
    [{ type: "PaymentCancelled", refunded: true, amount: 240_000n }, "Payment of ₩240,000 refunded"],
    [{ type: "PaymentCancelled", refunded: false, amount: 0n }, "Payment cancelled before any charge"],
    [{ type: "NotificationSent", notificationId: "n-1", kind: "PAYMENT_APPROVED", message: "Enjoy the show" }, "Notification sent: Enjoy the show"],
  ])("%o → %s", (fact, line) => {
    expect(summarize(fact)).toBe(line);
  });

  it("writes amounts beyond Number.MAX_SAFE_INTEGER exactly", () => {
    expect(summarize({ type: "PaymentApproved", amount: 12_345_678_901_234_567_890n })).toBe("Payment of ₩12,345,678,901,234,567,890 approved");
  });
});

/**
 * The fold sorts by occurred_at, so permuting arrival order alone hardly tests
 * it. What really varies in production is each service's clock: facts from
 * reservation, payment, musical and notice are stamped by different machines.
 * Every combination of clock offsets must still give the true view.
 */
describe("foldReservation: services whose clocks disagree", () => {
  const SOURCE: Record<Fact["type"], "reservation" | "payment" | "musical" | "notice"> = {
    ReservationPlaced: "reservation",
    ReservationConfirmed: "reservation",
    ReservationCancelled: "reservation",
    ReservationRejected: "reservation",
    ReservationExpired: "reservation",
    PaymentApproved: "payment",
    PaymentDeferred: "payment",
    PaymentFailed: "payment",
    PaymentExpired: "payment",
    PaymentCancelled: "payment",
    SeatsReleased: "musical",
    NotificationSent: "notice",
  };
  // From well within one saga step to far beyond a whole saga.
  const OFFSETS_S = [-300, -2.5, -0.5, 0, 0.5, 2.5, 300];

  function* skews(): Generator<Record<string, number>> {
    for (const reservation of OFFSETS_S)
      for (const payment of OFFSETS_S)
        for (const musical of [-300, 0, 300]) for (const notice of [-300, 0, 300]) yield { reservation, payment, musical, notice };
  }

  function skewed(history: readonly HistoryItem[], offsets: Record<string, number>): HistoryItem[] {
    return history.map((h) => ({ ...h, occurredAt: new Date(h.occurredAt.getTime() + offsets[SOURCE[h.fact.type]]! * 1000) }));
  }

  /** A few arrival orders per clock setting: reversed, rotated, interleaved. */
  function arrivalOrders(history: readonly HistoryItem[]): HistoryItem[][] {
    const n = history.length;
    return [
      [...history],
      [...history].reverse(),
      history.map((_, i) => history[(i + Math.floor(n / 2)) % n]!),
      [...history.filter((_, i) => i % 2 === 1), ...history.filter((_, i) => i % 2 === 0)],
    ];
  }

  const cancelledBeforeCharge: HistoryItem[] = [
    at(0, placed),
    at(5, { type: "ReservationCancelled" }),
    at(6, { type: "PaymentCancelled", refunded: false, amount: 0n }),
    at(6.5, { type: "SeatsReleased", seats: 2 }),
    at(7, { type: "NotificationSent", notificationId: "n-1", kind: "RESERVATION_CANCELLED", message: "cancelled" }),
  ];
  /** Cancelled while the charge was in flight: the charge lands after the cancellation and is refunded. */
  const chargedAfterCancel: HistoryItem[] = [
    at(0, placed),
    at(1, { type: "PaymentDeferred" }),
    at(5, { type: "ReservationCancelled" }),
    at(5.2, { type: "SeatsReleased", seats: 2 }),
    at(6, { type: "PaymentApproved", amount: 240_000n }),
    at(7, { type: "PaymentCancelled", refunded: true, amount: 240_000n }),
  ];
  const declined: HistoryItem[] = [
    at(0, placed),
    at(1, { type: "PaymentDeferred" }),
    at(2, { type: "PaymentFailed", reason: "card expired" }),
    at(3, { type: "ReservationRejected", reason: "card expired" }),
    at(4, { type: "SeatsReleased", seats: 2 }),
    at(5, { type: "NotificationSent", notificationId: "n-1", kind: "PAYMENT_FAILED", message: "declined" }),
  ];
  const paid: HistoryItem[] = [
    at(0, placed),
    at(0.1, { type: "PaymentDeferred" }),
    at(0.2, { type: "PaymentApproved", amount: 240_000n }),
    at(0.3, { type: "ReservationConfirmed" }),
    at(0.4, { type: "NotificationSent", notificationId: "n-1", kind: "PAYMENT_APPROVED", message: "approved" }),
  ];

  /** Not paid by the deadline (gateway down): payment and reservation expire, seats go back; a charge found later is refunded. */
  const expiredUnpaid: HistoryItem[] = [
    at(0, placed),
    at(1, { type: "PaymentDeferred" }),
    at(300, { type: "PaymentExpired", reason: "deadline" }),
    at(300.2, { type: "ReservationExpired", reason: "deadline" }),
    at(300.4, { type: "SeatsReleased", seats: 2 }),
    at(300.6, { type: "NotificationSent", notificationId: "n-1", kind: "RESERVATION_EXPIRED", message: "expired" }),
  ];

  it.each<[string, HistoryItem[], Pick<ReservationView, "reservationStatus" | "paymentState">]>([
    ["deferred, then expired at the deadline", expiredUnpaid, { reservationStatus: "EXPIRED", paymentState: "EXPIRED" }],
    [
      "expired, then a charge found late and refunded",
      [...expiredUnpaid, at(320, { type: "PaymentCancelled", refunded: true, amount: 240_000n })],
      { reservationStatus: "EXPIRED", paymentState: "CANCELLED" },
    ],
    ["paid, then cancelled and refunded", paidThenCancelled, { reservationStatus: "CANCELLED", paymentState: "CANCELLED" }],
    ["cancelled before any charge", cancelledBeforeCharge, { reservationStatus: "CANCELLED", paymentState: "CANCELLED" }],
    ["charged after the cancellation, then refunded", chargedAfterCancel, { reservationStatus: "CANCELLED", paymentState: "CANCELLED" }],
    ["deferred, then declined and rejected", declined, { reservationStatus: "REJECTED", paymentState: "DECLINED" }],
    ["deferred, then paid", paid, { reservationStatus: "PAID", paymentState: "APPROVED" }],
  ])("%s: the true view under every combination of clock offsets and arrival orders", (_case, history, expected) => {
    let checked = 0;
    for (const offsets of skews()) {
      for (const order of arrivalOrders(skewed(history, offsets))) {
        const view = foldReservation(order);
        if (view.reservationStatus !== expected.reservationStatus || view.paymentState !== expected.paymentState) {
          expect.fail(`clocks ${JSON.stringify(offsets)}: got ${view.reservationStatus}/${view.paymentState}`);
        }
        expect(view).toEqual({ ...placedView, ...expected });
        checked++;
      }
    }
    expect(checked).toBe(7 * 7 * 3 * 3 * 4);
  });
});

describe("foldReservation: the payment deadline", () => {
  const expired: HistoryItem[] = [
    at(0, placed),
    at(1, { type: "PaymentDeferred" }),
    at(300, { type: "PaymentExpired", reason: "payment not completed within the payment deadline (5 min)" }),
    at(301, { type: "ReservationExpired", reason: "payment not completed within the payment deadline (5 min)" }),
    at(302, { type: "SeatsReleased", seats: 2 }),
    at(303, { type: "NotificationSent", notificationId: "n-1", kind: "RESERVATION_EXPIRED", message: "expired" }),
  ];

  it("gives one view, EXPIRED / EXPIRED, for every arrival order of an expired history", () => {
    expect([...distinctViews(expired).values()]).toEqual([{ ...placedView, reservationStatus: "EXPIRED", paymentState: "EXPIRED" }]);
  });

  it("a charge found and refunded after the expiry ends EXPIRED / CANCELLED in every arrival order", () => {
    const refunded = [
      ...expired,
      at(400, { type: "PaymentCancelled", refunded: true, amount: 240_000n }),
      at(401, { type: "NotificationSent", notificationId: "n-2", kind: "PAYMENT_REFUNDED", message: "refunded" }),
    ];
    expect([...distinctViews(refunded).values()]).toEqual([{ ...placedView, reservationStatus: "EXPIRED", paymentState: "CANCELLED" }]);
  });

  it.each<[string, HistoryItem[], Pick<ReservationView, "reservationStatus" | "paymentState">]>([
    [
      "the payment expired, the reservation's expiry not yet in",
      [at(0, placed), at(5, { type: "PaymentExpired", reason: "" })],
      { reservationStatus: "EXPIRED", paymentState: "EXPIRED" },
    ],
    [
      "cancelled, then the payment expired",
      [at(0, placed), at(1, { type: "ReservationCancelled" }), at(5, { type: "PaymentExpired", reason: "" })],
      { reservationStatus: "CANCELLED", paymentState: "EXPIRED" },
    ],
    [
      "the payment expired, then a cancellation got in first at the reservation",
      [at(0, placed), at(5, { type: "PaymentExpired", reason: "" }), at(6, { type: "ReservationCancelled" })],
      { reservationStatus: "CANCELLED", paymentState: "EXPIRED" },
    ],
  ])("%s", (_case, history, expected) => {
    expect(foldReservation(history)).toEqual({ ...placedView, ...expected });
  });

  it.each<[Fact, string]>([
    [
      { type: "PaymentExpired", reason: "payment not completed within the payment deadline (15 min)" },
      "Payment expired: payment not completed within the payment deadline (15 min)",
    ],
    [{ type: "PaymentExpired", reason: "" }, "Payment expired: not completed in time"],
    [{ type: "ReservationExpired", reason: "whatever" }, "Reservation expired: the payment was not completed in time"],
  ])("%o → %s", (fact, line) => {
    expect(summarize(fact)).toBe(line);
  });
});

/**
 * MyPage as a fold over a reservation's events. Events reach this service from
 * several streams in no guaranteed order, so the view is always recomputed
 * from the whole history, ordered by when each fact happened. No I/O.
 */
import { formatWon } from "#kit/money.js";

export type ReservationStatus = "UNSPECIFIED" | "RESERVED" | "PAID" | "CANCELLED" | "REJECTED" | "EXPIRED";
export type PaymentState = "UNSPECIFIED" | "PENDING" | "DEFERRED" | "APPROVED" | "DECLINED" | "CANCELLED" | "EXPIRED";

/** One stored fact about a reservation, reduced to what MyPage needs. */
export type Fact =
  | { type: "ReservationPlaced"; musicalId: string; musicalName: string; seats: number; amount: bigint }
  | { type: "ReservationConfirmed" }
  | { type: "ReservationCancelled" }
  | { type: "ReservationRejected"; reason: string }
  | { type: "ReservationExpired"; reason: string }
  | { type: "SeatsReleased"; seats: number }
  | { type: "PaymentApproved"; amount: bigint }
  | { type: "PaymentDeferred" }
  | { type: "PaymentFailed"; reason: string }
  | { type: "PaymentExpired"; reason: string }
  | { type: "PaymentCancelled"; refunded: boolean; amount: bigint }
  | { type: "NotificationSent"; notificationId: string; kind: string; message: string };

export interface HistoryItem {
  eventId: string;
  eventType: string;
  occurredAt: Date;
  fact: Fact;
}

export interface ReservationView {
  musicalId: string;
  musicalName: string;
  seats: number;
  amount: bigint;
  reservationStatus: ReservationStatus;
  paymentState: PaymentState;
}

const FINAL: ReservationStatus[] = ["CANCELLED", "REJECTED", "EXPIRED"];
const PAYMENT_RANK: Record<PaymentState, number> = { UNSPECIFIED: 0, PENDING: 1, DEFERRED: 2, APPROVED: 3, DECLINED: 3, EXPIRED: 3, CANCELLED: 4 };

function advance(current: PaymentState, next: PaymentState): PaymentState {
  return PAYMENT_RANK[next] > PAYMENT_RANK[current] ? next : current;
}

function settle(current: ReservationStatus, next: ReservationStatus): ReservationStatus {
  return FINAL.includes(current) ? current : next;
}

export function foldReservation(history: readonly HistoryItem[]): ReservationView {
  const view: ReservationView = {
    musicalId: "",
    musicalName: "",
    seats: 0,
    amount: 0n,
    reservationStatus: "UNSPECIFIED",
    paymentState: "UNSPECIFIED",
  };
  for (const { fact } of [...history].sort(byOccurrence)) {
    switch (fact.type) {
      case "ReservationPlaced":
        Object.assign(view, { musicalId: fact.musicalId, musicalName: fact.musicalName, seats: fact.seats, amount: fact.amount });
        if (view.reservationStatus === "UNSPECIFIED") view.reservationStatus = "RESERVED";
        view.paymentState = advance(view.paymentState, "PENDING");
        break;
      case "ReservationConfirmed":
        view.reservationStatus = settle(view.reservationStatus, "PAID");
        break;
      case "ReservationCancelled":
        view.reservationStatus = "CANCELLED";
        break;
      case "ReservationRejected":
        if (view.reservationStatus !== "CANCELLED") view.reservationStatus = "REJECTED";
        break;
      case "ReservationExpired":
        if (view.reservationStatus !== "CANCELLED") view.reservationStatus = "EXPIRED";
        break;
      case "PaymentApproved":
        view.paymentState = advance(view.paymentState, "APPROVED");
        if (view.reservationStatus === "RESERVED" || view.reservationStatus === "UNSPECIFIED") view.reservationStatus = "PAID";
        break;
      case "PaymentDeferred":
        view.paymentState = advance(view.paymentState, "DEFERRED");
        break;
      case "PaymentFailed":
        view.paymentState = advance(view.paymentState, "DECLINED");
        if (!FINAL.includes(view.reservationStatus)) view.reservationStatus = "REJECTED";
        break;
      case "PaymentExpired":
        view.paymentState = advance(view.paymentState, "EXPIRED");
        if (!FINAL.includes(view.reservationStatus)) view.reservationStatus = "EXPIRED";
        break;
      case "PaymentCancelled":
        view.paymentState = advance(view.paymentState, "CANCELLED");
        break;
      case "SeatsReleased":
      case "NotificationSent":
        break;
    }
  }
  return view;
}

/** Oldest first; a tie keeps the causal order of the saga. */
function byOccurrence(a: HistoryItem, b: HistoryItem): number {
  return a.occurredAt.getTime() - b.occurredAt.getTime() || CAUSAL_ORDER.indexOf(a.fact.type) - CAUSAL_ORDER.indexOf(b.fact.type);
}

const CAUSAL_ORDER: Fact["type"][] = [
  "ReservationPlaced",
  "PaymentDeferred",
  "PaymentApproved",
  "PaymentFailed",
  "PaymentExpired",
  "ReservationConfirmed",
  "ReservationRejected",
  "ReservationExpired",
  "ReservationCancelled",
  "PaymentCancelled",
  "SeatsReleased",
  "NotificationSent",
];

/** A line a customer can read, for the history list. */
export function summarize(fact: Fact): string {
  switch (fact.type) {
    case "ReservationPlaced":
      return `Reserved ${fact.seats} seat${fact.seats === 1 ? "" : "s"} for "${fact.musicalName}" (${formatWon(fact.amount)}); payment pending`;
    case "ReservationConfirmed":
      return "Reservation confirmed";
    case "ReservationCancelled":
      return "Reservation cancelled";
    case "ReservationRejected":
      return `Reservation rejected: ${fact.reason || "payment declined"}`;
    case "ReservationExpired":
      return "Reservation expired: the payment was not completed in time";
    case "SeatsReleased":
      return `${fact.seats} seat${fact.seats === 1 ? "" : "s"} returned to sale`;
    case "PaymentApproved":
      return `Payment of ${formatWon(fact.amount)} approved`;
    case "PaymentDeferred":
      return "Payment delayed: the payment provider is unavailable, it will be retried automatically";
    case "PaymentFailed":
      return `Payment declined: ${fact.reason}`;
    case "PaymentExpired":
      return `Payment expired: ${fact.reason || "not completed in time"}`;
    case "PaymentCancelled":
      return fact.refunded ? `Payment of ${formatWon(fact.amount)} refunded` : "Payment cancelled before any charge";
    case "NotificationSent":
      return `Notification sent: ${fact.message}`;
  }
}

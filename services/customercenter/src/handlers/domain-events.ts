import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import type { EventHandler } from "../../../../kit/src/consumer.js";
import type { DomainEvent } from "../../../../kit/src/events.js";
import * as reservationEvents from "../../../../gen/outerpark/reservation/v1/events_pb.js";
import * as paymentEvents from "../../../../gen/outerpark/payment/v1/events_pb.js";
import * as musicalEvents from "../../../../gen/outerpark/musical/v1/events_pb.js";
import * as noticeEvents from "../../../../gen/outerpark/notice/v1/events_pb.js";
import { NotificationKind } from "../../../../gen/outerpark/notice/v1/notice_pb.js";
import type { Fact } from "../domain/mypage.js";
import type { MyPage } from "../app/mypage.js";

type Owned = DomainEvent & { reservationId: string; customerId: string };

/** Translates each event into a MyPage fact; the stream it came from does not matter. */
function handler<E extends Owned>(myPage: MyPage, toFact: (event: E) => Fact): EventHandler {
  return (async (event: E, tx) => {
    if (!event.customerId || !event.reservationId) return; // e.g. seats released for an aborted placement
    await myPage.record(tx, {
      eventId: event.eventId,
      eventType: event.$typeName,
      reservationId: event.reservationId,
      customerId: event.customerId,
      occurredAt: event.occurredAt ? timestampDate(event.occurredAt as Timestamp) : new Date(),
      fact: toFact(event),
    });
  }) as EventHandler;
}

export function reservationEventHandlers(myPage: MyPage): Record<string, EventHandler> {
  return {
    [reservationEvents.ReservationPlacedSchema.typeName]: handler(myPage, (e: reservationEvents.ReservationPlaced) => ({
      type: "ReservationPlaced",
      musicalId: e.musicalId,
      musicalName: e.musicalName,
      seats: e.seats,
      amount: e.amount,
    })),
    [reservationEvents.ReservationConfirmedSchema.typeName]: handler(myPage, () => ({ type: "ReservationConfirmed" })),
    [reservationEvents.ReservationCancelledSchema.typeName]: handler(myPage, () => ({ type: "ReservationCancelled" })),
    [reservationEvents.ReservationRejectedSchema.typeName]: handler(myPage, (e: reservationEvents.ReservationRejected) => ({
      type: "ReservationRejected",
      reason: e.reason,
    })),
    [reservationEvents.ReservationExpiredSchema.typeName]: handler(myPage, (e: reservationEvents.ReservationExpired) => ({
      type: "ReservationExpired",
      reason: e.reason,
    })),
  };
}

export function paymentEventHandlers(myPage: MyPage): Record<string, EventHandler> {
  return {
    [paymentEvents.PaymentApprovedSchema.typeName]: handler(myPage, (e: paymentEvents.PaymentApproved) => ({
      type: "PaymentApproved",
      amount: e.amount,
    })),
    [paymentEvents.PaymentDeferredSchema.typeName]: handler(myPage, () => ({ type: "PaymentDeferred" })),
    [paymentEvents.PaymentFailedSchema.typeName]: handler(myPage, (e: paymentEvents.PaymentFailed) => ({ type: "PaymentFailed", reason: e.reason })),
    [paymentEvents.PaymentExpiredSchema.typeName]: handler(myPage, (e: paymentEvents.PaymentExpired) => ({ type: "PaymentExpired", reason: e.reason })),
    [paymentEvents.PaymentCancelledSchema.typeName]: handler(myPage, (e: paymentEvents.PaymentCancelled) => ({
      type: "PaymentCancelled",
      refunded: e.refunded,
      amount: e.amount,
    })),
  };
}

export function musicalEventHandlers(myPage: MyPage): Record<string, EventHandler> {
  return {
    [musicalEvents.SeatsReleasedSchema.typeName]: handler(myPage, (e: musicalEvents.SeatsReleased) => ({ type: "SeatsReleased", seats: e.seats })),
  };
}

export function noticeEventHandlers(myPage: MyPage): Record<string, EventHandler> {
  return {
    [noticeEvents.NotificationSentSchema.typeName]: handler(myPage, (e: noticeEvents.NotificationSent) => ({
      type: "NotificationSent",
      notificationId: e.notificationId,
      kind: NotificationKind[e.kind],
      message: e.message,
    })),
  };
}

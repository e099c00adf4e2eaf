import { timestampDate, type Timestamp } from "@bufbuild/protobuf/wkt";
import { on, type EventHandler, type Subscription } from "#kit/consumer.js";
import type { DomainEvent } from "#kit/events.js";
import * as reservationEvents from "#gen/outerpark/reservation/v1/events_pb.js";
import * as paymentEvents from "#gen/outerpark/payment/v1/events_pb.js";
import * as musicalEvents from "#gen/outerpark/musical/v1/events_pb.js";
import * as noticeEvents from "#gen/outerpark/notice/v1/events_pb.js";
import { NotificationKind } from "#gen/outerpark/notice/v1/notice_pb.js";
import type { Fact } from "../domain/mypage.js";
import type { MyPage } from "../app/mypage.js";

type Owned = DomainEvent & { reservationId: string; customerId: string };

/** Translates each event into a MyPage fact; the stream it came from does not matter. */
function handler<E extends Owned>(myPage: MyPage, toFact: (event: E) => Fact): EventHandler<E> {
  return (event, tx) => {
    if (!event.customerId || !event.reservationId) return; // e.g. seats released for an aborted placement
    myPage.record(tx, {
      eventId: event.eventId,
      eventType: event.$typeName,
      reservationId: event.reservationId,
      customerId: event.customerId,
      occurredAt: event.occurredAt ? timestampDate(event.occurredAt as Timestamp) : new Date(),
      fact: toFact(event),
    });
  };
}

export function reservationEventHandlers(myPage: MyPage): Subscription[] {
  return [
    on(
      reservationEvents.ReservationPlacedSchema,
      handler(myPage, (e: reservationEvents.ReservationPlaced) => ({
        type: "ReservationPlaced",
        musicalId: e.musicalId,
        musicalName: e.musicalName,
        seats: e.seats,
        amount: e.amount,
      })),
    ),
    on(
      reservationEvents.ReservationConfirmedSchema,
      handler(myPage, () => ({ type: "ReservationConfirmed" })),
    ),
    on(
      reservationEvents.ReservationCancelledSchema,
      handler(myPage, () => ({ type: "ReservationCancelled" })),
    ),
    on(
      reservationEvents.ReservationRejectedSchema,
      handler(myPage, (e: reservationEvents.ReservationRejected) => ({
        type: "ReservationRejected",
        reason: e.reason,
      })),
    ),
    on(
      reservationEvents.ReservationExpiredSchema,
      handler(myPage, (e: reservationEvents.ReservationExpired) => ({
        type: "ReservationExpired",
        reason: e.reason,
      })),
    ),
  ];
}

export function paymentEventHandlers(myPage: MyPage): Subscription[] {
  return [
    on(
      paymentEvents.PaymentApprovedSchema,
      handler(myPage, (e: paymentEvents.PaymentApproved) => ({
        type: "PaymentApproved",
        amount: e.amount,
      })),
    ),
    on(
      paymentEvents.PaymentDeferredSchema,
      handler(myPage, () => ({ type: "PaymentDeferred" })),
    ),
    on(
      paymentEvents.PaymentFailedSchema,
      handler(myPage, (e: paymentEvents.PaymentFailed) => ({ type: "PaymentFailed", reason: e.reason })),
    ),
    on(
      paymentEvents.PaymentExpiredSchema,
      handler(myPage, (e: paymentEvents.PaymentExpired) => ({ type: "PaymentExpired", reason: e.reason })),
    ),
    on(
      paymentEvents.PaymentCancelledSchema,
      handler(myPage, (e: paymentEvents.PaymentCancelled) => ({
        type: "PaymentCancelled",
        refunded: e.refunded,
        amount: e.amount,
      })),
    ),
  ];
}

export function musicalEventHandlers(myPage: MyPage): Subscription[] {
  return [
    on(
      musicalEvents.SeatsReleasedSchema,
      handler(myPage, (e: musicalEvents.SeatsReleased) => ({ type: "SeatsReleased", seats: e.seats })),
    ),
  ];
}

export function noticeEventHandlers(myPage: MyPage): Subscription[] {
  return [
    on(
      noticeEvents.NotificationSentSchema,
      handler(myPage, (e: noticeEvents.NotificationSent) => ({
        type: "NotificationSent",
        notificationId: e.notificationId,
        kind: NotificationKind[e.kind],
        message: e.message,
      })),
    ),
  ];
}

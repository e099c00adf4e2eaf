import { defineEntity, p } from "@mikro-orm/core";

/** Every fact about a reservation, as received: the source the view is folded from. */
export const HistoryEntity = defineEntity({
  name: "MyPageHistory",
  tableName: "mypage_history",
  properties: {
    eventId: p.string().primary().fieldName("event_id"),
    reservationId: p.string().fieldName("reservation_id"),
    customerId: p.string().fieldName("customer_id"),
    eventType: p.string().fieldName("event_type"),
    occurredAt: p.datetime().fieldName("occurred_at"),
    fact: p.json<Record<string, unknown>>(),
    summary: p.text(),
  },
});

/** The folded view of one reservation, with the customer's version at its last change. */
export const ReservationViewEntity = defineEntity({
  name: "MyPageReservation",
  tableName: "mypage_reservations",
  properties: {
    reservationId: p.string().primary().fieldName("reservation_id"),
    customerId: p.string().fieldName("customer_id"),
    musicalId: p.string().fieldName("musical_id"),
    musicalName: p.text().fieldName("musical_name"),
    seats: p.integer(),
    amount: p.bigint("bigint"),
    reservationStatus: p.string().fieldName("reservation_status"),
    paymentState: p.string().fieldName("payment_state"),
    version: p.bigint("number"),
    placedAt: p.datetime().nullable().fieldName("placed_at"),
    updatedAt: p.datetime().fieldName("updated_at"),
  },
});

export const entities = [HistoryEntity, ReservationViewEntity];

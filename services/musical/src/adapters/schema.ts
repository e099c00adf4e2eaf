import { defineEntity, p } from "@mikro-orm/core";

export const MusicalEntity = defineEntity({
  name: "Musical",
  tableName: "musicals",
  properties: {
    musicalId: p.string().primary().fieldName("musical_id"),
    name: p.text(),
    totalSeats: p.integer().fieldName("total_seats"),
    reservableSeats: p.integer().fieldName("reservable_seats"),
    seatPrice: p.bigint("bigint").fieldName("seat_price"),
    registeredAt: p.datetime().fieldName("registered_at"),
  },
});

export const SeatHoldEntity = defineEntity({
  name: "SeatHold",
  tableName: "seat_holds",
  properties: {
    reservationId: p.string().primary().fieldName("reservation_id"),
    musicalId: p.string().fieldName("musical_id"),
    customerId: p.string().fieldName("customer_id"),
    seats: p.integer(),
    status: p.string(),
    createdAt: p.datetime().fieldName("created_at"),
    releasedAt: p.datetime().nullable().fieldName("released_at"),
  },
});

export const entities = [MusicalEntity, SeatHoldEntity];

import { defineEntity, p } from "@mikro-orm/core";

export const ReservationEntity = defineEntity({
  name: "Reservation",
  tableName: "reservations",
  properties: {
    reservationId: p.string().primary().fieldName("reservation_id"),
    customerId: p.string().fieldName("customer_id"),
    idempotencyKey: p.string().fieldName("idempotency_key"),
    musicalId: p.string().fieldName("musical_id"),
    musicalName: p.text().fieldName("musical_name"),
    seats: p.integer(),
    amount: p.bigint("bigint"),
    status: p.string(),
    paymentState: p.string().fieldName("payment_state"),
    placedAt: p.datetime().fieldName("placed_at"),
    updatedAt: p.datetime().fieldName("updated_at"),
  },
});

export const entities = [ReservationEntity];

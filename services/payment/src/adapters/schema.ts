import { defineEntity, p } from "@mikro-orm/core";

export const PaymentEntity = defineEntity({
  name: "Payment",
  tableName: "payments",
  properties: {
    paymentId: p.string().primary().fieldName("payment_id"),
    reservationId: p.string().unique().fieldName("reservation_id"),
    customerId: p.string().fieldName("customer_id"),
    amount: p.bigint("bigint"),
    status: p.string(),
    refunded: p.boolean(),
    failureReason: p.text().fieldName("failure_reason"),
    attempts: p.integer(),
    cancelRequested: p.boolean().fieldName("cancel_requested"),
    chargeAttempted: p.boolean().fieldName("charge_attempted"),
    voidPending: p.boolean().fieldName("void_pending"),
    expiresAt: p.datetime().fieldName("expires_at"),
    deferredNotified: p.boolean().fieldName("deferred_notified"),
    chargeId: p.string().fieldName("charge_id"),
    nextAttemptAt: p.datetime().fieldName("next_attempt_at"),
    lockedUntil: p.datetime().nullable().fieldName("locked_until"),
    createdAt: p.datetime().fieldName("created_at"),
    updatedAt: p.datetime().fieldName("updated_at"),
  },
});

export const entities = [PaymentEntity];

import { defineEntity, p } from "@mikro-orm/core";

export const NotificationEntity = defineEntity({
  name: "Notification",
  tableName: "notifications",
  properties: {
    notificationId: p.string().primary().fieldName("notification_id"),
    customerId: p.string().fieldName("customer_id"),
    reservationId: p.string().fieldName("reservation_id"),
    kind: p.string(),
    message: p.text(),
    channel: p.string(),
    sentAt: p.datetime().nullable().fieldName("sent_at"),
    createdAt: p.datetime().fieldName("created_at"),
    leasedUntil: p.datetime().nullable().fieldName("leased_until"),
  },
});

export const entities = [NotificationEntity];

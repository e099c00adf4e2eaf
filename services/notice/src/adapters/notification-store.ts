import type { EntityManager } from "@mikro-orm/postgresql";
import type { InferEntity } from "@mikro-orm/core";
import type { NotificationKind, NotificationRecord } from "../domain/notification.js";
import { keysetFilter, type Keyset } from "#kit/paging.js";
import { NotificationEntity } from "./schema.js";

type Row = InferEntity<typeof NotificationEntity>;

function toRecord(row: Row): NotificationRecord {
  return { ...row, kind: row.kind as NotificationKind, sentAt: row.sentAt ?? null };
}

/** Stores a notification to send; a second one for the same fact is ignored. */
export async function insertIfAbsent(
  em: EntityManager,
  n: { notificationId: string; customerId: string; reservationId: string; kind: NotificationKind; message: string; channel: string },
): Promise<boolean> {
  const rows = await em.execute(
    `insert into notifications (notification_id, customer_id, reservation_id, kind, message, channel)
     values (?, ?, ?, ?, ?, ?) on conflict (reservation_id, kind) do nothing returning notification_id`,
    [n.notificationId, n.customerId, n.reservationId, n.kind, n.message, n.channel],
  );
  return rows.length === 1;
}

/** Unsent notifications, locked so each replica sends different ones. */
export async function claimUnsent(em: EntityManager, limit: number): Promise<NotificationRecord[]> {
  const rows = await em.execute<{ notification_id: string }[]>(
    "select notification_id from notifications where sent_at is null order by created_at limit ? for update skip locked",
    [limit],
  );
  if (rows.length === 0) return [];
  const found = await em.find(NotificationEntity, { notificationId: { $in: rows.map((r) => r.notification_id) } }, { refresh: true });
  return found.map(toRecord);
}

export async function markSent(em: EntityManager, notificationId: string): Promise<Date> {
  const sentAt = new Date();
  await em.execute("update notifications set sent_at = ? where notification_id = ?", [sentAt, notificationId]);
  return sentAt;
}

/** Sent ones, newest first, keyset by (created_at, notification_id). */
export async function listForCustomer(
  em: EntityManager,
  customerId: string,
  after: Keyset | undefined,
  limit: number,
): Promise<NotificationRecord[]> {
  const rows = await em.find(
    NotificationEntity,
    { customerId, sentAt: { $ne: null }, ...keysetFilter("createdAt", "notificationId", after, "desc") },
    { orderBy: { createdAt: "desc", notificationId: "desc" }, limit },
  );
  return rows.map(toRecord);
}

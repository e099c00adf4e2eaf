import type { EntityManager } from "@mikro-orm/postgresql";
import type { InferEntity } from "@mikro-orm/core";
import type { NotificationKind, NotificationRecord } from "../domain/notification.js";
import { keysetFilter, type Keyset } from "#kit/paging.js";
import { pgArray } from "#kit/database.js";
import { NotificationEntity } from "./schema.js";

type Row = InferEntity<typeof NotificationEntity>;

function toRecord(row: Row): NotificationRecord {
  return { ...row, kind: row.kind as NotificationKind, sentAt: row.sentAt ?? null };
}

/** A notification to record: what is sent later, and to whom. */
export type NewNotification = Omit<NotificationRecord, "sentAt" | "createdAt">;

/** Records notifications in one statement, skipping any whose reservation already has one of its kind. */
export async function insertAllIfAbsent(em: EntityManager, notifications: readonly NewNotification[]): Promise<void> {
  await em.execute(
    `insert into notifications (notification_id, customer_id, reservation_id, kind, message, channel)
     select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
     on conflict (reservation_id, kind) do nothing`,
    [
      pgArray(notifications.map((n) => n.notificationId)),
      pgArray(notifications.map((n) => n.customerId)),
      pgArray(notifications.map((n) => n.reservationId)),
      pgArray(notifications.map((n) => n.kind)),
      pgArray(notifications.map((n) => n.message)),
      pgArray(notifications.map((n) => n.channel)),
    ],
  );
}

/** Unsent notifications, locked so each replica sends different ones: one statement, rows mapped without a second read. */
export async function claimUnsent(em: EntityManager, limit: number): Promise<NotificationRecord[]> {
  const rows = await em.execute<Record<string, unknown>[]>(
    "select * from notifications where sent_at is null order by created_at limit ? for update skip locked",
    [limit],
  );
  return rows.map((row) => toRecord(em.map(NotificationEntity, row)));
}

/** Marks these notifications sent, in one statement. */
export async function markSent(em: EntityManager, notificationIds: readonly string[]): Promise<void> {
  await em.execute("update notifications set sent_at = clock_timestamp() where notification_id = any(?::text[])", [pgArray(notificationIds)]);
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

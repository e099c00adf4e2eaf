import type { EntityManager } from "@mikro-orm/postgresql";
import type { InferEntity } from "@mikro-orm/core";
import type { NotificationKind, NotificationRecord } from "../domain/notification.js";
import { keysetFilter, type Keyset } from "#kit/paging.js";
import type { SqlPart } from "#kit/outbox.js";
import { NotificationEntity } from "./schema.js";
import { query, run } from "#kit/sql.js";

type Row = InferEntity<typeof NotificationEntity>;

function toRecord({ leasedUntil: _, ...row }: Row): NotificationRecord {
  return { ...row, kind: row.kind as NotificationKind, sentAt: row.sentAt ?? null };
}

/** A notification to record: what is sent later, and to whom. */
export type NewNotification = Omit<NotificationRecord, "sentAt" | "createdAt">;

/** Records notifications in one statement, skipping any whose reservation already has one of its kind. */
export async function insertAllIfAbsent(em: EntityManager, notifications: readonly NewNotification[]): Promise<void> {
  await run(
    em,
    `insert into notifications (notification_id, customer_id, reservation_id, kind, message, channel)
     select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
     on conflict (reservation_id, kind) do nothing`,
    [
      notifications.map((n) => n.notificationId),
      notifications.map((n) => n.customerId),
      notifications.map((n) => n.reservationId),
      notifications.map((n) => n.kind),
      notifications.map((n) => n.message),
      notifications.map((n) => n.channel),
    ],
  );
}

/**
 * Unsent notifications not leased by anyone, oldest first, leased to the caller for `leaseMs` in one statement: each
 * replica sends different ones, and one that died mid-pass has its notifications sent again when the lease runs out.
 */
export async function leaseUnsent(em: EntityManager, limit: number, leaseMs: number): Promise<NotificationRecord[]> {
  const rows = await query<Record<string, unknown>>(
    em,
    `update notifications set leased_until = now() + make_interval(secs => ?)
      where notification_id in (select notification_id from notifications
                                 where sent_at is null and (leased_until is null or leased_until < now())
                                 order by created_at limit ? for update skip locked)
      returning *`,
    [leaseMs / 1000, limit],
  );
  return rows.map((row) => toRecord(em.map(NotificationEntity, row))).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/**
 * Marks these notifications sent and records each one's NotificationSent, in one statement (`recordEvents` from
 * Transactor.changesWithEvents, keyed by notification id); returns the ids marked now.
 */
export async function markSent(em: EntityManager, notificationIds: readonly string[], recordEvents: SqlPart): Promise<Set<string>> {
  const rows = await query<{ notification_id: string }>(
    em,
    `with sent as (
       update notifications set sent_at = clock_timestamp() where notification_id = any(?::text[]) and sent_at is null returning notification_id),
     recorded as (${recordEvents.sql} join sent on sent.notification_id = recorded_events.event_key)
     select notification_id from sent`,
    [notificationIds, ...recordEvents.params],
  );
  return new Set(rows.map((row) => row.notification_id));
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

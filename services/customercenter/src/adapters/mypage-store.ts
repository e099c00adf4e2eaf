import type { EntityManager } from "@mikro-orm/postgresql";
import type { InferEntity } from "@mikro-orm/core";
import type { Fact, HistoryItem, ReservationView } from "../domain/mypage.js";
import { HistoryEntity, ReservationViewEntity } from "./schema.js";

export type StoredReservation = InferEntity<typeof ReservationViewEntity>;
export type StoredHistory = HistoryItem & { summary: string };

/** Facts are stored as JSON; amounts (bigint) travel as strings. */
function factToJson(fact: Fact): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fact, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)));
}

function factFromJson(json: Record<string, unknown>): Fact {
  return ("amount" in json ? { ...json, amount: BigInt(String(json.amount)) } : json) as Fact;
}

export async function insertHistory(
  em: EntityManager,
  item: HistoryItem & { reservationId: string; customerId: string; summary: string },
): Promise<boolean> {
  const rows = await em.execute(
    `insert into mypage_history (event_id, reservation_id, customer_id, event_type, occurred_at, fact, summary)
     values (?, ?, ?, ?, ?, ?, ?) on conflict (event_id) do nothing returning event_id`,
    [item.eventId, item.reservationId, item.customerId, item.eventType, item.occurredAt, JSON.stringify(factToJson(item.fact)), item.summary],
  );
  return rows.length === 1;
}

export async function historyOf(em: EntityManager, reservationIds: string[]): Promise<Map<string, StoredHistory[]>> {
  const byReservation = new Map<string, StoredHistory[]>();
  if (reservationIds.length === 0) return byReservation;
  const rows = await em.find(HistoryEntity, { reservationId: { $in: reservationIds } }, { orderBy: { occurredAt: "asc", eventId: "asc" } });
  for (const row of rows) {
    const list = byReservation.get(row.reservationId) ?? [];
    list.push({ eventId: row.eventId, eventType: row.eventType, occurredAt: row.occurredAt, fact: factFromJson(row.fact), summary: row.summary });
    byReservation.set(row.reservationId, list);
  }
  return byReservation;
}

/** Next change number of the customer; the row stays locked until commit. */
export async function nextCustomerVersion(em: EntityManager, customerId: string): Promise<number> {
  const rows = await em.execute<{ version: string }[]>(
    `insert into mypage_customers (customer_id, version) values (?, 1)
     on conflict (customer_id) do update set version = mypage_customers.version + 1 returning version`,
    [customerId],
  );
  return Number(rows[0]?.version);
}

export async function upsertView(
  em: EntityManager,
  row: { reservationId: string; customerId: string; version: number; placedAt: Date | null } & ReservationView,
): Promise<void> {
  await em.execute(
    `insert into mypage_reservations
       (reservation_id, customer_id, musical_id, musical_name, seats, amount, reservation_status, payment_state, version, placed_at, updated_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
     on conflict (reservation_id) do update set
       musical_id = excluded.musical_id, musical_name = excluded.musical_name, seats = excluded.seats, amount = excluded.amount,
       reservation_status = excluded.reservation_status, payment_state = excluded.payment_state,
       version = excluded.version, placed_at = excluded.placed_at, updated_at = now()`,
    [
      row.reservationId,
      row.customerId,
      row.musicalId,
      row.musicalName,
      row.seats,
      row.amount,
      row.reservationStatus,
      row.paymentState,
      row.version,
      row.placedAt,
    ],
  );
}

/** The customer's reservations (those whose placement is known), newest first, optionally only those changed after a version. */
export async function reservationsOf(em: EntityManager, customerId: string, changedAfterVersion = 0): Promise<StoredReservation[]> {
  return em.find(
    ReservationViewEntity,
    { customerId, musicalId: { $ne: "" }, version: { $gt: changedAfterVersion } },
    { orderBy: { placedAt: "desc", reservationId: "desc" }, refresh: true },
  );
}

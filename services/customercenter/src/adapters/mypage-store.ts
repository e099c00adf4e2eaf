import type { EntityManager } from "@mikro-orm/postgresql";
import type { Keyset } from "#kit/paging.js";
import type { Fact, HistoryItem, ReservationView } from "../domain/mypage.js";

export type StoredHistory = HistoryItem & { summary: string };
export type StoredReservation = { reservationId: string; customerId: string; version: number; placedAt: Date; updatedAt: Date } & ReservationView;
/** One reservation of MyPage with every fact about it, oldest first. */
export interface StoredView {
  reservation: StoredReservation;
  history: StoredHistory[];
}

/** Facts are stored as JSON; amounts (bigint) travel as strings. */
function factToJson(fact: Fact): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fact, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value)));
}

function factFromJson(json: Record<string, unknown>): Fact {
  return ("amount" in json ? { ...json, amount: BigInt(String(json.amount)) } : json) as Fact;
}

/**
 * Takes the customer's next change number (the counter row stays locked until commit) and records the fact, in one
 * statement; `recorded` is false when the fact was there already.
 */
export async function recordFact(
  em: EntityManager,
  item: HistoryItem & { reservationId: string; customerId: string; summary: string },
): Promise<{ version: number; recorded: boolean }> {
  const rows = await em.execute<{ version: string; recorded: boolean }[]>(
    `with counter as (
       insert into mypage_customers (customer_id, version) values (?, 1)
       on conflict (customer_id) do update set version = mypage_customers.version + 1 returning version),
     fact as (
       insert into mypage_history (event_id, reservation_id, customer_id, event_type, occurred_at, fact, summary)
       values (?, ?, ?, ?, ?, ?, ?) on conflict (event_id) do nothing returning event_id)
     select (select version from counter) as version, exists (select 1 from fact) as recorded`,
    [
      item.customerId,
      item.eventId,
      item.reservationId,
      item.customerId,
      item.eventType,
      item.occurredAt,
      JSON.stringify(factToJson(item.fact)),
      item.summary,
    ],
  );
  return { version: Number(rows[0]!.version), recorded: rows[0]!.recorded };
}

/** Every fact of a reservation, oldest first. Plain SQL: no entities to hydrate on the consumer's hot path. */
export async function historyOf(em: EntityManager, reservationId: string): Promise<StoredHistory[]> {
  const rows = await em.execute<
    { event_id: string; event_type: string; occurred_at: Date | string; fact: Record<string, unknown>; summary: string }[]
  >("select event_id, event_type, occurred_at, fact, summary from mypage_history where reservation_id = ? order by occurred_at, event_id", [
    reservationId,
  ]);
  return rows.map((row) => ({
    eventId: row.event_id,
    eventType: row.event_type,
    occurredAt: row.occurred_at instanceof Date ? row.occurred_at : new Date(row.occurred_at),
    fact: factFromJson(typeof row.fact === "string" ? (JSON.parse(row.fact) as Record<string, unknown>) : row.fact),
    summary: row.summary,
  }));
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

/**
 * Reservations of MyPage (those whose placement is known) with their histories, read in one statement, so a view and
 * its history come from one snapshot. Raw SQL: MikroORM inlines the parameters, dates come back as text.
 */
async function selectViews(
  em: EntityManager,
  options: { customerId: string; where: string; params: unknown[]; orderBy: string; limit?: number; extraColumns?: string; extraParams?: unknown[] },
): Promise<{ views: StoredView[]; rows: Record<string, unknown>[] }> {
  const rows = await em.execute<Record<string, unknown>[]>(
    `select r.reservation_id, r.customer_id, r.musical_id, r.musical_name, r.seats, r.amount, r.reservation_status, r.payment_state,
            r.version, r.placed_at, r.updated_at,
            (select coalesce(json_agg(json_build_object('eventId', h.event_id, 'eventType', h.event_type, 'occurredAt', h.occurred_at,
                                                        'fact', h.fact, 'summary', h.summary) order by h.occurred_at, h.event_id), '[]'::json)
               from mypage_history h where h.reservation_id = r.reservation_id) as history
            ${options.extraColumns ?? ""}
       from mypage_reservations r
      where r.customer_id = ? and r.musical_id <> '' ${options.where}
      order by ${options.orderBy}${options.limit === undefined ? "" : " limit ?"}`,
    [...(options.extraParams ?? []), options.customerId, ...options.params, ...(options.limit === undefined ? [] : [options.limit])],
  );
  const views = rows.map((row) => ({
    reservation: {
      reservationId: String(row.reservation_id),
      customerId: String(row.customer_id),
      musicalId: String(row.musical_id),
      musicalName: String(row.musical_name),
      seats: Number(row.seats),
      amount: BigInt(String(row.amount)),
      reservationStatus: String(row.reservation_status),
      paymentState: String(row.payment_state),
      version: Number(row.version),
      placedAt: new Date(String(row.placed_at)),
      updatedAt: new Date(String(row.updated_at)),
    },
    history: (row.history as Record<string, unknown>[]).map((h) => ({
      eventId: String(h.eventId),
      eventType: String(h.eventType),
      occurredAt: new Date(String(h.occurredAt)),
      fact: factFromJson(h.fact as Record<string, unknown>),
      summary: String(h.summary),
    })),
  })) as StoredView[];
  return { views, rows };
}

/**
 * One page of the customer's reservations, newest first (keyset on placed_at, reservation_id), and the highest version
 * among all of them in the same snapshot: changes after it are news to whoever read this page.
 */
export async function pageOf(
  em: EntityManager,
  customerId: string,
  after: Keyset | undefined,
  limit: number,
): Promise<{ views: StoredView[]; latestVersion: number }> {
  const { views, rows } = await selectViews(em, {
    customerId,
    where: after ? "and (r.placed_at, r.reservation_id) < (?::timestamptz, ?)" : "",
    params: after ? [after.at.toISOString(), after.id] : [],
    orderBy: "r.placed_at desc, r.reservation_id desc",
    limit,
    extraColumns: ", (select max(l.version) from mypage_reservations l where l.customer_id = ? and l.musical_id <> '') as latest_version",
    extraParams: [customerId],
  });
  return { views, latestVersion: Number(rows[0]?.latest_version ?? 0) };
}

/** The customer's reservations that changed after a version, in the order they changed. */
export async function changesOf(em: EntityManager, customerId: string, afterVersion: number): Promise<StoredView[]> {
  return (await selectViews(em, { customerId, where: "and r.version > ?", params: [afterVersion], orderBy: "r.version" })).views;
}

/** Of the given customers, those with a reservation changed after the version given for them: one statement for all. */
export async function customersChangedAfter(em: EntityManager, seen: ReadonlyMap<string, number>): Promise<string[]> {
  if (seen.size === 0) return [];
  const rows = await em.execute<{ customer_id: string }[]>(
    `select w.customer_id from (values ${[...seen].map(() => "(?, ?::bigint)").join(", ")}) as w(customer_id, version)
      where exists (select 1 from mypage_reservations r where r.customer_id = w.customer_id and r.version > w.version and r.musical_id <> '')`,
    [...seen].flat(),
  );
  return rows.map((r) => r.customer_id);
}

import type { EntityManager } from "@mikro-orm/postgresql";
import type { Keyset } from "#kit/paging.js";
import type { Fact, HistoryItem, ReservationView } from "../domain/mypage.js";
import { query, run } from "#kit/sql.js";

export type StoredHistory = HistoryItem & { summary: string };
export type StoredReservation = { reservationId: string; customerId: string; version: number; placedAt: Date; updatedAt: Date } & ReservationView;
/** One reservation of MyPage with every fact about it, oldest first. */
export interface StoredView {
  reservation: StoredReservation;
  history: StoredHistory[];
}

/** Facts are stored as JSON; amounts (bigint) travel as strings: the replacer for JSON.stringify. */
const bigintAsString = (_key: string, value: unknown) => (typeof value === "bigint" ? value.toString() : value);

function factFromJson(json: Record<string, unknown>): Fact {
  return ("amount" in json ? { ...json, amount: BigInt(String(json.amount)) } : json) as Fact;
}

/** A fact to record, with whom it is about. */
export type NewFact = HistoryItem & { reservationId: string; customerId: string; summary: string };

/**
 * Records facts of one transaction in one statement and gives each reservation they are about its customer's next
 * change number: every changed view of a customer has a version of its own, so a watcher that has seen a version has
 * seen every change up to it. The counter rows stay locked until commit (taken in customer order, so concurrent
 * batches cannot deadlock): a customer's versions commit in order. Returns the version per reservation and the
 * facts that were not there already.
 */
export async function recordFacts(em: EntityManager, facts: readonly NewFact[]): Promise<{ versions: Map<string, number>; recorded: NewFact[] }> {
  const reservationsOf = new Map<string, Set<string>>();
  for (const f of facts) reservationsOf.set(f.customerId, (reservationsOf.get(f.customerId) ?? new Set()).add(f.reservationId));
  const rows = await query<{ customer_id: string | null; version: string | null; event_id: string | null }>(
    em,
    `with input as (
       select * from jsonb_to_recordset(?::jsonb)
         as f(event_id text, reservation_id text, customer_id text, event_type text, occurred_at timestamptz, fact jsonb, summary text)),
     counter as (
       insert into mypage_customers (customer_id, version)
       select customer_id, count(distinct reservation_id) from input group by customer_id order by customer_id
       on conflict (customer_id) do update set version = mypage_customers.version + excluded.version returning customer_id, version),
     fact as (
       insert into mypage_history (event_id, reservation_id, customer_id, event_type, occurred_at, fact, summary)
       select event_id, reservation_id, customer_id, event_type, occurred_at, fact, summary from input
       on conflict (event_id) do nothing returning event_id)
     select customer_id, version, null as event_id from counter
     union all select null, null, event_id from fact`,
    [
      JSON.stringify(
        facts.map((f) => ({
          event_id: f.eventId,
          reservation_id: f.reservationId,
          customer_id: f.customerId,
          event_type: f.eventType,
          occurred_at: f.occurredAt.toISOString(),
          fact: f.fact,
          summary: f.summary,
        })),
        bigintAsString,
      ),
    ],
  );
  const versions = new Map<string, number>();
  const recordedIds = new Set<string>();
  for (const row of rows) {
    if (row.customer_id !== null) {
      // The counter moved up by one per reservation: they take the numbers up to its new value, in id order.
      const reservations = [...reservationsOf.get(row.customer_id)!].sort();
      const first = Number(row.version) - reservations.length + 1;
      reservations.forEach((reservationId, i) => versions.set(reservationId, first + i));
    } else if (row.event_id !== null) recordedIds.add(row.event_id);
  }
  return { versions, recorded: facts.filter((f) => recordedIds.has(f.eventId)) };
}

/** Every fact of these reservations, oldest first, by reservation. Plain SQL: no entities to hydrate on the consumer's hot path. */
export async function historiesOf(em: EntityManager, reservationIds: readonly string[]): Promise<Map<string, StoredHistory[]>> {
  const rows = await query<{
    reservation_id: string;
    event_id: string;
    event_type: string;
    occurred_at: Date | string;
    fact: Record<string, unknown>;
    summary: string;
  }>(
    em,
    `select reservation_id, event_id, event_type, occurred_at, fact, summary from mypage_history
      where reservation_id = any(?::text[]) order by reservation_id, occurred_at, event_id`,
    [reservationIds],
  );
  const histories = new Map<string, StoredHistory[]>();
  for (const row of rows) {
    let history = histories.get(row.reservation_id);
    if (!history) histories.set(row.reservation_id, (history = []));
    history.push({
      eventId: row.event_id,
      eventType: row.event_type,
      occurredAt: row.occurred_at instanceof Date ? row.occurred_at : new Date(row.occurred_at),
      fact: factFromJson(typeof row.fact === "string" ? (JSON.parse(row.fact) as Record<string, unknown>) : row.fact),
      summary: row.summary,
    });
  }
  return histories;
}

export type ViewRow = { reservationId: string; customerId: string; version: number; placedAt: Date | null } & ReservationView;

/** Writes these reservations' views, in one statement. */
export async function upsertViews(em: EntityManager, views: readonly ViewRow[]): Promise<void> {
  await run(
    em,
    `insert into mypage_reservations
       (reservation_id, customer_id, musical_id, musical_name, seats, amount, reservation_status, payment_state, version, placed_at, updated_at)
     select reservation_id, customer_id, musical_id, musical_name, seats, amount, reservation_status, payment_state, version, placed_at, now()
       from jsonb_to_recordset(?::jsonb) as v(reservation_id text, customer_id text, musical_id text, musical_name text, seats int,
                                              amount bigint, reservation_status text, payment_state text, version bigint, placed_at timestamptz)
      order by reservation_id
     on conflict (reservation_id) do update set
       musical_id = excluded.musical_id, musical_name = excluded.musical_name, seats = excluded.seats, amount = excluded.amount,
       reservation_status = excluded.reservation_status, payment_state = excluded.payment_state,
       version = excluded.version, placed_at = excluded.placed_at, updated_at = now()`,
    [
      JSON.stringify(
        views.map((v) => ({
          reservation_id: v.reservationId,
          customer_id: v.customerId,
          musical_id: v.musicalId,
          musical_name: v.musicalName,
          seats: v.seats,
          amount: v.amount.toString(),
          reservation_status: v.reservationStatus,
          payment_state: v.paymentState,
          version: v.version,
          placed_at: v.placedAt?.toISOString() ?? null,
        })),
      ),
    ],
  );
}

/**
 * Reservations of MyPage (those whose placement is known) with their histories, read in one statement, so a view and
 * its history come from one snapshot. Raw SQL: MikroORM inlines the parameters, dates come back as text. `from` names
 * the rows (as `r`) and may join others; `where` continues `r.musical_id <> ''`.
 */
async function selectViews(
  em: EntityManager,
  options: {
    from?: string;
    fromParams?: unknown[];
    where: string;
    params: unknown[];
    orderBy: string;
    limit?: number;
    extraColumns?: string;
    extraParams?: unknown[];
  },
): Promise<{ views: StoredView[]; rows: Record<string, unknown>[] }> {
  const rows = await query<Record<string, unknown>>(
    em,
    `select r.reservation_id, r.customer_id, r.musical_id, r.musical_name, r.seats, r.amount, r.reservation_status, r.payment_state,
            r.version, r.placed_at, r.updated_at,
            (select coalesce(json_agg(json_build_object('eventId', h.event_id, 'eventType', h.event_type, 'occurredAt', h.occurred_at,
                                                        'fact', h.fact, 'summary', h.summary) order by h.occurred_at, h.event_id), '[]'::json)
               from mypage_history h where h.reservation_id = r.reservation_id) as history
            ${options.extraColumns ?? ""}
       from ${options.from ?? "mypage_reservations r"}
      where r.musical_id <> '' ${options.where}
      order by ${options.orderBy}${options.limit === undefined ? "" : " limit ?"}`,
    [...(options.extraParams ?? []), ...(options.fromParams ?? []), ...options.params, ...(options.limit === undefined ? [] : [options.limit])],
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
    where: `and r.customer_id = ?${after ? " and (r.placed_at, r.reservation_id) < (?::timestamptz, ?)" : ""}`,
    params: [customerId, ...(after ? [after.at.toISOString(), after.id] : [])],
    orderBy: "r.placed_at desc, r.reservation_id desc",
    limit,
    extraColumns: ", (select max(l.version) from mypage_reservations l where l.customer_id = ? and l.musical_id <> '') as latest_version",
    extraParams: [customerId],
  });
  return { views, latestVersion: Number(rows[0]?.latest_version ?? 0) };
}

/**
 * For each customer, their reservations that changed after the version given for them, in the order they changed:
 * one statement for all of them.
 */
export async function changesOf(em: EntityManager, seen: ReadonlyMap<string, number>): Promise<Map<string, StoredView[]>> {
  const changes = new Map<string, StoredView[]>();
  if (seen.size === 0) return changes;
  const { views } = await selectViews(em, {
    from: `(values ${[...seen].map(() => "(?, ?::bigint)").join(", ")}) as w(customer_id, version)
           join mypage_reservations r on r.customer_id = w.customer_id and r.version > w.version`,
    fromParams: [...seen].flat(),
    where: "",
    params: [],
    orderBy: "r.customer_id, r.version",
  });
  for (const view of views) {
    const list = changes.get(view.reservation.customerId);
    if (list) list.push(view);
    else changes.set(view.reservation.customerId, [view]);
  }
  return changes;
}

/** Of the given customers, those with a reservation changed after the version given for them: one statement for all. */
export async function customersChangedAfter(em: EntityManager, seen: ReadonlyMap<string, number>): Promise<string[]> {
  if (seen.size === 0) return [];
  const rows = await query<{ customer_id: string }>(
    em,
    `select w.customer_id from (values ${[...seen].map(() => "(?, ?::bigint)").join(", ")}) as w(customer_id, version)
      where exists (select 1 from mypage_reservations r where r.customer_id = w.customer_id and r.version > w.version and r.musical_id <> '')`,
    [...seen].flat(),
  );
  return rows.map((r) => r.customer_id);
}

import type { EntityManager } from "@mikro-orm/postgresql";
import type { InferEntity } from "@mikro-orm/core";
import { UNFINISHED_PLACEMENT, type ReservationRecord } from "../domain/reservation.js";
import { keysetFilter, type Keyset } from "#kit/paging.js";
import type { SqlPart } from "#kit/outbox.js";
import { ReservationEntity } from "./schema.js";
import { query, run } from "#kit/sql.js";

/** PostgreSQL access for reservations. Callers own the transaction. */

type Row = InferEntity<typeof ReservationEntity>;

function toRecord(row: Row): ReservationRecord {
  return { ...row, status: row.status as ReservationRecord["status"], paymentState: row.paymentState as ReservationRecord["paymentState"] };
}

export async function findById(em: EntityManager, reservationId: string, lock = false): Promise<ReservationRecord | undefined> {
  const rows = await query<ReservationRow>(
    em,
    `select ${RESERVATION_COLUMNS} from reservations where reservation_id = ?${lock ? " for update" : ""}`,
    [reservationId],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** These reservations by id, locked for update in id order (so concurrent batches cannot deadlock), in one statement. */
export async function findByIdsForUpdate(em: EntityManager, reservationIds: readonly string[]): Promise<Map<string, ReservationRecord>> {
  const rows = await query<ReservationRow>(
    em,
    `select ${RESERVATION_COLUMNS} from reservations where reservation_id = any(?::text[]) order by reservation_id for update`,
    [reservationIds],
  );
  return new Map(rows.map((row) => [row.reservation_id, fromRow(row)]));
}

export async function findByKey(em: EntityManager, customerId: string, idempotencyKey: string, lock = false): Promise<ReservationRecord | undefined> {
  const rows = await query<ReservationRow>(
    em,
    `select ${RESERVATION_COLUMNS} from reservations where customer_id = ? and idempotency_key = ?${lock ? " for update" : ""}`,
    [customerId, idempotencyKey],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/**
 * Inserts PLACING rows, one statement for all; returns the ids inserted (a key already taken, or taken twice among
 * these, is not inserted again).
 */
export async function insertPlacings(em: EntityManager, records: readonly ReservationRecord[]): Promise<Set<string>> {
  // In key order: two replicas inserting the same keys wait for each other in one order, never in a cycle.
  const sorted = [...records].sort((a, b) => compare(a.customerId, b.customerId) || compare(a.idempotencyKey, b.idempotencyKey));
  const rows = await query<{ reservation_id: string }>(
    em,
    `insert into reservations (reservation_id, customer_id, idempotency_key, musical_id, seats, status, payment_state)
     select id, customer, key, musical, seats, 'PLACING', 'PENDING' from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::int[])
         as v(id, customer, key, musical, seats)
     on conflict (customer_id, idempotency_key) do nothing returning reservation_id`,
    [
      sorted.map((r) => r.reservationId),
      sorted.map((r) => r.customerId),
      sorted.map((r) => r.idempotencyKey),
      sorted.map((r) => r.musicalId),
      sorted.map((r) => r.seats),
    ],
  );
  return new Set(rows.map((row) => row.reservation_id));
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface Completion {
  reservationId: string;
  musicalName: string;
  amount: bigint;
}

/**
 * PLACING → RESERVED with each one's event recorded, in one statement; returns the completed rows by id. A placement
 * an abort won meanwhile (ABORTING or gone) is not among them, and its event is not recorded.
 */
export async function completePlacings(
  em: EntityManager,
  completions: readonly Completion[],
  recordEvents: SqlPart,
): Promise<Map<string, ReservationRecord>> {
  const rows = await query<ReservationRow>(
    em,
    `with placed as (
       update reservations set status = 'RESERVED', musical_name = v.name, amount = v.price,
              placed_at = date_trunc('milliseconds', clock_timestamp()), updated_at = now()
         from unnest(?::text[], ?::text[], ?::bigint[]) as v(id, name, price)
        where reservation_id = v.id and status = 'PLACING' returning ${RESERVATION_COLUMNS}),
     recorded as (${recordEvents.sql} join placed on placed.reservation_id = recorded_events.event_key)
     select * from placed`,
    [completions.map((c) => c.reservationId), completions.map((c) => c.musicalName), completions.map((c) => c.amount), ...recordEvents.params],
  );
  return new Map(rows.map((row) => [row.reservation_id, fromRow(row)]));
}

const RESERVATION_COLUMNS =
  "reservation_id, customer_id, idempotency_key, musical_id, musical_name, seats, amount, status, payment_state, placed_at, updated_at";

/** A row as plain SQL returns it: bigint as text, timestamps as PostgreSQL's text. */
interface ReservationRow {
  reservation_id: string;
  customer_id: string;
  idempotency_key: string;
  musical_id: string;
  musical_name: string;
  seats: number;
  amount: string;
  status: ReservationRecord["status"];
  payment_state: ReservationRecord["paymentState"];
  placed_at: string | Date;
  updated_at: string | Date;
}

function fromRow(row: ReservationRow): ReservationRecord {
  return {
    reservationId: row.reservation_id,
    customerId: row.customer_id,
    idempotencyKey: row.idempotency_key,
    musicalId: row.musical_id,
    musicalName: row.musical_name,
    seats: row.seats,
    amount: BigInt(row.amount),
    status: row.status,
    paymentState: row.payment_state,
    placedAt: new Date(row.placed_at),
    updatedAt: new Date(row.updated_at),
  };
}

/** Forgets a placement that took nothing; false when an abort won the row meanwhile. */
export async function deletePlacing(em: EntityManager, reservationId: string): Promise<boolean> {
  const rows = await query(em, "delete from reservations where reservation_id = ? and status = 'PLACING' returning reservation_id", [reservationId]);
  return rows.length === 1;
}

/**
 * PLACING → ABORTING, committed before any seat is released. Waits for a
 * completion that holds the row; false when that completion won (the seats
 * are the reservation's now) or the placement is already gone.
 */
export async function markAborting(em: EntityManager, reservationId: string): Promise<boolean> {
  const rows = await query(
    em,
    `update reservations set status = 'ABORTING', updated_at = now()
     where reservation_id = ? and status in ('PLACING', 'ABORTING') returning reservation_id`,
    [reservationId],
  );
  return rows.length === 1;
}

/** Forgets an aborted placement once musical has released (or barred) its seats. */
export async function deleteAborted(em: EntityManager, reservationId: string): Promise<void> {
  await run(em, "delete from reservations where reservation_id = ? and status = 'ABORTING'", [reservationId]);
}

export async function updateState(em: EntityManager, reservationId: string, status: string, paymentState: string): Promise<void> {
  await updateStates(em, [{ reservationId, status, paymentState }]);
}

/** Sets the status and payment state of these reservations, in one statement. */
export async function updateStates(
  em: EntityManager,
  changes: readonly { reservationId: string; status: string; paymentState: string }[],
): Promise<void> {
  await run(
    em,
    `update reservations r set status = c.status, payment_state = c.payment_state, updated_at = now()
       from unnest(?::text[], ?::text[], ?::text[]) as c(reservation_id, status, payment_state)
      where r.reservation_id = c.reservation_id`,
    [changes.map((c) => c.reservationId), changes.map((c) => c.status), changes.map((c) => c.paymentState)],
  );
}

/**
 * Abandoned placements, marked ABORTING in the same statement: PLACING rows
 * older than the given age, and ABORTING rows whose abort has not finished
 * for as long (its release failed, or its process died). A row locked by a
 * completion or by another replica is skipped; bumping updated_at leaves an
 * ABORTING row to this replica until the age passes again.
 */
export async function claimAbandonedPlacements(em: EntityManager, olderThanMs: number, limit: number): Promise<string[]> {
  const rows = await query<{ reservation_id: string }>(
    em,
    `update reservations set status = 'ABORTING', updated_at = now()
      where reservation_id in (
        select reservation_id from reservations
         where status in ('PLACING', 'ABORTING')
           and (case when status = 'PLACING' then placed_at else updated_at end) < now() - make_interval(secs => ?)
         order by placed_at limit ? for update skip locked)
        and status in ('PLACING', 'ABORTING')
      returning reservation_id`,
    [olderThanMs / 1000, limit],
  );
  return rows.map((r) => r.reservation_id);
}

/** Newest first, keyset by (placed_at, reservation_id); unfinished placements are not reservations. */
export async function listForCustomer(em: EntityManager, customerId: string, after: Keyset | undefined, limit: number): Promise<ReservationRecord[]> {
  const rows = await em.find(
    ReservationEntity,
    { customerId, status: { $nin: [...UNFINISHED_PLACEMENT] }, ...keysetFilter("placedAt", "reservationId", after, "desc") },
    { orderBy: { placedAt: "desc", reservationId: "desc" }, limit },
  );
  return rows.map(toRecord);
}

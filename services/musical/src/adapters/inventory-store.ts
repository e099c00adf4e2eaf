import type { EntityManager } from "@mikro-orm/postgresql";
import type { HoldStatus, MusicalRecord, SeatHoldRecord } from "../domain/musical.js";
import { keysetFilter, type Keyset } from "#kit/paging.js";
import { MusicalEntity } from "./schema.js";
import { query, run } from "#kit/sql.js";

/** PostgreSQL access for the catalog and seat holds. Callers own the transaction. */

const MUSICAL_COLUMNS = "musical_id, name, total_seats, reservable_seats, seat_price, registered_at";
const HOLD_COLUMNS = "reservation_id, musical_id, customer_id, seats, status";

/** A plain select: GetMusical's hot path, where the ORM's query building and hydration cost more than the query. */
export async function findMusical(em: EntityManager, musicalId: string): Promise<MusicalRecord | undefined> {
  const rows = await query<MusicalRow>(em, `select ${MUSICAL_COLUMNS} from musicals where musical_id = ?`, [musicalId]);
  return rows[0] ? fromRow(rows[0]) : undefined;
}

/** Until the transaction ends, other registrations of this id wait (the row may not exist yet, so no row lock). */
export async function lockRegistration(em: EntityManager, musicalId: string): Promise<void> {
  await run(em, "select pg_advisory_xact_lock(hashtext(?))", [`musical:${musicalId}`]);
}

export async function insertMusical(em: EntityManager, musical: MusicalRecord): Promise<void> {
  em.create(MusicalEntity, { ...musical });
  await em.flush();
}

/** Oldest first, keyset by (registered_at, musical_id). */
export async function listMusicals(em: EntityManager, after: Keyset | undefined, limit: number): Promise<MusicalRecord[]> {
  const rows = await em.find(MusicalEntity, keysetFilter("registeredAt", "musicalId", after, "asc"), {
    orderBy: { registeredAt: "asc", musicalId: "asc" },
    limit,
  });
  return rows.map((row) => ({ ...row }));
}

/**
 * Locks these musicals' rows for the rest of the transaction, in id order, so two replicas locking overlapping sets
 * never deadlock: claims take turns here, a batch at a time. Unknown ids are simply absent.
 */
export async function lockMusicals(em: EntityManager, musicalIds: readonly string[]): Promise<Map<string, MusicalRecord>> {
  const rows = await query<MusicalRow>(
    em,
    `select ${MUSICAL_COLUMNS} from musicals where musical_id = any(?::text[]) order by musical_id for update`,
    [musicalIds],
  );
  return new Map(rows.map((row) => [row.musical_id, fromRow(row)]));
}

/** The holds (or bars) recorded for any of these reservations. */
export async function findHolds(em: EntityManager, reservationIds: readonly string[]): Promise<Map<string, SeatHoldRecord>> {
  const rows = await query<HoldRow>(em, `select ${HOLD_COLUMNS} from seat_holds where reservation_id = any(?::text[])`, [reservationIds]);
  return new Map(rows.map((row) => [row.reservation_id, holdFromRow(row)]));
}

/**
 * Takes the seats of many holds, on any number of musicals, and records them, in one statement. The caller holds
 * the musicals' row locks and decided that they fit; the seat condition still refuses a musical's share if they do
 * not (false: no musical may come up short), and a hold recorded meanwhile for the same reservation fails the
 * statement on the primary key.
 */
export async function takeSeatsForHolds(em: EntityManager, holds: readonly SeatHoldRecord[]): Promise<boolean> {
  const rows = await query<{ shows: number }>(
    em,
    `with h as (
       select * from jsonb_to_recordset(?::jsonb) as h(reservation_id text, musical_id text, customer_id text, seats int)
     ), wanted as (
       select musical_id, sum(seats)::int as seats from h group by musical_id
     ), taken as (
       update musicals m set reservable_seats = m.reservable_seats - wanted.seats
         from wanted
        where m.musical_id = wanted.musical_id and m.reservable_seats >= wanted.seats
       returning m.musical_id
     ), held as (
       insert into seat_holds (reservation_id, musical_id, customer_id, seats, status)
       select h.reservation_id, h.musical_id, h.customer_id, h.seats, 'HELD' from h join taken using (musical_id)
     )
     select count(*)::int as shows from taken`,
    [JSON.stringify(holds.map((h) => ({ reservation_id: h.reservationId, musical_id: h.musicalId, customer_id: h.customerId, seats: h.seats })))],
  );
  return rows[0]?.shows === new Set(holds.map((h) => h.musicalId)).size;
}

interface HoldRow {
  reservation_id: string;
  musical_id: string;
  customer_id: string;
  seats: number;
  status: HoldStatus;
}

function holdFromRow(row: HoldRow): SeatHoldRecord {
  return { reservationId: row.reservation_id, musicalId: row.musical_id, customerId: row.customer_id, seats: row.seats, status: row.status };
}

interface MusicalRow {
  musical_id: string;
  name: string;
  total_seats: number;
  reservable_seats: number;
  seat_price: string;
  registered_at: Date;
}

function fromRow(row: MusicalRow): MusicalRecord {
  return {
    musicalId: row.musical_id,
    name: row.name,
    totalSeats: row.total_seats,
    reservableSeats: row.reservable_seats,
    seatPrice: BigInt(row.seat_price),
    registeredAt: new Date(row.registered_at),
  };
}

export async function returnSeats(em: EntityManager, musicalId: string, seats: number): Promise<void> {
  await run(em, "update musicals set reservable_seats = reservable_seats + ? where musical_id = ?", [seats, musicalId]);
}

export async function findHoldForUpdate(em: EntityManager, reservationId: string): Promise<SeatHoldRecord | undefined> {
  const rows = await query<HoldRow>(em, `select ${HOLD_COLUMNS} from seat_holds where reservation_id = ? for update`, [reservationId]);
  return rows[0] ? holdFromRow(rows[0]) : undefined;
}

/** Inserts a hold; false when another transaction inserted one for this reservation first. */
export async function insertHold(em: EntityManager, hold: SeatHoldRecord): Promise<boolean> {
  const rows = await query(
    em,
    `insert into seat_holds (reservation_id, musical_id, customer_id, seats, status, released_at)
     values (?, ?, ?, ?, ?, case when ? = 'RELEASED' then now() end)
     on conflict (reservation_id) do nothing returning reservation_id`,
    [hold.reservationId, hold.musicalId, hold.customerId, hold.seats, hold.status, hold.status],
  );
  return rows.length === 1;
}

export async function markHoldReleased(em: EntityManager, reservationId: string): Promise<void> {
  await run(em, "update seat_holds set status = 'RELEASED', released_at = now() where reservation_id = ?", [reservationId]);
}

export async function seatsHeld(em: EntityManager, musicalId: string): Promise<number> {
  const rows = await query<{ held: string | null }>(em, "select sum(seats) as held from seat_holds where musical_id = ? and status = 'HELD'", [
    musicalId,
  ]);
  return Number(rows[0]?.held ?? 0);
}

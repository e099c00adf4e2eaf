import type { EntityManager } from "@mikro-orm/postgresql";
import type { HoldStatus, MusicalRecord, SeatHoldRecord } from "../domain/musical.js";
import { keysetFilter, type Keyset } from "#kit/paging.js";
import { MusicalEntity } from "./schema.js";

/** PostgreSQL access for the catalog and seat holds. Callers own the transaction. */

/** A plain select: GetMusical's hot path, where the ORM's query building and hydration cost more than the query. */
export async function findMusical(em: EntityManager, musicalId: string): Promise<MusicalRecord | undefined> {
  const rows = await em.execute<MusicalRow[]>(
    "select musical_id, name, total_seats, reservable_seats, seat_price, registered_at from musicals where musical_id = ?",
    [musicalId],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
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
 * Takes seats and records the hold in ONE statement, run outside any explicit
 * transaction: the musical's row lock lasts only as long as the statement, so
 * concurrent reservations queue inside PostgreSQL rather than across network
 * round trips. The seat condition makes overselling impossible; if another
 * call inserted a hold for the same reservation first, the primary key fails
 * the whole statement and no seat is taken.
 */
export async function takeSeatsWithHold(
  em: EntityManager,
  hold: { reservationId: string; musicalId: string; seats: number; customerId: string },
): Promise<MusicalRecord | undefined> {
  const rows = await em.execute<MusicalRow[]>(
    `with taken as (
       update musicals set reservable_seats = reservable_seats - ?
        where musical_id = ? and reservable_seats >= ?
       returning musical_id, name, total_seats, reservable_seats, seat_price, registered_at
     ), held as (
       insert into seat_holds (reservation_id, musical_id, customer_id, seats, status)
       select ?, musical_id, ?, ?, 'HELD' from taken
     )
     select * from taken`,
    [hold.seats, hold.musicalId, hold.seats, hold.reservationId, hold.customerId, hold.seats],
  );
  return rows[0] ? fromRow(rows[0]) : undefined;
}

export async function findHold(em: EntityManager, reservationId: string): Promise<SeatHoldRecord | undefined> {
  const rows = await em.execute<HoldRow[]>("select reservation_id, musical_id, customer_id, seats, status from seat_holds where reservation_id = ?", [
    reservationId,
  ]);
  return rows[0] ? holdFromRow(rows[0]) : undefined;
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
  await em.execute("update musicals set reservable_seats = reservable_seats + ? where musical_id = ?", [seats, musicalId]);
}

export async function findHoldForUpdate(em: EntityManager, reservationId: string): Promise<SeatHoldRecord | undefined> {
  const rows = await em.execute<HoldRow[]>(
    "select reservation_id, musical_id, customer_id, seats, status from seat_holds where reservation_id = ? for update",
    [reservationId],
  );
  return rows[0] ? holdFromRow(rows[0]) : undefined;
}

/** Inserts a hold; false when another transaction inserted one for this reservation first. */
export async function insertHold(em: EntityManager, hold: SeatHoldRecord): Promise<boolean> {
  const rows = await em.execute(
    `insert into seat_holds (reservation_id, musical_id, customer_id, seats, status, released_at)
     values (?, ?, ?, ?, ?, case when ? = 'RELEASED' then now() end)
     on conflict (reservation_id) do nothing returning reservation_id`,
    [hold.reservationId, hold.musicalId, hold.customerId, hold.seats, hold.status, hold.status],
  );
  return rows.length === 1;
}

export async function markHoldReleased(em: EntityManager, reservationId: string): Promise<void> {
  await em.execute("update seat_holds set status = 'RELEASED', released_at = now() where reservation_id = ?", [reservationId]);
}

export async function seatsHeld(em: EntityManager, musicalId: string): Promise<number> {
  const rows = await em.execute<{ held: string | null }[]>("select sum(seats) as held from seat_holds where musical_id = ? and status = 'HELD'", [
    musicalId,
  ]);
  return Number(rows[0]?.held ?? 0);
}

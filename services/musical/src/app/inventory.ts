import { randomUUID } from "node:crypto";
import type { Transactor, Tx } from "#kit/outbox.js";
import type { Keyset } from "#kit/paging.js";
import { newEvent } from "#kit/events.js";
import { alreadyExists, notFound } from "#kit/errors.js";
import { MusicalRegisteredSchema, SeatsReleasedSchema } from "#gen/outerpark/musical/v1/events_pb.js";
import { sameRegistration, type MusicalRecord, type MusicalSpec, type SeatClaim, type SeatHoldRecord } from "../domain/musical.js";
import * as store from "../adapters/inventory-store.js";
import { SeatClaims, type ClaimResult } from "./seat-claims.js";
import { seatMetrics } from "./seat-metrics.js";
import { Turns, type Outcome } from "#kit/turns.js";

/** Use cases of the catalog and the seat inventory. */
export class Inventory {
  private readonly claims: SeatClaims;
  /** Reads of one musical that arrive while one is in flight are answered together by the next: one statement for all. */
  readonly #reads = new Turns<undefined, MusicalRecord>(1_000, async (musicalId, waiting) => {
    const musical = await this.transactor.autocommit((em) => store.findMusical(em, musicalId));
    const outcome: Outcome<MusicalRecord> = musical ? { value: musical } : { error: notFound(`musical ${musicalId}`) };
    return waiting.map(() => outcome);
  });

  constructor(private readonly transactor: Transactor) {
    this.claims = new SeatClaims(transactor);
  }

  async register(musicalId: string | undefined, spec: MusicalSpec): Promise<{ musical: MusicalRecord; created: boolean }> {
    const id = musicalId || randomUUID();
    return this.transactor.run(async (tx) => {
      // Serialise registrations of one id so "same data → no-op" holds under races.
      await store.lockRegistration(tx.em, id);
      const existing = await store.findMusical(tx.em, id);
      if (existing) {
        if (!sameRegistration(existing, spec)) throw alreadyExists(`musical ${id} is already registered with different data`);
        return { musical: existing, created: false };
      }
      const musical: MusicalRecord = { musicalId: id, ...spec, reservableSeats: spec.totalSeats, registeredAt: new Date() };
      await store.insertMusical(tx.em, musical);
      await tx.publish(newEvent(MusicalRegisteredSchema, { musicalId: id, name: spec.name, totalSeats: spec.totalSeats, seatPrice: spec.seatPrice }));
      return { musical, created: true };
    });
  }

  async get(musicalId: string): Promise<MusicalRecord> {
    return this.#reads.submit(musicalId, undefined);
  }

  async list(after: Keyset | undefined, limit: number): Promise<MusicalRecord[]> {
    return this.transactor.autocommit((em) => store.listMusicals(em, after, limit));
  }

  /** Takes seats for a reservation, coalesced with concurrent claims on the same show (see SeatClaims). */
  reserve(claim: SeatClaim): Promise<ClaimResult> {
    return this.claims.claim(claim);
  }

  /** Releases seats by RPC (an aborted placement): bars the id even when no hold exists yet. */
  async releaseByRequest(reservationId: string): Promise<SeatHoldRecord> {
    return this.transactor.run((tx) => release(tx, reservationId, ""));
  }
}

/**
 * Puts a reservation's seats back. Idempotent: a released hold stays released.
 * With no hold yet, records a released one so a late ReserveSeats is refused.
 */
export async function release(tx: Tx, reservationId: string, customerId: string): Promise<SeatHoldRecord> {
  const hold = await store.findHoldForUpdate(tx.em, reservationId);
  if (!hold) {
    const barred: SeatHoldRecord = { reservationId, musicalId: "", customerId, seats: 0, status: "RELEASED" };
    if (!(await store.insertHold(tx.em, barred))) return release(tx, reservationId, customerId);
    return barred;
  }
  if (hold.status === "RELEASED") return hold;
  await store.returnSeats(tx.em, hold.musicalId, hold.seats);
  await store.markHoldReleased(tx.em, reservationId);
  tx.afterCommit(() => seatMetrics.returned.inc(hold.seats));
  await tx.publish(
    newEvent(SeatsReleasedSchema, {
      musicalId: hold.musicalId,
      reservationId,
      seats: hold.seats,
      customerId: customerId || hold.customerId,
    }),
  );
  return { ...hold, status: "RELEASED" };
}

import { randomUUID } from "node:crypto";
import type { Transactor, Tx } from "#kit/outbox.js";
import type { Keyset } from "#kit/paging.js";
import { newEvent } from "#kit/events.js";
import { alreadyExists, failedPrecondition, isUniqueViolation, notFound } from "#kit/errors.js";
import { MusicalRegisteredSchema, SeatsReleasedSchema } from "#gen/outerpark/musical/v1/events_pb.js";
import {
  amountFor,
  judgeRepeatedReserve,
  notEnoughSeatsMessage,
  sameRegistration,
  type MusicalRecord,
  type MusicalSpec,
  type SeatHoldRecord,
} from "../domain/musical.js";
import * as store from "../adapters/inventory-store.js";

/** Use cases of the catalog and the seat inventory. */
export class Inventory {
  constructor(private readonly transactor: Transactor) {}

  async register(musicalId: string | undefined, spec: MusicalSpec): Promise<{ musical: MusicalRecord; created: boolean }> {
    const id = musicalId || randomUUID();
    return this.transactor.run(async (tx) => {
      // Serialise registrations of one id so "same data → no-op" holds under races.
      await tx.em.execute("select pg_advisory_xact_lock(hashtext(?))", [`musical:${id}`]);
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
    const musical = await this.transactor.autocommit((em) => store.findMusical(em, musicalId));
    if (!musical) throw notFound(`musical ${musicalId}`);
    return musical;
  }

  async list(after: Keyset | undefined, limit: number): Promise<MusicalRecord[]> {
    return this.transactor.autocommit((em) => store.listMusicals(em, after, limit));
  }

  /**
   * Takes seats for a reservation. The seats and the hold commit together, so
   * a retried call finds the hold and takes nothing more.
   */
  async reserve(request: { reservationId: string; musicalId: string; seats: number; customerId: string }): Promise<{
    hold: SeatHoldRecord;
    musical: MusicalRecord;
    amount: bigint;
  }> {
    return this.transactor.autocommit(async (em) => {
      for (let attempt = 1; ; attempt++) {
        const existing = await store.findHold(em, request.reservationId);
        if (existing) {
          const verdict = judgeRepeatedReserve(existing, request.musicalId, request.seats);
          if (verdict.kind === "conflict") throw failedPrecondition(verdict.reason);
          const musical = await store.findMusical(em, existing.musicalId);
          if (!musical) throw notFound(`musical ${existing.musicalId}`);
          return { hold: existing, musical, amount: amountFor(existing.seats, musical.seatPrice) };
        }
        let musical: MusicalRecord | undefined;
        try {
          musical = await store.takeSeatsWithHold(em, request);
        } catch (error) {
          // A concurrent call for the same reservation committed its hold first: answer as a retry would.
          if (isUniqueViolation(error) && attempt < 3) continue;
          throw error;
        }
        if (musical) {
          return { hold: { ...request, status: "HELD" }, musical, amount: amountFor(request.seats, musical.seatPrice) };
        }
        const current = await store.findMusical(em, request.musicalId);
        if (!current) throw notFound(`musical ${request.musicalId}`);
        throw failedPrecondition(notEnoughSeatsMessage(current, request.seats));
      }
    });
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

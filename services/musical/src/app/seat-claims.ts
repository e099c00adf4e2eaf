import type { Transactor } from "#kit/outbox.js";
import { failedPrecondition, isUniqueViolation, notFound } from "#kit/errors.js";
import {
  amountFor,
  decideClaims,
  judgeRepeatedReserve,
  notEnoughSeatsMessage,
  type MusicalRecord,
  type SeatClaim,
  type SeatHoldRecord,
} from "../domain/musical.js";
import * as store from "../adapters/inventory-store.js";
import { seatMetrics } from "./seat-metrics.js";
import { Turns, type Outcome } from "#kit/turns.js";

export interface ClaimResult {
  hold: SeatHoldRecord;
  musical: MusicalRecord;
  amount: bigint;
}

type BatchDecision = ReturnType<typeof decideClaims> & { musical: MusicalRecord | undefined };

/** Claims on one show beyond this wait for the next turn; it bounds one statement's size. */
const MAX_BATCH = 500;

/**
 * Seat claims, coalesced per show. While one transaction holds a show's row,
 * the claims that arrive for it queue here; the next turn takes them all
 * with one lock, one read of their holds and one UPDATE + multi-row INSERT,
 * deciding in arrival order which fit. A rush thus costs one row lock per
 * batch, not per claim. Several replicas stay correct: each batch decides
 * under the row lock, after reading the holds committed before it.
 */
export class SeatClaims {
  readonly #batches = new Turns<SeatClaim, ClaimResult>(MAX_BATCH, (musicalId, claims) => this.#decideBatch(musicalId, claims));
  readonly #peeks = new Turns<SeatClaim, ClaimResult | undefined>(MAX_BATCH, (musicalId, claims) => this.#peek(musicalId, claims));
  /** Seats left after this process's last look at each show: a hint that it may be sold out, never an answer. */
  readonly #lastSeen = new Map<string, number>();

  constructor(private readonly transactor: Transactor) {}

  async claim(claim: SeatClaim): Promise<ClaimResult> {
    const lastSeen = this.#lastSeen.get(claim.musicalId);
    if (lastSeen !== undefined && lastSeen < claim.seats) {
      const answered = await this.#peeks.submit(claim.musicalId, claim);
      if (answered) return answered;
    }
    return this.#batches.submit(claim.musicalId, claim);
  }

  /**
   * Claims on a show this process last saw without enough seats: answered
   * from what is committed, without waiting for its row, so a sold-out show
   * refuses a rush at once (one read per turn, not per claim). Undefined for
   * a claim that may fit after all (seats came back): it queues for a batch.
   */
  async #peek(musicalId: string, claims: SeatClaim[]): Promise<Outcome<ClaimResult | undefined>[]> {
    const { musical, holds } = await this.transactor.autocommit(async (em) => ({
      musical: await store.findMusical(em, musicalId),
      holds: await store.findHolds(em, [...new Set(claims.map((c) => c.reservationId))]),
    }));
    if (musical) this.#lastSeen.set(musicalId, musical.reservableSeats);
    return claims.map((claim): Outcome<ClaimResult | undefined> => {
      const hold = holds.get(claim.reservationId);
      if (hold) {
        const verdict = judgeRepeatedReserve(hold, claim.musicalId, claim.seats);
        if (verdict.kind === "conflict") return { error: failedPrecondition(verdict.reason) };
        if (!musical) return { error: notFound(`musical ${claim.musicalId}`) };
        return { value: { hold, musical, amount: amountFor(hold.seats, musical.seatPrice) } };
      }
      if (!musical) return { error: notFound(`musical ${claim.musicalId}`) };
      if (musical.reservableSeats < claim.seats) return { error: failedPrecondition(notEnoughSeatsMessage(musical, claim.seats)) };
      return { value: undefined };
    });
  }

  async #decideBatch(musicalId: string, claims: SeatClaim[]): Promise<Outcome<ClaimResult>[]> {
    const { musical, decisions, reservableSeats, newHolds } = await this.#decide(musicalId, claims);
    seatMetrics.taken.inc(newHolds.reduce((sum, hold) => sum + hold.seats, 0));
    if (musical) this.#lastSeen.set(musicalId, reservableSeats);
    return decisions.map((decision, i): Outcome<ClaimResult> => {
      const claim = claims[i]!;
      if (decision.kind === "unknown-musical" || (decision.kind === "held" && !musical)) return { error: notFound(`musical ${claim.musicalId}`) };
      if (decision.kind === "refused") return { error: failedPrecondition(decision.reason) };
      const current = { ...musical!, reservableSeats };
      return { value: { hold: decision.hold, musical: current, amount: amountFor(decision.hold.seats, current.seatPrice) } };
    });
  }

  async #decide(musicalId: string, claims: SeatClaim[]): Promise<BatchDecision> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactor.run(async ({ em }) => {
          const musical = await store.lockMusical(em, musicalId);
          const existing = await store.findHolds(em, [...new Set(claims.map((c) => c.reservationId))]);
          const decided = decideClaims(musical, existing, claims);
          if (decided.newHolds.length > 0 && !(await store.takeSeatsForHolds(em, musicalId, decided.newHolds))) {
            throw new Error(`seats of musical ${musicalId} changed under its row lock`);
          }
          return { musical, ...decided };
        });
      } catch (error) {
        // A reservation was barred (an aborted placement) after its hold was read: decide the batch again.
        if (isUniqueViolation(error) && attempt < 3) continue;
        throw error;
      }
    }
  }
}

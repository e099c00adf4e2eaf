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

type BatchDecision = ReturnType<typeof decideClaims> & { musicals: Map<string, MusicalRecord> };

/** Claims beyond this wait for the next turn; it bounds one statement's size. */
const MAX_BATCH = 500;

/** The one turn all claims share: a batch spans shows. */
const CLAIMS = "claims";

/**
 * Seat claims, coalesced. While one batch's transaction is in flight, the
 * claims that arrive, on whatever shows, queue here; the next turn takes them
 * all with one lock of their shows' rows (in id order), one read of their
 * holds and one UPDATE + multi-row INSERT, deciding per show in arrival order
 * which fit. A rush on one show thus costs one row lock per batch, not per
 * claim, and claims spread over many shows share their statements too.
 * Several replicas stay correct: each batch decides under the row locks, after
 * reading the holds committed before it.
 */
export class SeatClaims {
  readonly #batches = new Turns<SeatClaim, ClaimResult>(MAX_BATCH, (_key, claims) => this.#decideBatch(claims));
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
    return this.#batches.submit(CLAIMS, claim);
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

  async #decideBatch(claims: SeatClaim[]): Promise<Outcome<ClaimResult>[]> {
    const { musicals, decisions, reservableSeats, newHolds } = await this.#decide(claims);
    seatMetrics.taken.inc(newHolds.reduce((sum, hold) => sum + hold.seats, 0));
    for (const [musicalId, seats] of reservableSeats) this.#lastSeen.set(musicalId, seats);
    return decisions.map((decision, i): Outcome<ClaimResult> => {
      const claim = claims[i]!;
      const musical = musicals.get(claim.musicalId);
      if (decision.kind === "unknown-musical" || (decision.kind === "held" && !musical)) return { error: notFound(`musical ${claim.musicalId}`) };
      if (decision.kind === "refused") return { error: failedPrecondition(decision.reason) };
      const current = { ...musical!, reservableSeats: reservableSeats.get(claim.musicalId)! };
      return { value: { hold: decision.hold, musical: current, amount: amountFor(decision.hold.seats, current.seatPrice) } };
    });
  }

  async #decide(claims: SeatClaim[]): Promise<BatchDecision> {
    const musicalIds = [...new Set(claims.map((c) => c.musicalId))].sort();
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactor.run(async ({ em }) => {
          const musicals = await store.lockMusicals(em, musicalIds);
          const existing = await store.findHolds(em, [...new Set(claims.map((c) => c.reservationId))]);
          const decided = decideClaims(musicals, existing, claims);
          if (decided.newHolds.length > 0 && !(await store.takeSeatsForHolds(em, decided.newHolds))) {
            throw new Error(`seats of musicals ${musicalIds.join(", ")} changed under their row locks`);
          }
          return { musicals, ...decided };
        });
      } catch (error) {
        // A reservation was barred (an aborted placement) after its hold was read: decide the batch again.
        if (isUniqueViolation(error) && attempt < 3) continue;
        throw error;
      }
    }
  }
}

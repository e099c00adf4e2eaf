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

export interface ClaimResult {
  hold: SeatHoldRecord;
  musical: MusicalRecord;
  amount: bigint;
}

type BatchDecision = ReturnType<typeof decideClaims> & { musical: MusicalRecord | undefined };

interface Waiting {
  claim: SeatClaim;
  resolve(result: ClaimResult): void;
  reject(error: unknown): void;
}

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
  readonly #queues = new Map<string, Waiting[]>();
  /** Seats left after this process's last look at each show: a hint that it may be sold out, never an answer. */
  readonly #lastSeen = new Map<string, number>();

  constructor(private readonly transactor: Transactor) {}

  async claim(claim: SeatClaim): Promise<ClaimResult> {
    const lastSeen = this.#lastSeen.get(claim.musicalId);
    if (lastSeen !== undefined && lastSeen < claim.seats) {
      const refused = await this.#answerWithoutQueueing(claim);
      if (refused) return refused;
    }
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(claim.musicalId);
      if (queue) return void queue.push({ claim, resolve, reject });
      this.#queues.set(claim.musicalId, [{ claim, resolve, reject }]);
      void this.#takeTurns(claim.musicalId);
    });
  }

  /**
   * A show this process last saw without enough seats: answer from what is
   * committed, without waiting for its row, so a sold-out show refuses a rush
   * at once. Undefined when seats came back (or the claim is new to us): queue.
   */
  async #answerWithoutQueueing(claim: SeatClaim): Promise<ClaimResult | undefined> {
    const { musical, hold } = await this.transactor.autocommit((em) => store.peekClaim(em, claim.musicalId, claim.reservationId));
    if (hold) {
      const verdict = judgeRepeatedReserve(hold, claim.musicalId, claim.seats);
      if (verdict.kind === "conflict") throw failedPrecondition(verdict.reason);
      if (!musical) throw notFound(`musical ${claim.musicalId}`);
      return { hold, musical, amount: amountFor(hold.seats, musical.seatPrice) };
    }
    if (!musical) throw notFound(`musical ${claim.musicalId}`);
    this.#lastSeen.set(claim.musicalId, musical.reservableSeats);
    if (musical.reservableSeats < claim.seats) throw failedPrecondition(notEnoughSeatsMessage(musical, claim.seats));
    return undefined;
  }

  async #takeTurns(musicalId: string): Promise<void> {
    const queue = this.#queues.get(musicalId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const decided = await this.#decide(musicalId, batch);
        seatMetrics.taken.inc(decided.newHolds.reduce((sum, hold) => sum + hold.seats, 0));
        this.#settle(musicalId, batch, decided);
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.#queues.delete(musicalId);
  }

  async #decide(musicalId: string, batch: Waiting[]): Promise<BatchDecision> {
    const claims = batch.map((w) => w.claim);
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

  #settle(musicalId: string, batch: Waiting[], decided: BatchDecision): void {
    const { musical, decisions, reservableSeats } = decided;
    if (musical) this.#lastSeen.set(musicalId, reservableSeats);
    batch.forEach((waiting, i) => {
      const decision = decisions[i]!;
      if (decision.kind === "unknown-musical" || (decision.kind === "held" && !musical)) {
        waiting.reject(notFound(`musical ${waiting.claim.musicalId}`));
      } else if (decision.kind === "refused") {
        waiting.reject(failedPrecondition(decision.reason));
      } else {
        const current = { ...musical!, reservableSeats };
        waiting.resolve({ hold: decision.hold, musical: current, amount: amountFor(decision.hold.seats, current.seatPrice) });
      }
    });
  }
}

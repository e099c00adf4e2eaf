import { randomUUID } from "node:crypto";
import { ConnectError } from "@connectrpc/connect";
import type { Logger } from "pino";
import { requireOwner, type Principal } from "#kit/auth.js";
import { alreadyExists, failedPrecondition, notFound, unavailable } from "#kit/errors.js";
import { newEvent } from "#kit/events.js";
import { keepTraceContext } from "#kit/tracing.js";
import type { EntityManager } from "#kit/database.js";
import type { KeyedEvent, Transactor, Tx, TxBatch } from "#kit/outbox.js";
import { Turns } from "#kit/turns.js";
import type { Keyset } from "#kit/paging.js";
import {
  ReservationCancelledSchema,
  ReservationConfirmedSchema,
  ReservationExpiredSchema,
  ReservationPlacedSchema,
  ReservationRejectedSchema,
} from "#gen/outerpark/reservation/v1/events_pb.js";
import { decideCancel, isUnfinishedPlacement, sameRequest, type ReservationRecord, type Transition } from "../domain/reservation.js";
import * as store from "../adapters/reservation-store.js";
import { placementsAborted, reservationsCounter } from "./reservation-metrics.js";
import { SeatServiceUnavailable, type SeatInventory } from "../adapters/seat-inventory.js";

export interface PlaceRequest {
  customerId: string;
  musicalId: string;
  seats: number;
  idempotencyKey: string;
}

const RETRY_HINT = "seat inventory is unavailable right now, retry with the same idempotency_key";
const ABORTED_HINT = "this attempt took too long and was undone, retry with the same idempotency_key";

/** The one queue of placements' statements: concurrent placements share them (see Turns). */
const PLACEMENTS = "placements";
const MAX_PLACEMENTS_PER_STATEMENT = 256;

/** Use cases of reservations: the synchronous placement and the saga's reservation side. */
export class Reservations {
  // The two writes of every placement, each one statement for all the placements that arrive together.
  readonly #placingInserts = new Turns<ReservationRecord, boolean>(MAX_PLACEMENTS_PER_STATEMENT, async (_, records) => {
    const inserted = await this.transactor.autocommit((em) => store.insertPlacings(em, records));
    return records.map((r) => ({ value: inserted.has(r.reservationId) }));
  });
  readonly #completions = new Turns<store.Completion & { event: KeyedEvent }, ReservationRecord | undefined>(
    MAX_PLACEMENTS_PER_STATEMENT,
    async (_, completions) => {
      const placed = await this.transactor.changesWithEvents(
        completions.map((c) => c.event),
        (em, recordEvents) => store.completePlacings(em, completions, recordEvents),
      );
      return completions.map((c) => ({ value: placed.get(c.reservationId) }));
    },
  );

  constructor(
    private readonly transactor: Transactor,
    private readonly seats: SeatInventory,
    private readonly logger: Logger,
    /** A PLACING row older than this is abandoned (its call has long timed out). */
    readonly staleAfterMs: number,
  ) {}

  async place(request: PlaceRequest): Promise<ReservationRecord> {
    const placing = await this.#claimKey(request);
    if (placing.status !== "PLACING") return placing;
    // Plain fields rather than a child logger: a child costs more than the line on this hot path.
    const reservationId = placing.reservationId;
    let taken;
    try {
      taken = await this.seats.take(placing.reservationId, request.musicalId, request.seats, request.customerId);
    } catch (error) {
      if (error instanceof SeatServiceUnavailable) {
        this.logger.warn({ reservationId, err: error.message }, "seat call failed; aborting the placement");
        // Answer now: the customer must not wait on a second call to a struggling musical. The sweeper retries a failed abort.
        void this.abortPlacement(placing.reservationId).catch(() => undefined);
        throw unavailable(RETRY_HINT);
      }
      // A refusal (too few seats, unknown musical): nothing was taken, nothing stays.
      // If an abort won the row meanwhile, the refusal may be musical barring its id: the answer is the abort.
      if (!(await this.transactor.autocommit((em) => store.deletePlacing(em, placing.reservationId)))) throw unavailable(ABORTED_HINT);
      if (error instanceof ConnectError) throw new ConnectError(error.rawMessage, error.code);
      throw error;
    }
    const event = newEvent(ReservationPlacedSchema, {
      reservationId,
      customerId: placing.customerId,
      musicalId: placing.musicalId,
      musicalName: taken.musicalName,
      seats: placing.seats,
      amount: taken.amount,
    });
    const placed = await this.#completions.submit(PLACEMENTS, {
      reservationId,
      musicalName: taken.musicalName,
      amount: taken.amount,
      event: this.transactor.keyedEvent(reservationId, event),
    });
    if (!placed) {
      // An abort (the sweeper, a retry) won the row while this completion was held up: it releases the seats.
      this.logger.warn({ reservationId }, "placement aborted before it completed; nothing placed");
      throw unavailable(ABORTED_HINT);
    }
    reservationsCounter.inc({ outcome: "placed" });
    this.logger.info({ reservationId, musicalId: placed.musicalId, seats: placed.seats, amount: String(placed.amount) }, "reservation placed");
    return placed;
  }

  /** Returns the reservation an idempotency key already names, or a new PLACING row for it. */
  async #claimKey(request: PlaceRequest): Promise<ReservationRecord> {
    for (;;) {
      const fresh: ReservationRecord = {
        ...request,
        reservationId: randomUUID(),
        musicalName: "",
        amount: 0n,
        status: "PLACING",
        paymentState: "PENDING",
        placedAt: new Date(),
        updatedAt: new Date(),
      };
      // Single statements, no transaction: the unique key makes the insert the arbiter between twin calls.
      const outcome = (await this.#placingInserts.submit(PLACEMENTS, fresh))
        ? fresh
        : await this.transactor.autocommit((em) => store.findByKey(em, request.customerId, request.idempotencyKey));
      if (!outcome) continue; // the other row vanished (an aborted placement) between insert and read
      if (outcome === fresh) return fresh;
      if (!sameRequest(outcome, request.musicalId, request.seats)) {
        throw alreadyExists("idempotency_key was already used for a different reservation");
      }
      if (!isUnfinishedPlacement(outcome.status)) return outcome;
      if (outcome.status === "PLACING" && Date.now() - outcome.placedAt.getTime() < this.staleAfterMs) {
        throw unavailable("an earlier attempt with this idempotency_key is still in progress, retry shortly");
      }
      // An abandoned attempt (its process died or musical was down), or an abort not finished: finish undoing it, then start afresh.
      try {
        await this.abortPlacement(outcome.reservationId);
      } catch {
        throw unavailable(RETRY_HINT);
      }
    }
  }

  /**
   * Undoes a placement that did not complete. The abort first wins the row
   * (ABORTING, committed; a completion holding the row is waited for), and
   * only then are the seats released: a completion can no longer succeed, and
   * one that did keeps its seats.
   */
  async abortPlacement(reservationId: string): Promise<void> {
    if (!(await this.transactor.autocommit((em) => store.markAborting(em, reservationId)))) return; // completed, or gone already
    await this.finishAbort(reservationId);
  }

  /** Gives back (or bars, if the take has not landed yet) the seats of an ABORTING placement, then forgets it. */
  async finishAbort(reservationId: string): Promise<void> {
    await this.seats.release(reservationId);
    await this.transactor.autocommit((em) => store.deleteAborted(em, reservationId));
    placementsAborted.inc();
    this.logger.info({ reservationId }, "abandoned placement aborted");
  }

  async cancel(caller: Principal, reservationId: string): Promise<ReservationRecord> {
    return this.transactor.run(async (tx) => {
      const r = await this.#visible(tx.em, reservationId, caller, true);
      const decision = decideCancel(r);
      if (decision.kind === "refuse") throw failedPrecondition(decision.reason);
      if (decision.kind === "already-cancelled") return r;
      await store.updateState(tx.em, reservationId, "CANCELLED", r.paymentState);
      await tx.publish(
        newEvent(ReservationCancelledSchema, {
          reservationId,
          customerId: r.customerId,
          musicalId: r.musicalId,
          seats: r.seats,
        }),
      );
      tx.afterCommit(() => reservationsCounter.inc({ outcome: "cancelled" }));
      this.logger.info({ reservationId }, "reservation cancelled");
      return { ...r, status: "CANCELLED", updatedAt: new Date() };
    });
  }

  async get(caller: Principal, reservationId: string): Promise<ReservationRecord> {
    return this.transactor.autocommit((em) => this.#visible(em, reservationId, caller, false));
  }

  async list(customerId: string, after: Keyset | undefined, limit: number) {
    return this.transactor.autocommit((em) => store.listForCustomer(em, customerId, after, limit));
  }

  async #visible(em: EntityManager, reservationId: string, caller: Principal, lock: boolean): Promise<ReservationRecord> {
    const r = await store.findById(em, reservationId, lock);
    if (!r || isUnfinishedPlacement(r.status)) throw notFound(`reservation ${reservationId}`);
    requireOwner(caller, r.customerId, `reservation ${reservationId}`);
    return r;
  }

  /**
   * Applies a payment fact to the reservation inside the consumer's transaction. The facts of one transaction (the
   * events a consumer took together) are applied together just before it commits: one locked read and one update
   * for all of them, their events in the transaction's one outbox insert.
   */
  applyPaymentFact(tx: Tx, reservationId: string, decide: (r: ReservationRecord) => Transition, reason = ""): void {
    tx.batch(this.#newPaymentFacts).add({ reservationId, decide, reason, inTrace: keepTraceContext() });
  }

  readonly #newPaymentFacts = (tx: Tx) => new PaymentFacts(tx, this.logger);
}

interface PaymentFact {
  reservationId: string;
  decide: (r: ReservationRecord) => Transition;
  reason: string;
  /** Runs work in the trace of the event this fact came from (its consumer span). */
  inTrace: <T>(work: () => T) => T;
}

/** The payment facts of one transaction and what they change, in the order they came. */
class PaymentFacts implements TxBatch {
  readonly #facts: PaymentFact[] = [];

  constructor(
    private readonly tx: Tx,
    private readonly logger: Logger,
  ) {}

  add(fact: PaymentFact): void {
    this.#facts.push(fact);
  }

  async flush(): Promise<void> {
    const { tx } = this;
    const current = await store.findByIdsForUpdate(tx.em, [...new Set(this.#facts.map((f) => f.reservationId))]);
    const changed = new Map<string, ReservationRecord>();
    for (const { reservationId, decide, reason, inTrace } of this.#facts) {
      const r = current.get(reservationId);
      // Thrown, the batch rolls back and its events are handled one by one: only this one is retried.
      if (!r || isUnfinishedPlacement(r.status)) throw new Error(`reservation ${reservationId} is unknown here`);
      const transition = decide(r);
      if (transition.kind === "unchanged") continue;
      const next = { ...r, status: transition.status, paymentState: transition.paymentState };
      current.set(reservationId, next);
      changed.set(reservationId, next);
      await inTrace(async () => {
        if (transition.emit === "confirmed") {
          await tx.publish(newEvent(ReservationConfirmedSchema, { reservationId, customerId: r.customerId, amount: r.amount }));
        } else if (transition.emit === "rejected") {
          await tx.publish(
            newEvent(ReservationRejectedSchema, { reservationId, customerId: r.customerId, musicalId: r.musicalId, seats: r.seats, reason }),
          );
        } else if (transition.emit === "expired") {
          await tx.publish(
            newEvent(ReservationExpiredSchema, { reservationId, customerId: r.customerId, musicalId: r.musicalId, seats: r.seats, reason }),
          );
        }
        this.logger.info({ reservationId, status: transition.status, paymentState: transition.paymentState }, "reservation updated by payment");
      });
      const outcome = transition.emit;
      if (outcome) tx.afterCommit(() => reservationsCounter.inc({ outcome }));
    }
    if (changed.size > 0) await store.updateStates(tx.em, [...changed.values()]);
  }
}

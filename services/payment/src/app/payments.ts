import { randomUUID } from "node:crypto";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Logger } from "pino";
import { requireOwner, type Principal } from "#kit/auth.js";
import { notFound } from "#kit/errors.js";
import { newEvent } from "#kit/events.js";
import type { KeyedEvent, Transactor, Tx, TxBatch } from "#kit/outbox.js";
import { currentTraceContext, keepTraceContext } from "#kit/tracing.js";
import { Turns } from "#kit/turns.js";
import type { Keyset } from "#kit/paging.js";
import {
  PaymentApprovedSchema,
  PaymentCancelledSchema,
  PaymentDeferredSchema,
  PaymentExpiredSchema,
  PaymentFailedSchema,
} from "#gen/outerpark/payment/v1/events_pb.js";
import {
  expiryReason,
  isFinalWithoutCharge,
  nextAction,
  onCancellationRequested,
  paymentDeadline,
  retryDelayBeforeDeadlineMs,
  retryDelayMs,
  type PaymentAction,
  type PaymentRecord,
  type VoidAnswer,
} from "../domain/payment.js";
import * as store from "../adapters/payment-store.js";
import type { PaymentGateway } from "../adapters/payment-gateway.js";

/** The one queue of approvals: the charges approved while one approval statement runs share the next. */
const APPROVALS = "approvals";
const MAX_APPROVALS_PER_STATEMENT = 64;

/** Use cases of payments: the payment side of the reservation saga. */
export class Payments {
  readonly #approvals = new Turns<{ paymentId: string; chargeId: string; event: KeyedEvent }, boolean>(
    MAX_APPROVALS_PER_STATEMENT,
    async (_, charges) => {
      const approved = await this.transactor.changesWithEvents(
        charges.map((c) => c.event),
        (em, recordEvents) => store.approveAll(em, charges, recordEvents),
      );
      return charges.map((c) => ({ value: approved.has(c.paymentId) }));
    },
  );

  constructor(
    private readonly transactor: Transactor,
    private readonly gateway: PaymentGateway,
    private readonly logger: Logger,
    /** How long after its placement a reservation's payment may stay unsettled before it expires. */
    private readonly deadlineMs: number,
  ) {}

  /**
   * ReservationPlaced: a payment to charge by the deadline. A cancellation that arrived first wins. The payments a
   * transaction opens are inserted together when it commits (or before a cancellation in it looks for one).
   */
  open(tx: Tx, reservation: { reservationId: string; customerId: string; amount: bigint; placedAt: Date }): void {
    const { placedAt, ...rest } = reservation;
    const expiresAt = paymentDeadline(placedAt, this.deadlineMs);
    tx.batch(this.#newOpenings).add({ paymentId: randomUUID(), ...rest, expiresAt, trace: currentTraceContext() }, keepTraceContext());
  }

  readonly #newOpenings = (tx: Tx) => new Openings(tx, this.logger);

  /** ReservationCancelled: refund a charge, or void a payment not charged yet. */
  async requestCancellation(tx: Tx, reservation: { reservationId: string; customerId: string }): Promise<void> {
    await tx.batch(this.#newOpenings).flush(); // a payment this transaction opened is there to be found
    // Replicas share the consumer, so ReservationPlaced may be inserting this payment right now: loop until one side wins.
    for (;;) {
      const payment = await store.findByReservation(tx.em, reservation.reservationId, true);
      if (payment) {
        if (payment.cancelRequested || isFinalWithoutCharge(payment.status)) return;
        await store.requestCancellation(tx.em, payment.paymentId, onCancellationRequested(payment.status));
        return;
      }
      // Cancelled before ReservationPlaced reached us: record the payment as void, so nothing is ever charged.
      const paymentId = randomUUID();
      const voided = { paymentId, ...reservation, amount: 0n, status: "CANCELLED", cancelRequested: true, expiresAt: new Date() } as const;
      if (await store.insertIfAbsent(tx.em, voided)) {
        await tx.publish(newEvent(PaymentCancelledSchema, { paymentId, ...reservation, amount: 0n, refunded: false }));
        return;
      }
    }
  }

  /** Advances one leased payment: charge, refund or void. Never throws for gateway trouble. */
  async process(leased: PaymentRecord): Promise<void> {
    const action = nextAction(leased);
    const log = this.logger.child({ reservationId: leased.reservationId, paymentId: leased.paymentId, action });
    switch (action) {
      case "none":
        await this.transactor.run((tx) => store.update(tx.em, leased.paymentId, {}));
        return;
      case "void":
        await this.transactor.run(async (tx) => {
          const p = await store.findById(tx.em, leased.paymentId, true);
          if (!p || nextAction(p) !== "void") return;
          await store.update(tx.em, p.paymentId, { status: "CANCELLED", refunded: false });
          await tx.publish(this.#cancelled(p, false));
        });
        log.info("payment voided before any charge");
        return;
      case "settle":
        return this.#settle(leased, log);
      case "charge":
        return this.#charge(leased, log);
      case "refund":
        return this.#refund(leased, log);
      case "expire":
        return this.#expire(leased, log);
      case "void-key":
        return this.#voidKey(leased, log);
    }
  }

  async #charge(leased: PaymentRecord, log: Logger): Promise<void> {
    const outcome = await this.gateway.charge({
      key: `charge:${leased.paymentId}`,
      amount: leased.amount,
      customerId: leased.customerId,
      reservationId: leased.reservationId,
    });
    if (outcome.kind === "approved") {
      // The common case in one statement shared with the approvals that land meanwhile; a payment cancelled or settled
      // meanwhile (or a statement that failed) is decided under its lock below.
      const event = this.transactor.keyedEvent(leased.paymentId, this.#approved(leased));
      const approved = await this.#approvals.submit(APPROVALS, { paymentId: leased.paymentId, chargeId: outcome.chargeId, event }).catch(() => false);
      if (approved) {
        log.info("payment approved");
        return;
      }
    }
    await this.transactor.run(async (tx) => {
      const p = await store.findById(tx.em, leased.paymentId, true);
      if (!p || (p.status !== "PENDING" && p.status !== "DEFERRED")) return;
      switch (outcome.kind) {
        case "approved":
          if (p.cancelRequested) {
            // Cancelled meanwhile, but the charge happened: record it and refund it next. Nobody is told
            // "approved" for a booking that is gone; the refund (PaymentCancelled, refunded) is what they learn.
            await store.update(tx.em, p.paymentId, { status: "REFUND_PENDING", chargeId: outcome.chargeId, countAttempt: true });
            log.warn("charged after the reservation was cancelled; refunding it");
            return;
          }
          await store.update(tx.em, p.paymentId, { status: "APPROVED", chargeId: outcome.chargeId, countAttempt: true });
          await tx.publish(this.#approved(p));
          log.info("payment approved");
          return;
        case "declined":
        case "refused":
          // A refusal (4xx) is as final as a decline; an earlier attempt whose answer was lost may still land, so its key is voided next.
          await store.update(tx.em, p.paymentId, {
            status: "FAILED",
            failureReason: outcome.reason,
            countAttempt: true,
            voidPending: outcome.kind === "refused" && p.attempts > 0,
          });
          await tx.publish(
            newEvent(PaymentFailedSchema, {
              paymentId: p.paymentId,
              reservationId: p.reservationId,
              customerId: p.customerId,
              amount: p.amount,
              reason: outcome.reason,
            }),
          );
          log.info({ reason: outcome.reason }, outcome.kind === "refused" ? "payment refused by the gateway" : "payment declined");
          return;
        case "unavailable": {
          const delay = retryDelayBeforeDeadlineMs(p.attempts + 1, p.expiresAt, Date.now());
          await store.update(tx.em, p.paymentId, { status: "DEFERRED", retryInMs: delay, countAttempt: true, deferredNotified: true });
          if (!p.deferredNotified) {
            await tx.publish(
              newEvent(PaymentDeferredSchema, {
                paymentId: p.paymentId,
                reservationId: p.reservationId,
                customerId: p.customerId,
                retryAt: timestampFromMs(Date.now() + delay),
              }),
            );
          }
          log.warn({ reason: outcome.reason, retryInMs: delay }, "payment deferred");
          return;
        }
      }
    });
  }

  /**
   * Cancelled after a charge was sent whose answer never arrived (a timeout,
   * a crash mid-call): void the charge key at the gateway. Charged → record it
   * and refund it next; not charged → the key is barred, so a charge still in
   * flight cannot land later. Voiding only locally could keep a customer's money.
   */
  async #settle(leased: PaymentRecord, log: Logger): Promise<void> {
    return this.#voidKeyThen(leased, "settle", async (tx, p, known) => {
      switch (known.kind) {
        case "approved":
          // No PaymentApproved: the booking is cancelled. The refund that follows is what the customer is told.
          await store.update(tx.em, p.paymentId, { status: "REFUND_PENDING", chargeId: known.chargeId });
          log.warn("an unrecorded charge was found for a cancelled payment; refunding it");
          return;
        case "voided":
          await store.update(tx.em, p.paymentId, { status: "CANCELLED", refunded: false });
          await tx.publish(this.#cancelled(p, false));
          log.info("payment voided after checking the gateway");
          return;
        case "unavailable":
          await store.update(tx.em, p.paymentId, { retryInMs: retryDelayMs(p.attempts + 1), countAttempt: true });
          log.warn({ reason: known.reason }, "cannot settle the payment yet; will ask the gateway again");
          return;
      }
    });
  }

  async #refund(leased: PaymentRecord, log: Logger): Promise<void> {
    const outcome = await this.gateway.refund({ key: `refund:${leased.paymentId}`, chargeId: leased.chargeId, amount: leased.amount });
    await this.transactor.run(async (tx) => {
      const p = await store.findById(tx.em, leased.paymentId, true);
      if (!p || nextAction(p) !== "refund") return;
      if (outcome.kind === "refunded") {
        await store.update(tx.em, p.paymentId, { status: "CANCELLED", refunded: true, countAttempt: true });
        await tx.publish(this.#cancelled(p, true));
        log.info("payment refunded");
      } else {
        const delay = retryDelayMs(p.attempts + 1);
        await store.update(tx.em, p.paymentId, { status: "REFUND_PENDING", retryInMs: delay, countAttempt: true });
        log.warn({ reason: outcome.reason, retryInMs: delay }, "refund deferred");
      }
    });
  }

  /**
   * The deadline passed unsettled: void the charge key at the gateway first.
   * A charge that landed before the void stands (the seats are still held):
   * approved after all. Otherwise the payment expires — with no answer too, so
   * no reservation waits on the gateway — and the key is voided later.
   */
  async #expire(leased: PaymentRecord, log: Logger): Promise<void> {
    return this.#voidKeyThen(leased, "expire", async (tx, p, known) => {
      if (known.kind === "approved") {
        await store.update(tx.em, p.paymentId, { status: "APPROVED", chargeId: known.chargeId });
        await tx.publish(this.#approved(p));
        log.info("payment deadline reached, but the charge had landed: approved");
        return;
      }
      const voidPending = known.kind === "unavailable";
      const reason = expiryReason(this.deadlineMs);
      await store.update(tx.em, p.paymentId, {
        status: "EXPIRED",
        failureReason: reason,
        voidPending,
        ...(voidPending ? { retryInMs: retryDelayMs(1) } : {}),
      });
      await tx.publish(
        newEvent(PaymentExpiredSchema, {
          paymentId: p.paymentId,
          reservationId: p.reservationId,
          customerId: p.customerId,
          amount: p.amount,
          reason,
        }),
      );
      if (voidPending) log.warn({ reason: known.reason }, "payment expired; its charge key will be voided once the gateway answers");
      else log.info("payment expired; its charge key is voided at the gateway");
    });
  }

  /** Voids the key of a payment that failed or expired while a charge may still land; a charge it reports is refunded next. */
  async #voidKey(leased: PaymentRecord, log: Logger): Promise<void> {
    return this.#voidKeyThen(leased, "void-key", async (tx, p, known) => {
      switch (known.kind) {
        case "approved":
          await store.update(tx.em, p.paymentId, { status: "REFUND_PENDING", chargeId: known.chargeId, voidPending: false });
          log.warn({ was: p.status }, "a charge landed for a payment that had ended; refunding it");
          return;
        case "voided":
          await store.update(tx.em, p.paymentId, { voidPending: false });
          log.info("charge key voided at the gateway");
          return;
        case "unavailable":
          await store.update(tx.em, p.paymentId, { retryInMs: retryDelayMs(p.attempts + 1), countAttempt: true });
          log.warn({ reason: known.reason }, "cannot void the charge key yet; will ask the gateway again");
          return;
      }
    });
  }

  /** Voids the payment's charge key at the gateway, then applies the answer if the payment, locked, still awaits that step. */
  async #voidKeyThen(
    leased: PaymentRecord,
    step: PaymentAction,
    apply: (tx: Tx, p: PaymentRecord, known: VoidAnswer) => Promise<void>,
  ): Promise<void> {
    const known = await this.gateway.voidCharge(`charge:${leased.paymentId}`);
    await this.transactor.run(async (tx) => {
      const p = await store.findById(tx.em, leased.paymentId, true);
      if (p && nextAction(p) === step) await apply(tx, p, known);
    });
  }

  #approved(p: PaymentRecord) {
    return newEvent(PaymentApprovedSchema, { paymentId: p.paymentId, reservationId: p.reservationId, customerId: p.customerId, amount: p.amount });
  }

  #cancelled(p: PaymentRecord, refunded: boolean) {
    return newEvent(PaymentCancelledSchema, {
      paymentId: p.paymentId,
      reservationId: p.reservationId,
      customerId: p.customerId,
      amount: p.amount,
      refunded,
    });
  }

  async get(caller: Principal, reservationId: string): Promise<PaymentRecord> {
    const payment = await this.transactor.autocommit((em) => store.findByReservation(em, reservationId));
    if (!payment) throw notFound(`payment for reservation ${reservationId}`);
    requireOwner(caller, payment.customerId, `payment for reservation ${reservationId}`);
    return payment;
  }

  async list(customerId: string, after: Keyset | undefined, limit: number) {
    return this.transactor.autocommit((em) => store.listForCustomer(em, customerId, after, limit));
  }
}

/** The payments one transaction opens, inserted in one statement. */
class Openings implements TxBatch {
  #pending: { opening: store.Opening; inTrace: <T>(work: () => T) => T }[] = [];

  constructor(
    private readonly tx: Tx,
    private readonly logger: Logger,
  ) {}

  add(opening: store.Opening, inTrace: <T>(work: () => T) => T): void {
    this.#pending.push({ opening, inTrace });
  }

  async flush(): Promise<void> {
    const pending = this.#pending;
    if (pending.length === 0) return;
    this.#pending = [];
    const inserted = await store.openAll(
      this.tx.em,
      pending.map((p) => p.opening),
    );
    for (const { opening, inTrace } of pending) {
      if (!inserted.has(opening.paymentId)) continue;
      inTrace(() => this.logger.info({ reservationId: opening.reservationId, expiresAt: opening.expiresAt }, "payment opened"));
    }
  }
}

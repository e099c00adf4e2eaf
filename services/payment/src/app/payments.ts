import { randomUUID } from "node:crypto";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import type { Logger } from "pino";
import { requireOwner, type Principal } from "../../../../kit/src/auth.js";
import { notFound } from "../../../../kit/src/errors.js";
import { newEvent } from "../../../../kit/src/events.js";
import type { Transactor, Tx } from "../../../../kit/src/outbox.js";
import type { Keyset } from "../../../../kit/src/paging.js";
import {
  PaymentApprovedSchema,
  PaymentCancelledSchema,
  PaymentDeferredSchema,
  PaymentFailedSchema,
} from "../../../../gen/outerpark/payment/v1/events_pb.js";
import { nextAction, onCancellationRequested, retryDelayMs, type PaymentRecord } from "../domain/payment.js";
import * as store from "../adapters/payment-store.js";
import type { PaymentGateway } from "../adapters/payment-gateway.js";

/** Use cases of payments: the payment side of the reservation saga. */
export class Payments {
  constructor(
    private readonly transactor: Transactor,
    private readonly gateway: PaymentGateway,
    private readonly logger: Logger,
  ) {}

  /** ReservationPlaced: a payment to charge. A cancellation that arrived first wins. */
  async open(tx: Tx, reservation: { reservationId: string; customerId: string; amount: bigint }): Promise<void> {
    const inserted = await store.insertIfAbsent(tx.em, { paymentId: randomUUID(), ...reservation, status: "PENDING", cancelRequested: false });
    if (inserted) this.logger.info({ reservationId: reservation.reservationId }, "payment opened");
  }

  /** ReservationCancelled: refund a charge, or void a payment not charged yet. */
  async requestCancellation(tx: Tx, reservation: { reservationId: string; customerId: string }): Promise<void> {
    // Replicas share the consumer, so ReservationPlaced may be inserting this payment right now: loop until one side wins.
    for (;;) {
      const payment = await store.findByReservation(tx.em, reservation.reservationId, true);
      if (payment) {
        if (payment.cancelRequested || payment.status === "FAILED" || payment.status === "CANCELLED") return;
        await store.requestCancellation(tx.em, payment.paymentId, onCancellationRequested(payment.status));
        return;
      }
      // Cancelled before ReservationPlaced reached us: record the payment as void, so nothing is ever charged.
      const paymentId = randomUUID();
      if (await store.insertIfAbsent(tx.em, { paymentId, ...reservation, amount: 0n, status: "CANCELLED", cancelRequested: true })) {
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
    }
  }

  async #charge(leased: PaymentRecord, log: Logger): Promise<void> {
    const outcome = await this.gateway.charge({
      key: `charge:${leased.paymentId}`,
      amount: leased.amount,
      customerId: leased.customerId,
      reservationId: leased.reservationId,
    });
    await this.transactor.run(async (tx) => {
      const p = await store.findById(tx.em, leased.paymentId, true);
      if (!p || (p.status !== "PENDING" && p.status !== "DEFERRED")) return;
      switch (outcome.kind) {
        case "approved":
          // If a cancellation arrived meanwhile, the charge still happened: record it, then refund it next.
          await store.update(tx.em, p.paymentId, {
            status: p.cancelRequested ? "REFUND_PENDING" : "APPROVED",
            chargeId: outcome.chargeId,
            countAttempt: true,
          });
          await tx.publish(
            newEvent(PaymentApprovedSchema, { paymentId: p.paymentId, reservationId: p.reservationId, customerId: p.customerId, amount: p.amount }),
          );
          log.info("payment approved");
          return;
        case "declined":
          await store.update(tx.em, p.paymentId, { status: "FAILED", failureReason: outcome.reason, countAttempt: true });
          await tx.publish(
            newEvent(PaymentFailedSchema, {
              paymentId: p.paymentId,
              reservationId: p.reservationId,
              customerId: p.customerId,
              amount: p.amount,
              reason: outcome.reason,
            }),
          );
          log.info({ reason: outcome.reason }, "payment declined");
          return;
        case "unavailable": {
          const delay = retryDelayMs(p.attempts + 1);
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
    const known = await this.gateway.voidCharge(`charge:${leased.paymentId}`);
    await this.transactor.run(async (tx) => {
      const p = await store.findById(tx.em, leased.paymentId, true);
      if (!p || nextAction(p) !== "settle") return;
      switch (known.kind) {
        case "approved":
          await store.update(tx.em, p.paymentId, { status: "REFUND_PENDING", chargeId: known.chargeId });
          await tx.publish(
            newEvent(PaymentApprovedSchema, { paymentId: p.paymentId, reservationId: p.reservationId, customerId: p.customerId, amount: p.amount }),
          );
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

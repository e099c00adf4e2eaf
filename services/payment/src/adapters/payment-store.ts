import type { EntityManager } from "@mikro-orm/postgresql";
import type { InferEntity } from "@mikro-orm/core";
import type { PaymentRecord, PaymentStatus } from "../domain/payment.js";
import { keysetFilter, type Keyset } from "#kit/paging.js";
import type { SqlPart } from "#kit/outbox.js";
import { currentTraceContext, type StoredTraceContext } from "#kit/tracing.js";
import { PaymentEntity } from "./schema.js";
import { query, run } from "#kit/sql.js";

/** PostgreSQL access for payments. Callers own the transaction. */

type Row = InferEntity<typeof PaymentEntity>;

function toRecord(row: Row): PaymentRecord {
  return { ...row, status: row.status as PaymentStatus };
}

export async function findByReservation(em: EntityManager, reservationId: string, lock = false): Promise<PaymentRecord | undefined> {
  return findOne(em, "reservation_id", reservationId, lock);
}

export async function findById(em: EntityManager, paymentId: string, lock = false): Promise<PaymentRecord | undefined> {
  return findOne(em, "payment_id", paymentId, lock);
}

/** Plain SQL, mapped once: the ORM's query building costs more than the read on the processor's hot path. */
async function findOne(em: EntityManager, column: "payment_id" | "reservation_id", value: string, lock: boolean): Promise<PaymentRecord | undefined> {
  const rows = await query<Record<string, unknown>>(em, `select * from payments where ${column} = ?${lock ? " for update" : ""}`, [value]);
  return rows[0] ? toRecord(em.map(PaymentEntity, rows[0])) : undefined;
}

/** Inserts a payment unless the reservation already has one; returns whether it did. */
export async function insertIfAbsent(
  em: EntityManager,
  p: {
    paymentId: string;
    reservationId: string;
    customerId: string;
    amount: bigint;
    status: PaymentStatus;
    cancelRequested: boolean;
    expiresAt: Date;
  },
): Promise<boolean> {
  // The trace of the event handled now, continued when the processor takes the payment up.
  const trace = currentTraceContext();
  const rows = await query(
    em,
    `insert into payments (payment_id, reservation_id, customer_id, amount, status, cancel_requested, expires_at, traceparent, tracestate)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (reservation_id) do nothing returning payment_id`,
    [p.paymentId, p.reservationId, p.customerId, p.amount, p.status, p.cancelRequested, p.expiresAt, trace.traceparent, trace.tracestate],
  );
  return rows.length === 1;
}

/** A payment to open (see openAll), with the trace of the event that opened it. */
export interface Opening {
  paymentId: string;
  reservationId: string;
  customerId: string;
  amount: bigint;
  expiresAt: Date;
  trace: StoredTraceContext;
}

/** Opens PENDING payments in one statement, skipping reservations that have one; returns the ids inserted. */
export async function openAll(em: EntityManager, openings: readonly Opening[]): Promise<Set<string>> {
  const rows = await query<{ payment_id: string }>(
    em,
    `insert into payments (payment_id, reservation_id, customer_id, amount, status, cancel_requested, expires_at, traceparent, tracestate)
     select id, reservation, customer, amount, 'PENDING', false, expires, traceparent, tracestate
       from unnest(?::text[], ?::text[], ?::text[], ?::bigint[], ?::timestamptz[], ?::text[], ?::text[])
         as v(id, reservation, customer, amount, expires, traceparent, tracestate)
     on conflict (reservation_id) do nothing returning payment_id`,
    [
      openings.map((o) => o.paymentId),
      openings.map((o) => o.reservationId),
      openings.map((o) => o.customerId),
      openings.map((o) => o.amount),
      openings.map((o) => o.expiresAt),
      openings.map((o) => o.trace.traceparent),
      openings.map((o) => o.trace.tracestate),
    ],
  );
  return new Set(rows.map((row) => row.payment_id));
}

export async function requestCancellation(em: EntityManager, paymentId: string, status: PaymentStatus): Promise<void> {
  await run(em, "update payments set cancel_requested = true, status = ?, next_attempt_at = now(), updated_at = now() where payment_id = ?", [
    status,
    paymentId,
  ]);
}

/**
 * Leases due payments to this replica for a while: the gateway call happens
 * outside any transaction, and a crashed replica's lease simply runs out.
 */
export async function leaseDue(em: EntityManager, limit: number, leaseMs: number): Promise<LeasedPayment[]> {
  const rows = await query<Record<string, unknown>>(
    em,
    // A lease that will charge marks the payment as charge-attempted before the call, durably.
    `update payments set locked_until = now() + make_interval(secs => ?),
            charge_attempted = charge_attempted or (status in ('PENDING', 'DEFERRED') and not cancel_requested)
      where payment_id in (
        select payment_id from payments
         where next_attempt_at <= now() and (locked_until is null or locked_until < now())
           and (status in ('PENDING', 'DEFERRED', 'REFUND_PENDING') or (status = 'APPROVED' and cancel_requested) or void_pending)
         order by next_attempt_at limit ? for update skip locked)
      returning *`,
    [leaseMs / 1000, limit],
  );
  // The leased rows as returned, in one round trip (not one read per payment).
  return rows.map((row) => ({
    ...toRecord(em.map(PaymentEntity, row)),
    trace: { traceparent: (row.traceparent as string | null) ?? null, tracestate: (row.tracestate as string | null) ?? null },
  }));
}

/** A payment leased for processing, with the trace it was opened in. */
export type LeasedPayment = PaymentRecord & { trace: StoredTraceContext };

export type PaymentChange = Partial<{
  status: PaymentStatus;
  refunded: boolean;
  failureReason: string;
  chargeId: string;
  deferredNotified: boolean;
  voidPending: boolean;
}> & {
  retryInMs?: number;
  countAttempt?: boolean;
};

export async function update(em: EntityManager, paymentId: string, change: PaymentChange): Promise<void> {
  const sets = setsFor(change);
  await run(em, `update payments set ${sets.sql} where payment_id = ?`, [...sets.params, paymentId]);
}

/** The SET list of a change: its columns, the lease released, and due again now or after `retryInMs`. */
function setsFor(change: PaymentChange): SqlPart {
  const sets: string[] = ["updated_at = now()", "locked_until = null"];
  const params: unknown[] = [];
  const columns: Record<string, string> = {
    status: "status",
    refunded: "refunded",
    failureReason: "failure_reason",
    chargeId: "charge_id",
    deferredNotified: "deferred_notified",
    voidPending: "void_pending",
  };
  for (const [key, column] of Object.entries(columns)) {
    const value = (change as Record<string, unknown>)[key];
    if (value !== undefined) {
      sets.push(`${column} = ?`);
      params.push(value);
    }
  }
  if (change.countAttempt) sets.push("attempts = attempts + 1");
  sets.push(change.retryInMs !== undefined ? "next_attempt_at = now() + make_interval(secs => ?)" : "next_attempt_at = now()");
  if (change.retryInMs !== undefined) params.push(change.retryInMs / 1000);
  return { sql: sets.join(", "), params };
}

/**
 * Charges the gateway approved, recorded with their events in one statement: each only while its payment is still due
 * to be charged and not cancelled (the update waits for and re-checks a row another transaction holds). Returns the
 * ids approved; the others the caller decides under the row lock instead.
 */
export async function approveAll(
  em: EntityManager,
  charges: readonly { paymentId: string; chargeId: string }[],
  recordEvents: SqlPart,
): Promise<Set<string>> {
  const sets = setsFor({ status: "APPROVED", countAttempt: true });
  const rows = await query<{ payment_id: string }>(
    em,
    `with approved as (
       update payments set ${sets.sql}, charge_id = v.charge
         from unnest(?::text[], ?::text[]) as v(id, charge)
        where payment_id = v.id and status in ('PENDING', 'DEFERRED') and not cancel_requested
       returning payment_id),
     recorded as (${recordEvents.sql} join approved on approved.payment_id = recorded_events.event_key)
     select payment_id from approved`,
    [...sets.params, charges.map((c) => c.paymentId), charges.map((c) => c.chargeId), ...recordEvents.params],
  );
  return new Set(rows.map((row) => row.payment_id));
}

/** Newest first, keyset by (created_at, payment_id). */
export async function listForCustomer(em: EntityManager, customerId: string, after: Keyset | undefined, limit: number): Promise<PaymentRecord[]> {
  const rows = await em.find(
    PaymentEntity,
    { customerId, ...keysetFilter("createdAt", "paymentId", after, "desc") },
    { orderBy: { createdAt: "desc", paymentId: "desc" }, limit },
  );
  return rows.map(toRecord);
}

/** Payments not settled yet, by state; the predicate matches payments_due's, so the partial index answers it. */
export async function countUnsettled(em: EntityManager): Promise<Record<"PENDING" | "DEFERRED" | "REFUND_PENDING", number>> {
  const rows = await query<{ status: string; n: number }>(
    em,
    "select status, count(*)::int as n from payments where status in ('PENDING', 'DEFERRED', 'REFUND_PENDING') group by status",
  );
  const counts = { PENDING: 0, DEFERRED: 0, REFUND_PENDING: 0 };
  for (const row of rows) counts[row.status as keyof typeof counts] = row.n;
  return counts;
}

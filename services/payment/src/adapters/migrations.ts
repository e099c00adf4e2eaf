import { Migration } from "@mikro-orm/migrations";

class Payment0001Payments extends Migration {
  override up(): void {
    this.addSql(`create table payments (
      payment_id text primary key,
      -- One payment per reservation: a redelivered ReservationPlaced cannot create a second.
      reservation_id text not null unique,
      customer_id text not null,
      amount bigint not null check (amount >= 0),
      status text not null check (status in ('PENDING', 'DEFERRED', 'APPROVED', 'FAILED', 'REFUND_PENDING', 'CANCELLED')),
      refunded boolean not null default false,
      failure_reason text not null default '',
      attempts int not null default 0,
      cancel_requested boolean not null default false,
      deferred_notified boolean not null default false,
      charge_id text not null default '',
      next_attempt_at timestamptz not null default now(),
      locked_until timestamptz,
      created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
      updated_at timestamptz not null default now()
    )`);
    this.addSql(`create index payments_due on payments (next_attempt_at)
      where status in ('PENDING', 'DEFERRED', 'REFUND_PENDING') or (status = 'APPROVED' and cancel_requested)`);
    this.addSql(`create index payments_by_customer on payments (customer_id, created_at desc, payment_id desc)`);
  }
}

/** Remembers that a charge was sent, so a later void first asks the gateway whether it went through. */
class Payment0002ChargeAttempted extends Migration {
  override up(): void {
    this.addSql("alter table payments add column charge_attempted boolean not null default false");
  }
}

/**
 * The payment deadline (an unsettled payment expires) and the follow-up void of
 * a charge key whose payment failed or expired while a charge may still land.
 */
class Payment0003Deadline extends Migration {
  override up(): void {
    this.addSql("alter table payments drop constraint payments_status_check");
    this.addSql(`alter table payments add constraint payments_status_check
      check (status in ('PENDING', 'DEFERRED', 'APPROVED', 'FAILED', 'REFUND_PENDING', 'CANCELLED', 'EXPIRED'))`);
    this.addSql("alter table payments add column void_pending boolean not null default false");
    // Payments open before this migration get the default deadline from now; new ones are given theirs.
    this.addSql("alter table payments add column expires_at timestamptz not null default now() + interval '15 minutes'");
    this.addSql("drop index payments_due");
    this.addSql(`create index payments_due on payments (next_attempt_at)
      where status in ('PENDING', 'DEFERRED', 'REFUND_PENDING') or (status = 'APPROVED' and cancel_requested) or void_pending`);
  }
}

/** The trace of the event that opened a payment, so the processor's later gateway work and events continue it. */
class Payment0004TraceContext extends Migration {
  override up(): void {
    this.addSql("alter table payments add column if not exists traceparent text, add column if not exists tracestate text");
  }
}

export const migrations = [
  { name: "Payment0001Payments", class: Payment0001Payments },
  { name: "Payment0002ChargeAttempted", class: Payment0002ChargeAttempted },
  { name: "Payment0003Deadline", class: Payment0003Deadline },
  { name: "Payment0004TraceContext", class: Payment0004TraceContext },
];

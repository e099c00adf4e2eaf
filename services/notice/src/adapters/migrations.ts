import { Migration } from "@mikro-orm/migrations";

class Notice0001Notifications extends Migration {
  override up(): void {
    this.addSql(`create table notifications (
      notification_id text primary key,
      customer_id text not null,
      reservation_id text not null,
      kind text not null check (kind in ('PAYMENT_APPROVED', 'RESERVATION_CANCELLED', 'PAYMENT_FAILED')),
      message text not null,
      channel text not null,
      created_at timestamptz not null default date_trunc('milliseconds', clock_timestamp()),
      sent_at timestamptz,
      -- One notification per fact, however often the fact is delivered.
      unique (reservation_id, kind)
    )`);
    this.addSql(`create index notifications_unsent on notifications (created_at) where sent_at is null`);
    this.addSql(`create index notifications_by_customer on notifications (customer_id, created_at desc, notification_id desc)`);
  }
}

/** Expired reservations and refunds are told too. */
class Notice0002ExpiredAndRefunded extends Migration {
  override up(): void {
    this.addSql("alter table notifications drop constraint notifications_kind_check");
    this.addSql(`alter table notifications add constraint notifications_kind_check
      check (kind in ('PAYMENT_APPROVED', 'RESERVATION_CANCELLED', 'PAYMENT_FAILED', 'RESERVATION_EXPIRED', 'PAYMENT_REFUNDED'))`);
  }
}

/**
 * The dispatcher leases the notifications it sends (as payment leases payments) instead of holding them locked in a
 * transaction across delivery. Nullable, no default: adding it rewrites no row.
 */
class Notice0003DispatchLease extends Migration {
  override up(): void {
    this.addSql("alter table notifications add column if not exists leased_until timestamptz");
  }
}

export const migrations = [
  { name: "Notice0001Notifications", class: Notice0001Notifications },
  { name: "Notice0002ExpiredAndRefunded", class: Notice0002ExpiredAndRefunded },
  { name: "Notice0003DispatchLease", class: Notice0003DispatchLease },
];

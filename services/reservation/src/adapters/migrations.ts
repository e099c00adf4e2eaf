import { Migration } from "@mikro-orm/migrations";

class Reservation0001Reservations extends Migration {
  override up(): void {
    this.addSql(`create table reservations (
      reservation_id text primary key,
      customer_id text not null,
      idempotency_key text not null,
      musical_id text not null,
      musical_name text not null default '',
      seats int not null check (seats > 0),
      amount bigint not null default 0,
      status text not null check (status in ('PLACING', 'RESERVED', 'PAID', 'CANCELLED', 'REJECTED')),
      payment_state text not null check (payment_state in ('PENDING', 'DEFERRED', 'APPROVED', 'DECLINED', 'CANCELLED')),
      placed_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      unique (customer_id, idempotency_key)
    )`);
    this.addSql(`create index reservations_by_customer on reservations (customer_id, placed_at desc, reservation_id desc)`);
    this.addSql(`create index reservations_placing on reservations (placed_at) where status = 'PLACING'`);
  }
}

/** ABORTING: an abort has won the row and is releasing the seats; no completion may succeed any more. */
class Reservation0002Aborting extends Migration {
  override up(): void {
    this.addSql("alter table reservations drop constraint reservations_status_check");
    this.addSql(`alter table reservations add constraint reservations_status_check
      check (status in ('PLACING', 'ABORTING', 'RESERVED', 'PAID', 'CANCELLED', 'REJECTED'))`);
    this.addSql("drop index reservations_placing");
    this.addSql("create index reservations_unfinished on reservations (placed_at) where status in ('PLACING', 'ABORTING')");
  }
}

/** A reservation whose payment was not settled within the payment deadline expires. */
class Reservation0003Expired extends Migration {
  override up(): void {
    this.addSql("alter table reservations drop constraint reservations_status_check");
    this.addSql(`alter table reservations add constraint reservations_status_check
      check (status in ('PLACING', 'ABORTING', 'RESERVED', 'PAID', 'CANCELLED', 'REJECTED', 'EXPIRED'))`);
    this.addSql("alter table reservations drop constraint reservations_payment_state_check");
    this.addSql(`alter table reservations add constraint reservations_payment_state_check
      check (payment_state in ('PENDING', 'DEFERRED', 'APPROVED', 'DECLINED', 'CANCELLED', 'EXPIRED'))`);
  }
}

export const migrations = [
  { name: "Reservation0001Reservations", class: Reservation0001Reservations },
  { name: "Reservation0002Aborting", class: Reservation0002Aborting },
  { name: "Reservation0003Expired", class: Reservation0003Expired },
];

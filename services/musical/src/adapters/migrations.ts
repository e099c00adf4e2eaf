import { Migration } from "@mikro-orm/migrations";

class Musical0001Catalog extends Migration {
  override up(): void {
    this.addSql(`create table musicals (
      musical_id text primary key,
      name text not null,
      total_seats int not null check (total_seats > 0),
      -- The no-oversell guarantee lives here as well as in the conditional update.
      reservable_seats int not null check (reservable_seats >= 0 and reservable_seats <= total_seats),
      seat_price bigint not null check (seat_price >= 0),
      registered_at timestamptz not null default now()
    )`);
    this.addSql(`create index musicals_registered on musicals (registered_at, musical_id)`);
    this.addSql(`create table seat_holds (
      reservation_id text primary key,
      musical_id text not null,
      customer_id text not null default '',
      seats int not null check (seats >= 0),
      status text not null check (status in ('HELD', 'RELEASED')),
      created_at timestamptz not null default now(),
      released_at timestamptz
    )`);
    this.addSql(`create index seat_holds_musical on seat_holds (musical_id) where status = 'HELD'`);
  }
}

export const migrations = [{ name: "Musical0001Catalog", class: Musical0001Catalog }];

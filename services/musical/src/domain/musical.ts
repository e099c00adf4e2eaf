/** Catalog and seat-inventory rules. No I/O. */

export interface MusicalSpec {
  name: string;
  totalSeats: number;
  seatPrice: bigint;
}

export interface MusicalRecord extends MusicalSpec {
  musicalId: string;
  reservableSeats: number;
  registeredAt: Date;
}

export type HoldStatus = "HELD" | "RELEASED";

export interface SeatHoldRecord {
  reservationId: string;
  /** Empty for a hold barred before any seats arrived (an aborted reservation). */
  musicalId: string;
  customerId: string;
  seats: number;
  status: HoldStatus;
}

/** Registering an existing id is a no-op only when every field matches. */
export function sameRegistration(existing: MusicalSpec, requested: MusicalSpec): boolean {
  return existing.name === requested.name && existing.totalSeats === requested.totalSeats && existing.seatPrice === requested.seatPrice;
}

export function amountFor(seats: number, seatPrice: bigint): bigint {
  return BigInt(seats) * seatPrice;
}

export type RetryVerdict = { kind: "same" } | { kind: "conflict"; reason: string };

/** A repeated ReserveSeats for a reservation id that already has a hold. */
export function judgeRepeatedReserve(hold: SeatHoldRecord, musicalId: string, seats: number): RetryVerdict {
  if (hold.status === "RELEASED") return { kind: "conflict", reason: `reservation ${hold.reservationId} was already released` };
  if (hold.musicalId !== musicalId || hold.seats !== seats) {
    return { kind: "conflict", reason: `reservation ${hold.reservationId} already holds ${hold.seats} seats of musical ${hold.musicalId}` };
  }
  return { kind: "same" };
}

export function notEnoughSeatsMessage(musical: MusicalRecord, seats: number): string {
  return `only ${musical.reservableSeats} of ${musical.totalSeats} seats left for "${musical.name}", ${seats} requested`;
}

/** Musical ids chosen by managers: short, URL- and subject-safe. */
export const MUSICAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

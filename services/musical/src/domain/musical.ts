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

/** A request for seats of one musical on behalf of one reservation. */
export interface SeatClaim {
  reservationId: string;
  musicalId: string;
  seats: number;
  customerId: string;
}

export type ClaimDecision = { kind: "held"; hold: SeatHoldRecord } | { kind: "refused"; reason: string } | { kind: "unknown-musical" };

/**
 * Decides a batch of claims on one musical, in arrival order. A claim whose
 * reservation already holds (or barred) seats is answered by that hold, so a
 * retry takes nothing more; a fresh claim takes its seats if they are still
 * there, so a large claim that does not fit leaves them to smaller later ones.
 */
export function decideClaims(
  musical: MusicalRecord | undefined,
  existingHolds: ReadonlyMap<string, SeatHoldRecord>,
  claims: readonly SeatClaim[],
): { decisions: ClaimDecision[]; newHolds: SeatHoldRecord[]; reservableSeats: number } {
  const holds = new Map(existingHolds);
  const newHolds: SeatHoldRecord[] = [];
  let reservableSeats = musical?.reservableSeats ?? 0;
  const decisions = claims.map((claim): ClaimDecision => {
    const hold = holds.get(claim.reservationId);
    if (hold) {
      const verdict = judgeRepeatedReserve(hold, claim.musicalId, claim.seats);
      return verdict.kind === "same" ? { kind: "held", hold } : { kind: "refused", reason: verdict.reason };
    }
    if (!musical) return { kind: "unknown-musical" };
    if (claim.seats > reservableSeats) return { kind: "refused", reason: notEnoughSeatsMessage({ ...musical, reservableSeats }, claim.seats) };
    reservableSeats -= claim.seats;
    const held: SeatHoldRecord = { ...claim, status: "HELD" };
    holds.set(claim.reservationId, held);
    newHolds.push(held);
    return { kind: "held", hold: held };
  });
  return { decisions, newHolds, reservableSeats };
}

/** Musical ids chosen by managers: short, URL- and subject-safe. */
export const MUSICAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

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
 * Decides a batch of claims, in arrival order, each against its own musical's seats. A claim whose reservation
 * already holds (or barred) seats is answered by that hold, so a retry takes nothing more, nor a claim of the same
 * reservation on another show; a fresh claim takes its seats if they are still there, so a large claim that does not
 * fit leaves them to smaller later ones. `reservableSeats` is what each musical has left afterwards.
 */
export function decideClaims(
  musicals: ReadonlyMap<string, MusicalRecord>,
  existingHolds: ReadonlyMap<string, SeatHoldRecord>,
  claims: readonly SeatClaim[],
): { decisions: ClaimDecision[]; newHolds: SeatHoldRecord[]; reservableSeats: Map<string, number> } {
  const holds = new Map(existingHolds);
  const newHolds: SeatHoldRecord[] = [];
  const reservableSeats = new Map([...musicals.values()].map((m) => [m.musicalId, m.reservableSeats]));
  const decisions = claims.map((claim): ClaimDecision => {
    const hold = holds.get(claim.reservationId);
    if (hold) {
      const verdict = judgeRepeatedReserve(hold, claim.musicalId, claim.seats);
      return verdict.kind === "same" ? { kind: "held", hold } : { kind: "refused", reason: verdict.reason };
    }
    const musical = musicals.get(claim.musicalId);
    if (!musical) return { kind: "unknown-musical" };
    const left = reservableSeats.get(claim.musicalId)!;
    if (claim.seats > left) return { kind: "refused", reason: notEnoughSeatsMessage({ ...musical, reservableSeats: left }, claim.seats) };
    reservableSeats.set(claim.musicalId, left - claim.seats);
    const held: SeatHoldRecord = { ...claim, status: "HELD" };
    holds.set(claim.reservationId, held);
    newHolds.push(held);
    return { kind: "held", hold: held };
  });
  return { decisions, newHolds, reservableSeats };
}

/** Musical ids chosen by managers: short, URL- and subject-safe. */
export const MUSICAL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

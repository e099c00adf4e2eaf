import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { describe, expect, it } from "vitest";
import { HistoryEntrySchema, MyReservationSchema } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";
import { ReservationStatus } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { mergeReservation, newestFirst, type MyPageState } from "./mypage-feed.js";

const reservation = (id: string, version: number, status: ReservationStatus, placedAt = new Date("2026-12-01T10:00:00Z")) =>
  create(MyReservationSchema, {
    reservationId: id,
    version: BigInt(version),
    reservationStatus: status,
    history: [create(HistoryEntrySchema, { summary: "placed", occurredAt: timestampFromDate(placedAt) })],
  });

describe("mergeReservation", () => {
  it("takes a newer version and ignores an older or equal one (a snapshot after a reconnect)", () => {
    let state: MyPageState = new Map();
    state = mergeReservation(state, reservation("a", 1, ReservationStatus.RESERVED));
    state = mergeReservation(state, reservation("a", 3, ReservationStatus.CANCELLED));
    const afterStale = mergeReservation(state, reservation("a", 2, ReservationStatus.PAID));
    expect(afterStale).toBe(state);
    expect(afterStale.get("a")!.reservationStatus).toBe(ReservationStatus.CANCELLED);
    expect(mergeReservation(state, reservation("a", 3, ReservationStatus.PAID))).toBe(state);
  });

  it("adds reservations it has not seen", () => {
    const state = mergeReservation(
      mergeReservation(new Map(), reservation("a", 1, ReservationStatus.PAID)),
      reservation("b", 1, ReservationStatus.RESERVED),
    );
    expect([...state.keys()].sort()).toEqual(["a", "b"]);
  });
});

describe("newestFirst", () => {
  it("orders by when each reservation was placed, newest first", () => {
    let state: MyPageState = new Map();
    state = mergeReservation(state, reservation("old", 1, ReservationStatus.PAID, new Date("2026-12-01T09:00:00Z")));
    state = mergeReservation(state, reservation("new", 1, ReservationStatus.PAID, new Date("2026-12-01T11:00:00Z")));
    state = mergeReservation(state, reservation("mid", 1, ReservationStatus.PAID, new Date("2026-12-01T10:00:00Z")));
    expect(newestFirst(state).map((r) => r.reservationId)).toEqual(["new", "mid", "old"]);
  });
});

import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { ServiceImpl } from "@connectrpc/connect";
import { requireRole, requireService } from "#kit/auth.js";
import { PageTokens, paginate } from "#kit/paging.js";
import { HoldStatus, MusicalSchema, MusicalService, SeatHoldSchema, type Musical, type SeatHold } from "#gen/outerpark/musical/v1/musical_pb.js";
import type { MusicalRecord, SeatHoldRecord } from "../domain/musical.js";
import type { Inventory } from "../app/inventory.js";

export function musicalService(inventory: Inventory, pageTokens: PageTokens): ServiceImpl<typeof MusicalService> {
  return {
    async registerMusical(req, ctx) {
      requireRole(ctx, "manager");
      const { musical, created } = await inventory.register(req.musicalId || undefined, {
        name: req.name.trim(),
        totalSeats: req.totalSeats,
        seatPrice: req.seatPrice,
      });
      return { musical: toMusical(musical), created };
    },

    // Public (the module's publicMethods): no role to check.
    async getMusical(req) {
      return { musical: toMusical(await inventory.get(req.musicalId)) };
    },

    async listMusicals(req) {
      const { items, nextPageToken } = await paginate({
        tokens: pageTokens,
        scope: "musicals",
        request: req,
        fetch: (after, limit) => inventory.list(after, limit),
        keysetOf: (m) => ({ at: m.registeredAt, id: m.musicalId }),
      });
      return { musicals: items.map(toMusical), nextPageToken };
    },

    async reserveSeats(req, ctx) {
      requireService(ctx, "reservation");
      const { hold, musical, amount } = await inventory.reserve({
        reservationId: req.reservationId,
        musicalId: req.musicalId,
        seats: req.seats,
        customerId: req.customerId,
      });
      return { hold: toHold(hold), musicalName: musical.name, seatPrice: musical.seatPrice, amount };
    },

    async releaseSeats(req, ctx) {
      requireService(ctx, "reservation");
      return { hold: toHold(await inventory.releaseByRequest(req.reservationId)) };
    },
  };
}

function toMusical(musical: MusicalRecord): Musical {
  return create(MusicalSchema, {
    musicalId: musical.musicalId,
    name: musical.name,
    totalSeats: musical.totalSeats,
    reservableSeats: musical.reservableSeats,
    seatPrice: musical.seatPrice,
    registeredAt: timestampFromDate(musical.registeredAt),
  });
}

function toHold(hold: SeatHoldRecord): SeatHold {
  return create(SeatHoldSchema, {
    reservationId: hold.reservationId,
    musicalId: hold.musicalId,
    seats: hold.seats,
    status: hold.status === "HELD" ? HoldStatus.HELD : HoldStatus.RELEASED,
  });
}

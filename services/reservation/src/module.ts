import { DEFAULT_PORTS, readInt, readString } from "#kit/config.js";
import { serviceTokenSource } from "#kit/auth.js";
import type { ServiceModule } from "#kit/server.js";
import { ReservationService } from "#gen/outerpark/reservation/v1/reservation_pb.js";
import { entities } from "./adapters/schema.js";
import { migrations } from "./adapters/migrations.js";
import { SeatInventory } from "./adapters/seat-inventory.js";
import { PlacementSweeper } from "./app/placement-sweeper.js";
import { Reservations } from "./app/reservations.js";
import { paymentEventHandlers } from "./handlers/reservation-events.js";
import { reservationService } from "./handlers/reservation-rpc.js";
import { reservationRules } from "./request-validation.js";

export const reservationModule: ServiceModule = {
  name: "reservation",
  services: [ReservationService],
  entities,
  migrations,
  rules: reservationRules,
  wire({ config, logger, transactor, consume, pageTokens, clientInterceptors }) {
    const timeoutMs = readInt(process.env, "MUSICAL_TIMEOUT_MS", 2_000);
    const seats = new SeatInventory({
      baseUrl: readString(process.env, "MUSICAL_URL", `http://127.0.0.1:${DEFAULT_PORTS.musical}`),
      token: serviceTokenSource(config.signingKey, "reservation"),
      timeoutMs,
      logger,
      observers: clientInterceptors,
    });
    // When an unfinished placement is given up. Safety does not depend on it (an abort wins the row before releasing).
    const staleAfterMs = readInt(process.env, "PLACEMENT_STALE_MS", Math.max(3 * timeoutMs, 5_000));
    if (staleAfterMs <= 0) throw new Error(`PLACEMENT_STALE_MS must be positive, got ${staleAfterMs}`);
    const reservations = new Reservations(transactor, seats, logger, staleAfterMs);
    return {
      routes: (router) => router.service(ReservationService, reservationService(reservations, pageTokens)),
      workers: [consume("payment", ...paymentEventHandlers(reservations)), new PlacementSweeper(transactor, reservations, logger)],
    };
  },
};

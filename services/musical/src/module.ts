import type { ServiceModule } from "#kit/server.js";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";
import { entities } from "./adapters/schema.js";
import { migrations } from "./adapters/migrations.js";
import { Inventory } from "./app/inventory.js";
import { musicalService } from "./handlers/musical-rpc.js";
import { reservationEventHandlers } from "./handlers/musical-events.js";
import { musicalRules } from "./request-validation.js";

export const musicalModule: ServiceModule = {
  name: "musical",
  services: [MusicalService],
  entities,
  migrations,
  rules: musicalRules,
  // The catalog is public: anyone may browse it before signing in.
  publicMethods: [MusicalService.method.getMusical, MusicalService.method.listMusicals],
  wire({ transactor, consumeEachType, pageTokens }) {
    const inventory = new Inventory(transactor);
    return {
      routes: (router) => router.service(MusicalService, musicalService(inventory, pageTokens)),
      // Seats come back on 3 of reservation's 5 event types; the two every reservation has (placed, confirmed) are
      // never sent here.
      workers: [consumeEachType("reservation", ...reservationEventHandlers)],
    };
  },
};

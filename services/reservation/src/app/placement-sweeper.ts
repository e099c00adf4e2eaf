import type { Logger } from "pino";
import type { Worker } from "#kit/server.js";
import type { Transactor } from "#kit/outbox.js";
import { PollingWorker } from "#kit/polling-worker.js";
import * as store from "../adapters/reservation-store.js";
import type { Reservations } from "./reservations.js";

/**
 * Resolves placements abandoned mid-way (the process died, or musical was down
 * when the call was made) and aborts that did not finish (musical down for the
 * release, a crash): each is marked ABORTING, its seats are released and the
 * row is forgotten, so no seat stays taken for a reservation nobody has.
 */
export class PlacementSweeper implements Worker {
  readonly #worker: PollingWorker;

  constructor(
    private readonly transactor: Transactor,
    private readonly reservations: Reservations,
    private readonly logger: Logger,
    intervalMs = 2_000,
  ) {
    this.#worker = new PollingWorker({ name: "placement-sweeper", logger, pollMs: intervalMs, pass: () => this.sweepOnce() });
  }

  start(): void {
    this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop();
  }

  async sweepOnce(): Promise<number> {
    const abandoned = await this.transactor.autocommit((em) => store.claimAbandonedPlacements(em, this.reservations.staleAfterMs, 20));
    let resolved = 0;
    for (const reservationId of abandoned) {
      try {
        await this.reservations.finishAbort(reservationId);
        resolved++;
      } catch (error) {
        this.logger.warn({ reservationId, err: String(error) }, "abandoned placement not resolved yet");
      }
    }
    return resolved;
  }
}

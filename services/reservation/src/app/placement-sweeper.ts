import type { Logger } from "pino";
import type { Worker } from "../../../../kit/src/server.js";
import type { Transactor } from "../../../../kit/src/outbox.js";
import { PollingWorker } from "../../../../kit/src/polling-worker.js";
import * as store from "../adapters/reservation-store.js";
import type { Reservations } from "./reservations.js";

/**
 * Resolves placements abandoned mid-way (the process died, or musical was down
 * when the call was made): their seats are released and the row is forgotten,
 * so no seat stays taken for a reservation nobody has.
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
    const stale = await this.transactor.run((tx) => store.claimStalePlacing(tx.em, this.reservations.staleAfterMs, 20));
    let resolved = 0;
    for (const reservationId of stale) {
      try {
        await this.reservations.abortPlacement(reservationId);
        resolved++;
      } catch (error) {
        this.logger.warn({ reservationId, err: String(error) }, "abandoned placement not resolved yet");
      }
    }
    return resolved;
  }
}

import type { Logger } from "pino";
import type { Worker } from "../../../../kit/src/server.js";
import type { Transactor } from "../../../../kit/src/outbox.js";
import * as store from "../adapters/reservation-store.js";
import type { Reservations } from "./reservations.js";

/**
 * Resolves placements abandoned mid-way (the process died, or musical was down
 * when the call was made): their seats are released and the row is forgotten,
 * so no seat stays taken for a reservation nobody has.
 */
export class PlacementSweeper implements Worker {
  #timer: NodeJS.Timeout | undefined;
  #pass: Promise<void> = Promise.resolve();

  constructor(
    private readonly transactor: Transactor,
    private readonly reservations: Reservations,
    private readonly logger: Logger,
    private readonly intervalMs = 2_000,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      this.#pass = this.#pass.then(async () => void (await this.sweepOnce())).catch((error) => this.logger.warn({ err: error }, "placement sweep failed"));
    }, this.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#pass;
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

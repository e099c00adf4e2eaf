import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Logger } from "pino";

/**
 * Tells every replica's MyPage watchers that a customer's page changed. Plain
 * NATS (not JetStream): a lost signal only delays an update until the
 * process's periodic re-check, because the data itself lives in PostgreSQL.
 */
export class ChangeFeed {
  readonly #listeners = new Map<string, Set<() => void>>();
  readonly #subject: string;
  #subscription: Subscription | undefined;

  constructor(
    private readonly nc: NatsConnection,
    namespace: string,
    private readonly logger: Logger,
  ) {
    this.#subject = `${namespace}.mypage.changed`;
  }

  start(): void {
    this.#subscription = this.nc.subscribe(this.#subject, {
      callback: (error, msg) => {
        if (error) return this.logger.warn({ err: error }, "change feed error");
        for (const listener of this.#listeners.get(msg.string()) ?? []) listener();
      },
    });
  }

  async stop(): Promise<void> {
    this.#subscription?.unsubscribe();
  }

  announce(customerId: string): void {
    try {
      this.nc.publish(this.#subject, customerId);
    } catch (error) {
      this.logger.warn({ err: error }, "change not announced; watchers will catch up on their next check");
    }
  }

  listen(customerId: string, listener: () => void): () => void {
    const set = this.#listeners.get(customerId) ?? new Set();
    set.add(listener);
    this.#listeners.set(customerId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.#listeners.delete(customerId);
    };
  }
}

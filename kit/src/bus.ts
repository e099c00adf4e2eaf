import { connect, type NatsConnection } from "@nats-io/transport-node";
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  DiscardPolicy,
} from "@nats-io/jetstream";
import type { Logger } from "pino";
import { EVENT_DOMAINS, domainSubjects, streamName } from "./events.js";

export interface EventBus {
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  namespace: string;
}

export async function connectEventBus(options: { url: string; name: string; namespace: string; logger: Logger }): Promise<EventBus> {
  const nc = await connect({
    servers: options.url.split(","),
    name: options.name,
    // Keep trying for ever: NATS restarts must not take the service down.
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    // No stack captured per request (every JetStream publish and pull is one): nats.js documents the option as
    // greatly improving publishers; its errors keep their message and subject, not the caller's async stack.
    noAsyncTraces: true,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" || status.type === "reconnect" || status.type === "error") {
        options.logger.warn({ nats: status.type }, "nats connection status changed");
      }
    }
  })();
  const jsm = await jetstreamManager(nc);
  return { nc, js: jetstream(nc), jsm, namespace: options.namespace };
}

/**
 * Creates each domain's stream (and the dead-letter stream) when missing.
 * Every service calls this, so start-up order does not matter.
 */
export async function ensureStreams(bus: EventBus, replicas = 1): Promise<void> {
  for (const domain of [...EVENT_DOMAINS, "deadletter" as const]) {
    const name = streamName(bus.namespace, domain);
    try {
      await bus.jsm.streams.info(name);
    } catch {
      try {
        await bus.jsm.streams.add({
          name,
          subjects: [domainSubjects(bus.namespace, domain)],
          retention: RetentionPolicy.Limits,
          storage: StorageType.File,
          discard: DiscardPolicy.Old,
          num_replicas: replicas,
          // The outbox relay may publish an event again after a crash; repeats inside this window are dropped.
          duplicate_window: 2 * 60 * 1_000_000_000,
          max_age: 30 * 24 * 3600 * 1_000_000_000,
        });
      } catch (error) {
        // Another replica created it first.
        if (!/already in use|stream name already/i.test(String(error))) throw error;
      }
    }
  }
}

export async function pingEventBus(bus: EventBus): Promise<void> {
  if (bus.nc.isClosed()) throw new Error("nats connection closed");
  await bus.nc.flush();
  await bus.jsm.getAccountInfo();
}

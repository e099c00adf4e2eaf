import { headers as natsHeaders } from "@nats-io/transport-node";
import { parseArgs } from "node:util";
import { connectEventBus, ensureStreams, type EventBus } from "./bus.js";
import { readServiceConfig } from "./config.js";
import { EVENT_TYPE_HEADER, streamName } from "./events.js";
import { createLogger } from "./logger.js";

export interface DeadLetterEntry {
  sequence: number;
  consumer: string;
  subject: string;
  eventType: string;
  reason: string;
  deliveries: number;
  parkedAt: Date;
}

/** Lists the dead-letter stream, oldest first, optionally for one consumer. */
export async function listDeadLetters(bus: EventBus, consumer?: string): Promise<DeadLetterEntry[]> {
  const stream = streamName(bus.namespace, "deadletter");
  const info = await bus.jsm.streams.info(stream);
  const entries: DeadLetterEntry[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
    const msg = await bus.jsm.streams.getMessage(stream, { seq }).catch(() => null);
    if (!msg) continue; // deleted after a replay
    const entry: DeadLetterEntry = {
      sequence: seq,
      consumer: msg.header.get("Dead-Letter-Consumer"),
      subject: msg.header.get("Dead-Letter-Subject"),
      eventType: msg.header.get(EVENT_TYPE_HEADER),
      reason: msg.header.get("Dead-Letter-Reason"),
      deliveries: Number(msg.header.get("Dead-Letter-Deliveries") || 0),
      parkedAt: msg.time,
    };
    if (!consumer || entry.consumer === consumer) entries.push(entry);
  }
  return entries;
}

/**
 * Publishes dead letters again to their original subject (after the cause was
 * fixed) and removes them from the dead-letter stream. Consumers that already
 * handled the event skip it through their inbox.
 */
export async function replayDeadLetters(bus: EventBus, consumer?: string): Promise<number> {
  const stream = streamName(bus.namespace, "deadletter");
  let replayed = 0;
  for (const entry of await listDeadLetters(bus, consumer)) {
    const msg = await bus.jsm.streams.getMessage(stream, { seq: entry.sequence });
    if (!msg) continue;
    const h = natsHeaders();
    h.set(EVENT_TYPE_HEADER, entry.eventType);
    await bus.js.publish(entry.subject, msg.data, { headers: h, msgID: `replay:${stream}:${entry.sequence}` });
    await bus.jsm.streams.deleteMessage(stream, entry.sequence);
    replayed++;
  }
  return replayed;
}

/** `outerpark deadletters list|replay [--consumer NAME]`, against NATS_URL and EVENT_NAMESPACE. */
export async function runDeadLetterCommand(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { consumer: { type: "string" } } });
  const config = readServiceConfig("notice");
  const logger = createLogger("deadletters", "warn");
  const bus = await connectEventBus({ url: config.natsUrl, name: "deadletters-cli", namespace: config.eventNamespace, logger });
  try {
    await ensureStreams(bus);
    if (positionals[0] === "replay") {
      process.stdout.write(`replayed ${await replayDeadLetters(bus, values.consumer)} dead letters\n`);
    } else {
      for (const entry of await listDeadLetters(bus, values.consumer)) process.stdout.write(JSON.stringify(entry) + "\n");
    }
  } finally {
    await bus.nc.close();
  }
}

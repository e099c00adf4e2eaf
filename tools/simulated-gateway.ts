import http from "node:http";
import { randomUUID } from "node:crypto";
import { DEFAULT_GATEWAY_PORT, readInt } from "#kit/config.js";
import { createLogger } from "#kit/logger.js";

/**
 * A stand-in for a card processor, run as its own small HTTP process so tests
 * and demos can make it slow, failing, declining or down while it runs.
 * Charges and refunds are idempotent by key, like real processors.
 *
 *   POST /charges  {key, amount, customerId, reservationId} → 200 approved | 402 declined | 4xx refused (rejectCustomers)
 *   POST /charges/<key>/void → 200 approved (it was charged: refund it) | 200 voided (a later charge with the key is declined)
 *   POST /refunds  {key, chargeId, amount}                   → 200 refunded
 *   GET  /behaviour, PUT /behaviour {latencyMs, failureRate, declineCustomers, declineAbove, rejectCustomers, down}
 *   GET  /stats    → counts and the voided keys, for checking exactly-once
 */
export interface Behaviour {
  /** Added before every answer. */
  latencyMs: number;
  /** Share of requests answered 503 before doing anything (0..1). */
  failureRate: number;
  /** Customers whose cards are declined. */
  declineCustomers: string[];
  /** Charges above this amount are declined; 0 = no limit. */
  declineAbove: number;
  /** Customers whose charges the gateway refuses as a bad request, with the 4xx status to answer (400, 409, 422 …). */
  rejectCustomers: Record<string, number>;
  /** Answer every request 503. */
  down: boolean;
}

interface Charge {
  chargeId: string;
  approved: boolean;
  reason: string;
  amount: number;
  reservationId: string;
}

export function createSimulatedGateway() {
  const behaviour: Behaviour = { latencyMs: 0, failureRate: 0, declineCustomers: [], declineAbove: 0, rejectCustomers: {}, down: false };
  const charges = new Map<string, Charge>();
  const refunds = new Map<string, { refundId: string; chargeId: string }>();
  const stats = { chargeRequests: 0, refundRequests: 0, rejectedAsUnavailable: 0 };

  const server = http.createServer(async (req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const body = await readJson(req);
      const path = (req.url ?? "").split("?")[0];
      if (path === "/behaviour") {
        if (req.method === "PUT") Object.assign(behaviour, sanitise(body));
        return send(200, behaviour);
      }
      if (path === "/stats") {
        const approved = [...charges.values()].filter((c) => c.approved);
        return send(200, {
          ...stats,
          approvedCharges: approved.length,
          declinedCharges: charges.size - approved.length,
          refunds: refunds.size,
          approvedReservations: approved.map((c) => c.reservationId),
          voidedKeys: [...charges.entries()].filter(([, c]) => c.reason === "voided").map(([key]) => key),
        });
      }
      if (behaviour.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, behaviour.latencyMs));
      if (behaviour.down || Math.random() < behaviour.failureRate) {
        stats.rejectedAsUnavailable++;
        return send(503, { error: "gateway unavailable" });
      }
      const voidKey = /^\/charges\/(.+)\/void$/.exec(path ?? "")?.[1];
      if (voidKey && req.method === "POST") {
        const key = decodeURIComponent(voidKey);
        const charge = charges.get(key);
        if (charge?.approved) return send(200, { status: "approved", chargeId: charge.chargeId });
        // Nothing charged (yet): bar the key, so a charge still in flight with it is declined when it lands.
        if (!charge) charges.set(key, { chargeId: "", approved: false, reason: "voided", amount: 0, reservationId: "" });
        return send(200, { status: "voided" });
      }
      if (path === "/charges" && req.method === "POST") {
        stats.chargeRequests++;
        const key = String(body.key ?? "");
        if (!key) return send(400, { error: "key is required" });
        // Refused as a bad request before anything is recorded, as processors do with invalid requests.
        const refusal = behaviour.rejectCustomers[String(body.customerId ?? "")];
        if (refusal) return send(refusal, { error: `request refused by the gateway (HTTP ${refusal})` });
        let charge = charges.get(key);
        if (!charge) {
          const amount = Number(body.amount ?? 0);
          const customerId = String(body.customerId ?? "");
          const reason = behaviour.declineCustomers.includes(customerId)
            ? "card declined by issuer"
            : behaviour.declineAbove > 0 && amount > behaviour.declineAbove
              ? "amount exceeds the card limit"
              : "";
          charge = { chargeId: randomUUID(), approved: reason === "", reason, amount, reservationId: String(body.reservationId ?? "") };
          charges.set(key, charge);
        }
        return charge.approved
          ? send(200, { status: "approved", chargeId: charge.chargeId })
          : send(402, { status: "declined", reason: charge.reason });
      }
      if (path === "/refunds" && req.method === "POST") {
        stats.refundRequests++;
        const key = String(body.key ?? "");
        if (!key) return send(400, { error: "key is required" });
        let refund = refunds.get(key);
        if (!refund) {
          refund = { refundId: randomUUID(), chargeId: String(body.chargeId ?? "") };
          refunds.set(key, refund);
        }
        return send(200, { status: "refunded", refundId: refund.refundId });
      }
      return send(404, { error: "no such endpoint" });
    } catch (error) {
      return send(400, { error: String(error) });
    }
  });
  return { server, behaviour, charges, refunds };
}

function sanitise(body: Record<string, unknown>): Partial<Behaviour> {
  const out: Partial<Behaviour> = {};
  if (typeof body.latencyMs === "number") out.latencyMs = Math.max(0, body.latencyMs);
  if (typeof body.failureRate === "number") out.failureRate = Math.min(1, Math.max(0, body.failureRate));
  if (Array.isArray(body.declineCustomers)) out.declineCustomers = body.declineCustomers.map(String);
  if (typeof body.declineAbove === "number") out.declineAbove = body.declineAbove;
  if (body.rejectCustomers && typeof body.rejectCustomers === "object") {
    out.rejectCustomers = Object.fromEntries(
      Object.entries(body.rejectCustomers).filter(
        (entry): entry is [string, number] => Number.isInteger(entry[1]) && entry[1] >= 400 && entry[1] < 500,
      ),
    );
  }
  if (typeof body.down === "boolean") out.down = body.down;
  return out;
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  const parsed: unknown = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
}

export async function runGatewayProcess(): Promise<void> {
  const logger = createLogger("payment-gateway");
  const port = readInt(process.env, "GATEWAY_PORT", DEFAULT_GATEWAY_PORT);
  const { server } = createSimulatedGateway();
  await new Promise<void>((resolve) => server.listen(port, process.env.HOST ?? "0.0.0.0", resolve));
  logger.info({ port }, "simulated payment gateway started");
  const stop = () => server.close(() => process.exit(0));
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PaymentGateway } from "./payment-gateway.js";

const logger = pino({ level: "silent" });
const charge = (key: string, customerId = "alice") => ({ key, amount: 50_000n, customerId, reservationId: `r-${key}` });

/** A card processor's answers as the client reads them (tools/simulated-gateway.ts is the full stand-in). */
function cardProcessor() {
  const behaviour = { latencyMs: 0, down: false, declineCustomers: [] as string[] };
  const charged = new Map<string, string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { key?: string; customerId?: string };
      const send = (status: number, answer: object) => res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(answer));
      setTimeout(() => {
        if (behaviour.down) return res.writeHead(503).end("<html>down</html>");
        const voided = /^\/charges\/(.+)\/void$/.exec(req.url ?? "");
        if (voided) {
          const chargeId = charged.get(decodeURIComponent(voided[1]!));
          return send(200, chargeId ? { status: "approved", chargeId } : { status: "voided" });
        }
        if (req.url === "/refunds") return send(200, { status: "refunded" });
        if (behaviour.declineCustomers.includes(body.customerId ?? "")) return send(402, { status: "declined", reason: "card declined" });
        const chargeId = `ch-${body.key}`;
        charged.set(body.key!, chargeId);
        send(200, { status: "approved", chargeId });
      }, behaviour.latencyMs);
    });
  });
  return { server, behaviour };
}

/** The gateway client against a card processor over real HTTP. */
describe("PaymentGateway", () => {
  const gateway = cardProcessor();
  let baseUrl: string;
  let connections = 0;

  beforeAll(async () => {
    gateway.server.on("connection", () => connections++);
    await new Promise<void>((resolve) => gateway.server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => gateway.server.close(() => resolve())));
  beforeEach(() => {
    Object.assign(gateway.behaviour, { latencyMs: 0, declineCustomers: [], down: false });
  });

  it("charges, declines, voids and refunds, reusing one kept-alive connection for calls one after another", async () => {
    const client = new PaymentGateway(baseUrl, logger, 2_000);
    const before = connections;
    const approved = await client.charge(charge("k1"));
    expect(approved).toMatchObject({ kind: "approved", chargeId: expect.any(String) });
    gateway.behaviour.declineCustomers = ["bob"];
    expect(await client.charge(charge("k2", "bob"))).toEqual({ kind: "declined", reason: "card declined" });
    expect(await client.voidCharge("k1")).toEqual({ kind: "approved", chargeId: (approved as { chargeId: string }).chargeId });
    expect(await client.voidCharge("never-charged")).toEqual({ kind: "voided" });
    expect(await client.refund({ key: "k1", chargeId: (approved as { chargeId: string }).chargeId, amount: 50_000n })).toEqual({ kind: "refunded" });
    for (let i = 0; i < 10; i++) expect(await client.charge(charge(`again-${i}`))).toMatchObject({ kind: "approved" });
    expect(connections - before).toBe(1);
  });

  it("answers unavailable when the gateway is down, and five failures in a row open the breaker", async () => {
    const client = new PaymentGateway(baseUrl, logger, 2_000);
    gateway.behaviour.down = true;
    for (let i = 0; i < 5; i++) expect(await client.charge(charge(`down-${i}`))).toEqual({ kind: "unavailable", reason: "gateway answered 503" });
    expect(client.breakerState).toBe("open");
    expect(await client.charge(charge("down-more"))).toEqual({ kind: "unavailable", reason: "circuit open: gateway is failing, payment deferred" });
  });

  it("answers unavailable when nothing listens, and counts it towards opening the breaker", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(port));
      });
    });
    const client = new PaymentGateway(`http://127.0.0.1:${port}`, logger, 2_000);
    const outcome = await client.charge(charge("refused"));
    expect(outcome).toEqual({ kind: "unavailable", reason: expect.stringMatching(/^gateway unreachable: .*ECONNREFUSED/) });
    for (let i = 0; i < 4; i++) await client.charge(charge(`refused-${i}`));
    expect(client.breakerState).toBe("open");
  });

  it("gives up on a gateway slower than its timeout", async () => {
    const client = new PaymentGateway(baseUrl, logger, 100);
    gateway.behaviour.latencyMs = 1_000;
    expect(await client.charge(charge("slow"))).toEqual({ kind: "unavailable", reason: "gateway timed out" });
  });
});

import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem } from "../support/system.js";
import { unaryClient } from "../support/grpc-clients.js";
import { envelope, memory, rawConnect, rawGrpc, wire, zeroBomb, type RawAnswer } from "../support/raw-rpc.js";

/**
 * Hostile request bodies against a real service process: decompression bombs
 * and oversized messages, over gRPC (HTTP/2) and Connect (HTTP/1.1), with and
 * without a valid token. Each is refused from its headers or at the message
 * limit, and the process's peak memory stays small.
 */

const MiB = 1 << 20;
/** The kit's request message limit (kit/src/request-limits.ts), stated here as the contract under test. */
const LIMIT = 64 * 1024;
/** The service's memory limit in the chart is 256 Mi; an idle service sits near 85 MiB. */
const PEAK_MIB_CEILING = 200;

const REGISTER = "/outerpark.musical.v1.MusicalService/RegisterMusical";

/** A RegisterMusicalRequest with the given name, encoded by hand. */
const registration = (name: Uint8Array) => Buffer.concat([wire.bytesField(2, name), wire.varintField(3, 10), wire.varintField(4, 80_000)]);

/** A RegisterMusicalRequest of exactly `size` bytes (its name makes up the rest). */
function registrationOfSize(size: number): Buffer {
  let nameLength = size;
  for (;;) {
    const message = registration(Buffer.alloc(nameLength, "n"));
    if (message.byteLength === size) return message;
    nameLength -= message.byteLength - size;
  }
}

interface Row {
  why: string;
  send: (auth: Record<string, string>) => Promise<RawAnswer>;
  token: boolean;
  expected: Partial<RawAnswer>;
}

const UNAUTHENTICATED_GRPC = { grpcStatus: 16 };
const EXHAUSTED_GRPC = { grpcStatus: 8 };
const UNAUTHENTICATED_CONNECT = { httpStatus: 401, connectCode: "unauthenticated" };
const EXHAUSTED_CONNECT = { httpStatus: 429, connectCode: "resource_exhausted" };

describe("hostile request bodies are refused before they cost memory", () => {
  let system: TestSystem;
  let address: string;
  let pid: number;
  let managerToken: string;
  const rows: Row[] = [];
  const peaks: string[] = [];

  beforeAll(async () => {
    system = await TestSystem.start({ services: ["musical"], gateway: false });
    address = system.address("musical");
    pid = system.replicas.find((r) => r.service === "musical")!.process!.pid!;
    managerToken = await system.token("manager-1", "manager");

    // ~300 KB that inflate to 300 MiB of zeros: what took a service from 85 MiB to 990 MiB.
    const gzipBomb = await zeroBomb(300 * MiB, "gzip");
    const brotliBomb = await zeroBomb(300 * MiB, "br");
    const plain = registration(Buffer.alloc(8 * MiB, "n"));
    const grpc =
      (body: Buffer, headers: Record<string, string> = {}) =>
      (auth: Record<string, string>) =>
        rawGrpc(address, REGISTER, body, { ...headers, ...auth });
    const connect =
      (body: Buffer, headers: Record<string, string> = {}) =>
      (auth: Record<string, string>) =>
        rawConnect(address, REGISTER, body, { ...headers, ...auth });
    for (const token of [false, true]) {
      const who = token ? "a manager's token" : "no token";
      rows.push(
        {
          why: `gRPC, gzip bomb (${gzipBomb.byteLength} B → 300 MiB), ${who}`,
          token,
          send: grpc(envelope(gzipBomb, { compressed: true }), { "grpc-encoding": "gzip" }),
          expected: token ? EXHAUSTED_GRPC : UNAUTHENTICATED_GRPC,
        },
        {
          why: `gRPC, brotli bomb (${brotliBomb.byteLength} B → 300 MiB), ${who}`,
          token,
          send: grpc(envelope(brotliBomb, { compressed: true }), { "grpc-encoding": "br" }),
          expected: token ? EXHAUSTED_GRPC : UNAUTHENTICATED_GRPC,
        },
        { why: `gRPC, 8 MiB plain message, ${who}`, token, send: grpc(envelope(plain)), expected: token ? EXHAUSTED_GRPC : UNAUTHENTICATED_GRPC },
        {
          why: `gRPC, a length prefix declaring 4 GiB, ${who}`,
          token,
          send: grpc(envelope(registration(Buffer.from("x")), { declaredLength: 0xffffffff })),
          expected: token ? EXHAUSTED_GRPC : UNAUTHENTICATED_GRPC,
        },
        {
          why: `Connect (HTTP/1.1), gzip bomb (Content-Encoding: gzip), ${who}`,
          token,
          send: connect(gzipBomb, { "content-encoding": "gzip" }),
          expected: token ? EXHAUSTED_CONNECT : UNAUTHENTICATED_CONNECT,
        },
        {
          why: `Connect (HTTP/1.1), brotli bomb (Content-Encoding: br), ${who}`,
          token,
          send: connect(brotliBomb, { "content-encoding": "br" }),
          expected: token ? EXHAUSTED_CONNECT : UNAUTHENTICATED_CONNECT,
        },
        {
          why: `Connect (HTTP/1.1), 8 MiB plain message, ${who}`,
          token,
          send: connect(plain),
          expected: token ? EXHAUSTED_CONNECT : UNAUTHENTICATED_CONNECT,
        },
      );
    }
    const justOver = await zeroBomb(LIMIT + 1, "gzip");
    const smallBomb = await zeroBomb(60 * MiB, "gzip");
    // The limit itself: a message of exactly the limit is decoded (and refused by the name rule); one byte more is not.
    rows.push(
      {
        why: `gRPC, a message of exactly ${LIMIT} B is decoded`,
        token: true,
        send: grpc(envelope(registrationOfSize(LIMIT))),
        expected: { grpcStatus: 3 },
      },
      { why: `gRPC, a message of ${LIMIT + 1} B`, token: true, send: grpc(envelope(registrationOfSize(LIMIT + 1))), expected: EXHAUSTED_GRPC },
      {
        why: `gRPC, ${justOver.byteLength} B of gzip inflating to ${LIMIT + 1} B`,
        token: true,
        send: grpc(envelope(justOver, { compressed: true }), { "grpc-encoding": "gzip" }),
        expected: EXHAUSTED_GRPC,
      },
      // Under the limit on the wire, far over it inflated: only the bound on decompression stops these.
      {
        why: `gRPC, gzip bomb under the limit (${smallBomb.byteLength} B → 60 MiB)`,
        token: true,
        send: grpc(envelope(smallBomb, { compressed: true }), { "grpc-encoding": "gzip" }),
        expected: { grpcStatus: 8, grpcMessage: expect.stringContaining("after decompression") },
      },
      {
        why: `Connect (HTTP/1.1), gzip bomb under the limit (${smallBomb.byteLength} B → 60 MiB)`,
        token: true,
        send: connect(smallBomb, { "content-encoding": "gzip" }),
        expected: { ...EXHAUSTED_CONNECT, connectMessage: expect.stringContaining("after decompression") },
      },
      {
        why: `Connect (HTTP/1.1), a message of exactly ${LIMIT} B is decoded`,
        token: true,
        send: connect(registrationOfSize(LIMIT)),
        expected: { httpStatus: 400, connectCode: "invalid_argument" },
      },
      {
        why: `Connect (HTTP/1.1), a message of ${LIMIT + 1} B`,
        token: true,
        send: connect(registrationOfSize(LIMIT + 1)),
        expected: EXHAUSTED_CONNECT,
      },
    );
  });

  afterAll(async () => {
    if (peaks.length > 0) console.log(`request limits: peak RSS of the musical process per hostile request (MiB):\n  ${peaks.join("\n  ")}`);
    await system?.stop();
  });

  it("every hostile request is answered with the exact status, and the process's peak memory stays small", async () => {
    for (const row of rows) {
      memory.resetPeak(pid);
      const answer = await row.send(row.token ? { authorization: `Bearer ${managerToken}` } : {});
      const peak = memory.peakMiB(pid);
      peaks.push(`${String(peak).padStart(4)}  ${row.why}: ${JSON.stringify(answer)}`);
      expect.soft(answer, row.why).toMatchObject(row.expected);
      expect.soft(peak, `${row.why}: peak RSS in MiB`).toBeLessThan(PEAK_MIB_CEILING);
    }
  });

  it("a client that resets its connection, before or after its first bytes, does not take the process down", async () => {
    const [host, port] = [address.split(":")[0]!, Number(address.split(":")[1])];
    const resetAfter = (first: string | undefined) =>
      new Promise<void>((resolve) => {
        const socket = net.connect(port, host, () => {
          if (first !== undefined) socket.write(first);
          setTimeout(() => socket.resetAndDestroy(), 50);
        });
        socket.on("error", () => {}); // the reset is ours; a crashed server resets too
        socket.once("close", () => resolve());
      });
    // A peer killed right after connecting (as in a crash of the caller) sends RST instead of its preface.
    for (const first of [undefined, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "POST / HTTP/1.1\r\n"]) await resetAfter(first);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const replica = system.replicas.find((r) => r.service === "musical")!;
    expect(replica.process?.exitCode ?? null, "the service process exited").toBeNull();
    const health = unaryClient("health", address);
    try {
      expect((await health.check({ service: "" })).status).toBe("SERVING");
    } finally {
      health.close();
    }
  });

  it("a connection whose first bytes arrive one by one is still told apart: HTTP/2 and HTTP/1.1 on the same port", async () => {
    const [host, port] = [address.split(":")[0]!, Number(address.split(":")[1])];
    /** Writes the pieces with pauses between them and collects what the server answers within a moment. */
    const trickle = (pieces: (string | Buffer)[]) =>
      new Promise<Buffer>((resolve, reject) => {
        const received: Buffer[] = [];
        const socket = net.connect(port, host, async () => {
          for (const piece of pieces) {
            socket.write(piece);
            await new Promise((r) => setTimeout(r, 30));
          }
          setTimeout(() => socket.destroy(), 300);
        });
        socket.on("data", (chunk: Buffer) => received.push(chunk));
        socket.on("error", reject);
        socket.once("close", () => resolve(Buffer.concat(received)));
      });
    // HTTP/2: the preface a byte at a time, then an empty SETTINGS frame; the server's first frame is its SETTINGS (type 4).
    const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
    const settings = Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]);
    const h2 = await trickle([...preface.slice(0, 4).split(""), preface.slice(4), settings]);
    expect(h2.length, "HTTP/2 answer").toBeGreaterThanOrEqual(9);
    expect(h2[3], "first HTTP/2 frame type").toBe(4);
    // HTTP/1.1: "P" could still be HTTP/2; the next byte settles it.
    const body = "{}";
    const request = `OST /grpc.health.v1.Health/Check HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const h1 = (await trickle(["P", request])).toString("latin1");
    expect(h1).toMatch(/^HTTP\/1\.1 200/);
    expect(h1).toContain('"status":"SERVING"');
  });

  it("afterwards the service is SERVING, serves a real call and registered nothing", async () => {
    const health = unaryClient("health", address);
    const musical = unaryClient("musical", address);
    try {
      // The public services still need no token: health, and reflection (list_services, field 7).
      expect((await health.check({ service: "" })).status).toBe("SERVING");
      const reflection = await rawGrpc(
        address,
        "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
        envelope(wire.bytesField(7, Buffer.alloc(0))),
      );
      expect(reflection).toMatchObject({ httpStatus: 200, grpcStatus: 0 });
      expect(await system.sql("musical", "select count(*)::int as n from musicals")).toEqual([{ n: 0 }]);
      const registered = await musical.registerMusical(
        { musicalId: "after-the-bombs", name: "After the Bombs", totalSeats: 3, seatPrice: "1000" },
        managerToken,
      );
      expect(registered.musical.musicalId).toBe("after-the-bombs");
    } finally {
      health.close();
      musical.close();
    }
  });
});

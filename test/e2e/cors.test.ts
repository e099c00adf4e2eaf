import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem } from "../support/system.js";

/**
 * Browsers on the configured origins may call a service cross-origin (the web
 * app on its own port calls the services on theirs); any other origin gets no
 * CORS headers, so the browser withholds the answer. Real HTTP/1.1 requests to
 * a real service process.
 */
const APP = "http://localhost:5173";
const OTHER_APP = "http://app.example:8080";
const STRANGER = "http://evil.example";
const GET_MUSICAL = "/outerpark.musical.v1.MusicalService/GetMusical";
const REGISTER = "/outerpark.musical.v1.MusicalService/RegisterMusical";

describe("CORS for the configured origins only", () => {
  let system: TestSystem;
  let base: string;

  beforeAll(async () => {
    system = await TestSystem.start({ services: ["musical"], gateway: false, env: { CORS_ORIGINS: `${APP},${OTHER_APP}` } });
    base = `http://${system.address("musical")}`;
    const manager = await system.token("manager-1", "manager");
    const registered = await fetch(`${base}${REGISTER}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${manager}` },
      body: JSON.stringify({ musicalId: "wicked", name: "Wicked", totalSeats: 5, seatPrice: "90000" }),
    });
    expect(registered.status).toBe(200);
  });
  afterAll(async () => {
    await system?.stop();
  });

  const preflight = (origin: string, path = GET_MUSICAL) =>
    fetch(`${base}${path}`, {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type,connect-protocol-version,connect-timeout-ms",
      },
    });

  it.each([APP, OTHER_APP])("a preflight from %s is answered with what Connect, gRPC-Web and the token need", async (origin) => {
    const answer = await preflight(origin);
    expect(answer.status).toBe(204);
    expect(answer.headers.get("access-control-allow-origin")).toBe(origin);
    expect(answer.headers.get("vary")).toMatch(/origin/i);
    const methods = answer.headers.get("access-control-allow-methods")!.toLowerCase().split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(["post", "get"]));
    const headers = answer.headers.get("access-control-allow-headers")!.toLowerCase().split(/,\s*/);
    expect(headers).toEqual(
      expect.arrayContaining([
        "authorization",
        "content-type",
        "connect-protocol-version",
        "connect-timeout-ms",
        "grpc-timeout",
        "x-grpc-web",
        "x-user-agent",
      ]),
    );
    expect(answer.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("a call from the app's origin carries its origin and exposes the gRPC status headers", async () => {
    const answer = await fetch(`${base}${GET_MUSICAL}`, {
      method: "POST",
      headers: { origin: APP, "content-type": "application/json", "connect-protocol-version": "1" },
      body: JSON.stringify({ musicalId: "wicked" }),
    });
    expect(answer.status).toBe(200);
    expect(((await answer.json()) as { musical: { name: string } }).musical.name).toBe("Wicked");
    expect(answer.headers.get("access-control-allow-origin")).toBe(APP);
    const exposed = answer.headers.get("access-control-expose-headers")!.toLowerCase().split(/,\s*/);
    expect(exposed).toEqual(expect.arrayContaining(["grpc-status", "grpc-message", "grpc-status-details-bin"]));
  });

  it("a refused call from the app's origin is readable by the app too (its status, not a CORS error)", async () => {
    const answer = await fetch(`${base}${REGISTER}`, {
      method: "POST",
      headers: { origin: APP, "content-type": "application/json" },
      body: JSON.stringify({ name: "No Token", totalSeats: 1, seatPrice: "1" }),
    });
    expect(answer.status).toBe(401);
    expect(answer.headers.get("access-control-allow-origin")).toBe(APP);
  });

  it("an unlisted origin gets no CORS headers, on the preflight or the call", async () => {
    const answer = await preflight(STRANGER);
    expect(answer.headers.get("access-control-allow-origin")).toBeNull();
    expect(answer.headers.get("access-control-allow-headers")).toBeNull();
    const call = await fetch(`${base}${GET_MUSICAL}`, {
      method: "POST",
      headers: { origin: STRANGER, "content-type": "application/json" },
      body: JSON.stringify({ musicalId: "wicked" }),
    });
    expect(call.headers.get("access-control-allow-origin")).toBeNull();
    expect(call.headers.get("access-control-expose-headers")).toBeNull();
    // A look-alike of an allowed origin (another port) is a different origin.
    expect((await preflight("http://localhost:5174")).headers.get("access-control-allow-origin")).toBeNull();
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUER_KEY_OWNER, signingKeyOf } from "#kit/auth.js";
import { generateKeySet } from "./keys.js";
import { startWebServer, type WebServer } from "./web-server.js";

/** The web app's static server over real HTTP: files, config, the dev sign-in and what it refuses. */
describe("web app server", () => {
  const keys = generateKeySet([ISSUER_KEY_OWNER], "test-web");
  const dir = mkdtempSync(path.join(tmpdir(), "outerpark-web-"));
  const services = { musical: "http://localhost:1", reservation: "http://localhost:2", customercenter: "http://localhost:3" };
  let withSignIn: WebServer;
  let withoutSignIn: WebServer;

  beforeAll(async () => {
    mkdirSync(path.join(dir, "assets"));
    writeFileSync(path.join(dir, "index.html"), "<div id=root></div>");
    writeFileSync(path.join(dir, "assets/app-1.js"), "console.log(1)");
    writeFileSync(path.join(tmpdir(), "outerpark-web-secret.txt"), "secret");
    withSignIn = await startWebServer({
      dir,
      host: "127.0.0.1",
      port: 0,
      config: { services },
      devSignInKey: signingKeyOf(keys.privateKeys.issuer!),
    });
    withoutSignIn = await startWebServer({
      dir,
      host: "127.0.0.1",
      port: 0,
      config: { services, oidc: { issuer: "https://login.example.com", clientId: "web" } },
    });
  });
  afterAll(async () => {
    await withSignIn?.close();
    await withoutSignIn?.close();
  });

  const at = (server: WebServer, p: string) => `http://127.0.0.1:${server.port}${p}`;
  const signIn = (server: WebServer, body: unknown) => fetch(at(server, "/dev/sign-in"), { method: "POST", body: JSON.stringify(body) });

  it("serves the app, its fingerprinted assets for good, and 404 for anything else (no traversal)", async () => {
    const index = await fetch(at(withSignIn, "/"));
    expect(index.headers.get("content-type")).toMatch(/^text\/html/);
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(await index.text()).toContain("root");
    const asset = await fetch(at(withSignIn, "/assets/app-1.js"));
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    expect((await fetch(at(withSignIn, "/nope.js"))).status).toBe(404);
    expect((await fetch(at(withSignIn, "/..%2Fouterpark-web-secret.txt"))).status).toBe(404);
    expect((await fetch(at(withSignIn, "/%2e%2e/outerpark-web-secret.txt"))).status).toBe(404);
  });

  it("tells the app where the APIs are and how to sign in", async () => {
    expect(await (await fetch(at(withSignIn, "/config.json"))).json()).toEqual({ services, devSignIn: true });
    expect(await (await fetch(at(withoutSignIn, "/config.json"))).json()).toEqual({
      services,
      devSignIn: false,
      oidc: { issuer: "https://login.example.com", clientId: "web" },
    });
  });

  it("the dev sign-in mints an issuer-signed token for a plain name and a person's role, nothing else", async () => {
    const answer = await signIn(withSignIn, { sub: "alice", role: "customer" });
    expect(answer.status).toBe(200);
    const { token } = (await answer.json()) as { token: string };
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(keys.jwks), { issuer: "outerpark", audience: "outerpark" });
    expect(payload).toMatchObject({ sub: "alice", role: "customer" });
    expect(protectedHeader.kid).toBe(keys.jwks.keys[0]!.kid);
    expect(JSON.stringify(await (await signIn(withSignIn, { sub: "boss", role: "manager" })).json())).toContain("token");

    expect((await signIn(withSignIn, { sub: "reservation", role: "service" })).status).toBe(400);
    expect((await signIn(withSignIn, { sub: "a b", role: "customer" })).status).toBe(400);
    expect((await signIn(withSignIn, { sub: "", role: "customer" })).status).toBe(400);
    expect((await fetch(at(withSignIn, "/dev/sign-in"), { method: "POST", body: "not json" })).status).toBe(400);
    expect((await fetch(at(withSignIn, "/dev/sign-in"))).status).toBe(405);
  });

  it("without the issuer key there is no dev sign-in at all", async () => {
    expect((await signIn(withoutSignIn, { sub: "alice", role: "customer" })).status).toBe(404);
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { sessionOf, setRoleMapping } from "./session.js";

const exp = Math.floor(Date.now() / 1000) + 3600;
const tokenWith = (claims: Record<string, unknown>) => `e30.${btoa(JSON.stringify({ exp, ...claims })).replace(/=+$/, "")}.sig`;

describe("the session a token names", () => {
  afterEach(() => setRoleMapping(undefined));

  it("the local issuer's token carries `role`", () => {
    expect(sessionOf(tokenWith({ iss: "outerpark", sub: "alice", role: "customer" }))).toMatchObject({ subject: "alice", role: "customer" });
    expect(() => sessionOf(tokenWith({ iss: "outerpark", sub: "alice", role: "service" }))).toThrow(/role/);
  });

  it("a provider's token carries it where config.json's oidc.roleClaim says, mapped by roleMap, the highest of a list", () => {
    setRoleMapping({ roleClaim: "ext.role" });
    expect(sessionOf(tokenWith({ iss: "http://127.0.0.1:4444", sub: "mia", ext: { role: "manager" } })).role).toBe("manager");
    expect(() => sessionOf(tokenWith({ iss: "http://127.0.0.1:4444", sub: "mia", role: "manager" }))).toThrow(/role/);
    setRoleMapping({ roleClaim: "realm_access.roles", roleMap: { "op-fan": "customer", "op-staff": "manager" } });
    expect(sessionOf(tokenWith({ iss: "https://login", sub: "x", realm_access: { roles: ["op-fan", "op-staff"] } })).role).toBe("manager");
    expect(() => sessionOf(tokenWith({ iss: "https://login", sub: "x", realm_access: { roles: ["manager"] } }))).toThrow(/role/);
    // The local issuer's tokens still read `role` (make up beside a provider).
    expect(sessionOf(tokenWith({ iss: "outerpark", sub: "bob", role: "manager" })).role).toBe("manager");
  });
});

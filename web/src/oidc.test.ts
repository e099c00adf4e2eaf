import { describe, expect, it } from "vitest";
import { authorizeUrl, codeChallenge } from "./oidc.js";

describe("OIDC with PKCE", () => {
  it("computes the S256 challenge of RFC 7636's example", async () => {
    expect(await codeChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
  });

  it("asks for a code with the challenge, the state and the app's redirect", () => {
    const url = new URL(
      authorizeUrl("https://login.example.com/auth?realm=x", {
        clientId: "outerpark-web",
        redirectUri: "https://tickets.example.com/",
        state: "s1",
        challenge: "c1",
      }),
    );
    expect(url.origin + url.pathname).toBe("https://login.example.com/auth");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "outerpark-web",
      redirect_uri: "https://tickets.example.com/",
      scope: "openid profile",
      state: "s1",
      code_challenge: "c1",
      code_challenge_method: "S256",
    });
  });
});

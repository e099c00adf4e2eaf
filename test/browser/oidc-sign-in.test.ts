/**
 * Production sign-in in a real browser: the web app configured with an OpenID
 * Connect provider (Ory Hydra, test/support/oidc-provider.ts) instead of the
 * development sign-in. The customer clicks sign-in, lands on the provider's
 * login page, signs in, comes back (authorization code + PKCE, the token
 * fetched by the page itself) and reserves a seat, which becomes paid: the
 * services accept the provider's access token. Screenshots in .data/screenshots/.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startWebServer, type WebServer } from "../../tools/web-server.js";
import {
  HYDRA_BUILD_TIMEOUT_MS,
  HYDRA_ROLE_CLAIM,
  OIDC_TEST_AUDIENCE,
  oidcProviderUnavailable,
  startOidcProvider,
  type OidcProvider,
} from "../support/oidc-provider.js";
import { freePort } from "../support/ports.js";
import { TestSystem } from "../support/system.js";

const root = path.resolve(import.meta.dirname, "../..");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = path.join(root, ".data/screenshots");
const SETTLE = { timeout: 45_000, interval: 250 };

const skip = !existsSync(CHROMIUM)
  ? `OpenID Connect browser test skipped: no Chromium at ${CHROMIUM} (run \`make chromium\`, or set CHROMIUM=/path/to/chromium)`
  : oidcProviderUnavailable();
if (skip) console.warn(skip);

describe.skipIf(skip !== undefined)("signing in through the OpenID Connect provider in a real browser", { timeout: 180_000 }, () => {
  let provider: OidcProvider;
  let system: TestSystem;
  let web: WebServer;
  let browser: Browser;
  let page: Page;
  let app: string;
  const show = `Les Mis ${Date.now().toString(36)}`;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    app = `http://127.0.0.1:${await freePort()}`;
    provider = await startOidcProvider({ postgresUrl: inject("infra").postgresUrl, corsOrigins: [app] });
    // The app's client: public (no secret), PKCE, back to the app's origin; its page calls the token endpoint.
    const clientId = await provider.registerClient({ redirectUri: `${app}/`, audience: [OIDC_TEST_AUDIENCE], corsOrigins: [app] });
    system = await TestSystem.start({
      env: { CORS_ORIGINS: app, OIDC_ISSUER_URL: provider.issuer, OIDC_AUDIENCE: OIDC_TEST_AUDIENCE, OIDC_ROLE_CLAIM: HYDRA_ROLE_CLAIM },
    });
    // The show, registered by a manager who signed in with the provider too.
    const mia = await provider.signIn({ clientId, redirectUri: `${app}/`, username: "mia", password: "mia-secret-1" });
    const musical = system.client("musical");
    await musical.registerMusical({ musicalId: `lesmis-${Date.now().toString(36)}`, name: show, totalSeats: 5, seatPrice: "90000" }, mia);
    musical.close();

    const base = (service: "musical" | "reservation" | "customercenter") => `http://${system.address(service)}`;
    web = await startWebServer({
      dir: path.join(root, "dist/web"),
      host: "127.0.0.1",
      port: Number(new URL(app).port),
      // What `outerpark web` serves with OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_ROLE_CLAIM: no development sign-in.
      config: {
        services: { musical: base("musical"), reservation: base("reservation"), customercenter: base("customercenter") },
        oidc: { issuer: provider.issuer, clientId, roleClaim: HYDRA_ROLE_CLAIM },
      },
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(30_000);
    page = await context.newPage();
  }, HYDRA_BUILD_TIMEOUT_MS + 180_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
    await system?.stop();
    await provider?.stop();
  });

  const snap = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it("a customer signs in on the provider's page, comes back signed in, and reserves a seat that becomes paid", async () => {
    await page.goto(`${app}/#/sign-in`);
    const signIn = page.getByRole("button", { name: "Sign in with your account" });
    await expect.poll(() => signIn.isVisible(), SETTLE).toBe(true);
    expect(await page.getByText("Sign in (development)").count()).toBe(0); // no development sign-in beside the provider
    await signIn.click();

    // The provider's login page (our login app, reached through Hydra's authorization endpoint).
    await page.waitForURL((url) => url.toString().startsWith(`${provider.loginAppUrl}/login`));
    await snap("oidc-01-provider-login");
    await page.getByLabel("Username").fill("alice");
    await page.getByLabel("Password").fill("alice-secret-1");
    await page.getByRole("button", { name: "Sign in" }).click();

    // Back in the app with the provider's access token as the session.
    await page.waitForURL((url) => url.origin === app);
    await expect.poll(() => page.getByTestId("signed-in-as").textContent(), SETTLE).toBe("alice");
    expect(new URL(page.url()).search).toBe(""); // the code and state are gone from the address bar
    await snap("oidc-02-signed-in");

    const card = page.locator(`li[data-musical="${show}"]`);
    await expect.poll(() => card.locator(".seats-left").textContent(), SETTLE).toBe("5 of 5 seats left");
    await card.getByLabel("Seats").fill("1");
    await card.getByRole("button", { name: `Reserve ${show}` }).click();
    await expect.poll(() => page.getByTestId("reservation-status").textContent(), SETTLE).toBe("Paid");
    expect(await page.getByTestId("payment-state").textContent()).toBe("Paid");
    await snap("oidc-03-reserved-paid");

    // The reservation is alice's: the provider's subject became the customer id.
    const reservationId = decodeURIComponent(new URL(page.url()).hash.replace("#/reservations/", ""));
    const [row] = await system.sql<{ customer_id: string; seats: number }>(
      "reservation",
      "select customer_id, seats from reservations where reservation_id = $1",
      [reservationId],
    );
    expect(row).toEqual({ customer_id: "alice", seats: 1 });
  });
});

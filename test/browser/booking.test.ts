/**
 * The web app in a real browser (Debian's Chromium, headless, driven by
 * playwright-core) against the real system: every service as its own process
 * over PostgreSQL and NATS, the built app (dist/web) on its own origin with the
 * development sign-in, calling the services cross-origin (CORS). Each step
 * saves a screenshot under .data/screenshots/.
 *
 * Waits poll the page (expect.poll) with generous timeouts: the saga settles
 * in about a second here, but a loaded 2-core machine may take many.
 */
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWebServer, type WebServer } from "../../tools/web-server.js";
import { freePort } from "../support/ports.js";
import { TestSystem } from "../support/system.js";
import { startTcpProxy } from "../support/tcp-proxy.js";

const root = path.resolve(import.meta.dirname, "../..");
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SCREENSHOTS = path.join(root, ".data/screenshots");
/** How long the page may take to show what the system did: the saga, a restart, a poll interval on a busy machine. */
const SETTLE = { timeout: 45_000, interval: 250 };

const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser test skipped: no Chromium at ${CHROMIUM} (run \`make chromium\`, or set CHROMIUM=/path/to/chromium)`);

describe.skipIf(!haveChromium)("booking in a real browser", { timeout: 180_000 }, () => {
  let system: TestSystem;
  let web: WebServer;
  /** Between the browsers and the MyPage service, so the test can drop their network. */
  let network: Awaited<ReturnType<typeof startTcpProxy>>;
  let browser: Browser;
  let app: string;
  const contexts: BrowserContext[] = [];
  let manager: Page;
  let alice: Page;
  let bob: Page;
  let alicesReservationId = "";
  let bobsReservationId = "";
  const show = `Hamilton ${Date.now().toString(36)}`;
  const smallShow = `Once ${Date.now().toString(36)}`;

  beforeAll(async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const webPort = await freePort();
    app = `http://127.0.0.1:${webPort}`;
    system = await TestSystem.start({ env: { CORS_ORIGINS: app } });
    network = await startTcpProxy(system.address("customercenter"));
    const base = (service: "musical" | "reservation") => `http://${system.address(service)}`;
    web = await startWebServer({
      dir: path.join(root, "dist/web"),
      host: "127.0.0.1",
      port: webPort,
      config: { services: { musical: base("musical"), reservation: base("reservation"), customercenter: `http://${network.address}` } },
      devSignInKey: system.signingKey("issuer"),
    });
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
    const open = async (viewport: { width: number; height: number }) => {
      const context = await browser.newContext({ viewport });
      context.setDefaultTimeout(30_000);
      contexts.push(context);
      return context.newPage();
    };
    manager = await open({ width: 1280, height: 900 });
    alice = await open({ width: 1280, height: 900 });
    // Bob is on a phone: the app must work at that width too.
    bob = await open({ width: 390, height: 844 });
  });

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    await web?.close();
    await network?.close();
    await system?.stop();
  });

  const snap = (page: Page, name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  async function signIn(page: Page, name: string, role: "Customer" | "Show manager"): Promise<void> {
    await page.goto(`${app}/#/sign-in`);
    await page.getByLabel("Your name").fill(name);
    await page.getByLabel(role, { exact: true }).check();
    // The keyboard submits the form, as a person without a mouse would.
    await page.getByLabel("Your name").press("Enter");
    await expect.poll(() => page.getByTestId("signed-in-as").textContent(), SETTLE).toBe(name);
  }

  /** The reservation a page shows (#/reservations/<id>). */
  function reservationIdIn(page: Page): string {
    const id = decodeURIComponent(new URL(page.url()).hash.replace("#/reservations/", ""));
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    return id;
  }

  /** Waits until the system has cancelled and refunded a reservation (read from reservation's own table). */
  const refunded = (reservationId: string) =>
    expect
      .poll(async () => {
        const [row] = await system.sql<{ status: string; payment_state: string }>(
          "reservation",
          "select status, payment_state from reservations where reservation_id = $1",
          [reservationId],
        );
        return row && `${row.status}/${row.payment_state}`;
      }, SETTLE)
      .toBe("CANCELLED/CANCELLED");

  const card = (page: Page, name: string) => page.locator(`li[data-musical="${name}"]`);
  const seatsLeft = (page: Page, name: string) => card(page, name).locator(".seats-left").textContent();

  it("anyone sees the catalog without signing in", async () => {
    const anonymous = await browser.newContext();
    contexts.push(anonymous);
    const page = await anonymous.newPage();
    await page.goto(app);
    await expect.poll(() => page.getByRole("heading", { name: "Musicals" }).isVisible(), SETTLE).toBe(true);
    await expect
      .poll(
        () =>
          page
            .getByText(/No musicals yet|seats left/)
            .first()
            .isVisible(),
        SETTLE,
      )
      .toBe(true);
    await snap(page, "00-catalog-anonymous");
  });

  it("a manager signs in and registers musicals", async () => {
    await signIn(manager, "boss", "Show manager");
    for (const [name, seats] of [
      [show, "10"],
      [smallShow, "2"],
    ] as const) {
      await manager.getByLabel("Name", { exact: true }).fill(name);
      await manager.getByLabel("Seats", { exact: true }).fill(seats);
      await manager.getByLabel("Price per seat (KRW)").fill("150000");
      await manager.getByRole("button", { name: "Register musical" }).click();
      await expect.poll(() => manager.getByRole("status").textContent(), SETTLE).toBe(`Registered ${name}.`);
    }
    const row = manager.locator(`tr[data-musical="${show}"]`);
    await expect.poll(() => row.getByTestId("left").textContent(), SETTLE).toBe("10");
    await snap(manager, "01-manager-registered");
  });

  it("customer A reserves 2 seats and sees it become paid without reloading; B's open catalog shows the seats drop", async () => {
    await signIn(bob, "bob", "Customer");
    await expect.poll(() => seatsLeft(bob, show), SETTLE).toBe("10 of 10 seats left");

    await signIn(alice, "alice", "Customer");
    // A marker in the page's memory: still there at the end means the page never reloaded.
    await alice.evaluate(() => ((globalThis as unknown as { stillTheSamePage: boolean }).stillTheSamePage = true));
    await card(alice, show).getByLabel("Seats").fill("2");
    // A double click is one attempt: one idempotency key, one booking (MyPage below shows exactly one).
    await card(alice, show)
      .getByRole("button", { name: `Reserve ${show}` })
      .dblclick();
    await expect.poll(() => alice.getByTestId("reservation-status").textContent(), SETTLE).toMatch(/^(Placed|Paid)$/);
    await snap(alice, "02-customer-placed");
    await expect.poll(() => alice.getByTestId("reservation-status").textContent(), SETTLE).toBe("Paid");
    expect(await alice.getByTestId("payment-state").textContent()).toBe("Paid");
    expect(await alice.evaluate(() => (globalThis as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);
    await snap(alice, "03-customer-paid");
    alicesReservationId = reservationIdIn(alice);

    // Bob never reloaded either: his catalog refreshes itself.
    await expect.poll(() => seatsLeft(bob, show), SETTLE).toBe("8 of 10 seats left");
    await snap(bob, "04-other-customer-seats-left-phone");
    const row = manager.locator(`tr[data-musical="${show}"]`);
    await expect.poll(() => row.getByTestId("taken").textContent(), SETTLE).toBe("2");
    await snap(manager, "05-manager-sales");
  });

  it("A's MyPage follows the cancellation live, across a restart of the MyPage service: refund and notification", async () => {
    await alice.getByRole("link", { name: "MyPage", exact: true }).click();
    const mine = alice.locator("li[data-reservation]").filter({ hasText: show });
    await expect.poll(() => mine.getByTestId("mypage-status").textContent(), SETTLE).toBe("Paid");
    await expect.poll(() => alice.getByTestId("feed-status").textContent(), SETTLE).toBe("Live");
    expect(await mine.count()).toBe(1);

    // The MyPage service goes away while A watches; the cancellation happens while it is down.
    await system.stopReplica("customercenter");
    await expect.poll(() => alice.getByTestId("feed-status").textContent(), SETTLE).toMatch(/^Reconnecting/);
    await mine.getByRole("button", { name: `Cancel ${show}` }).click();
    // All of it happens while MyPage's service is gone: the cancellation, the refund, the notifications.
    await refunded(alicesReservationId);
    await system.startReplica("customercenter");

    // Nothing lost: the reconnected stream brings the cancellation, the refund and the notifications.
    await expect.poll(() => alice.getByTestId("feed-status").textContent(), SETTLE).toBe("Live");
    await expect.poll(() => mine.getByTestId("mypage-status").textContent(), SETTLE).toBe("Cancelled");
    await expect.poll(() => mine.getByTestId("mypage-payment").textContent(), SETTLE).toBe("Refunded");
    await expect.poll(() => mine.getByTestId("notifications").textContent(), SETTLE).toMatch(/Payment refunded/);
    await mine.getByText(/^History/).click();
    expect(await mine.locator(".history li").count()).toBeGreaterThanOrEqual(4);
    expect(await mine.locator(".history time").first().getAttribute("datetime")).toMatch(/^\d{4}-\d\d-\d\dT/);
    await snap(alice, "06-mypage-refund-notification");

    await expect.poll(() => seatsLeft(bob, show), SETTLE).toBe("10 of 10 seats left");
  });

  it("a sold-out show refuses with the sold-out message", async () => {
    await bob.goto(`${app}/#/`);
    await card(bob, smallShow).getByLabel("Seats").fill("2");
    await card(bob, smallShow)
      .getByRole("button", { name: `Reserve ${smallShow}` })
      .click();
    await expect.poll(() => bob.getByTestId("reservation-status").textContent(), SETTLE).toMatch(/^(Placed|Paid)$/);
    bobsReservationId = reservationIdIn(bob);

    await alice.goto(`${app}/#/`);
    await expect.poll(() => seatsLeft(alice, smallShow), SETTLE).toBe("Sold out");
    await card(alice, smallShow).getByLabel("Seats").fill("1");
    await card(alice, smallShow)
      .getByRole("button", { name: `Reserve ${smallShow}` })
      .click();
    await expect
      .poll(() => card(alice, smallShow).getByRole("alert").textContent(), SETTLE)
      .toBe("Sold out: not enough seats are left for this show.");
    await snap(alice, "07-sold-out");
  });

  it("B's MyPage on the phone survives a network drop: the cancellation made meanwhile arrives after reconnecting", async () => {
    await bob.getByRole("link", { name: "MyPage", exact: true }).click();
    const his = bob.locator("li[data-reservation]").filter({ hasText: smallShow });
    await expect.poll(() => his.getByTestId("mypage-status").textContent(), SETTLE).toBe("Paid");
    await expect.poll(() => bob.getByTestId("feed-status").textContent(), SETTLE).toBe("Live");

    network.cut();
    await expect.poll(() => bob.getByTestId("feed-status").textContent(), SETTLE).toMatch(/^Reconnecting/);
    // Cancelling goes to the reservation service, which is still reachable; MyPage is not.
    await his.getByRole("button", { name: `Cancel ${smallShow}` }).click();
    await refunded(bobsReservationId);
    await snap(bob, "08-mypage-offline-phone");
    network.restore();

    await expect.poll(() => bob.getByTestId("feed-status").textContent(), SETTLE).toBe("Live");
    await expect.poll(() => his.getByTestId("mypage-status").textContent(), SETTLE).toBe("Cancelled");
    await expect.poll(() => his.getByTestId("mypage-payment").textContent(), SETTLE).toBe("Refunded");
    await snap(bob, "09-mypage-reconnected-phone");
  });

  it("A cannot open B's reservation", async () => {
    await alice.goto(`${app}/#/reservations/${bobsReservationId}`);
    await expect
      .poll(() => alice.getByRole("alert").textContent(), SETTLE)
      .toBe("This reservation is not yours: you can only see and change your own.");
    expect(await alice.getByTestId("reservation-status").count()).toBe(0);
    await snap(alice, "10-not-your-reservation");
  });
});

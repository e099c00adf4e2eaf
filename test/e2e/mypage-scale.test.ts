import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestSystem, waitFor } from "../support/system.js";
import { expectStatus, grpc, openStream } from "../support/grpc-clients.js";

/**
 * MyPage stays bounded with many watchers: GetMyPage and the first message
 * batch of WatchMyPage are pages; all streams of a process are served from
 * one change feed, so PostgreSQL sees work in proportion to the changes, not
 * to the open streams; a customer can hold only so many streams open.
 */

const CUSTOMERS = 50;
const STREAMS_PER_CUSTOMER = 10; // the default cap
const RECHECK_MS = 5_000; // the default fallback re-check

type Stream = ReturnType<typeof openStream>;

describe("MyPage at scale", () => {
  let system: TestSystem;
  let manager: string;

  beforeAll(async () => {
    system = await TestSystem.start();
    manager = await system.token("manager", "manager");
    const musical = system.client("musical");
    await musical.registerMusical({ musicalId: "crowd", name: "The Crowd", totalSeats: 1_000, seatPrice: "1000" }, manager);
    musical.close();
  }, 120_000);
  afterAll(async () => system?.stop());

  /** Final state of every reservation per customer, as the reservation service holds it once the saga settled. */
  async function settledStates(expectedCount: number): Promise<Map<string, Map<string, string>>> {
    const byCustomer = new Map<string, Map<string, string>>();
    await waitFor(
      async () => {
        const rows = await system.sql<{ reservation_id: string; customer_id: string; status: string; payment_state: string }>(
          "reservation",
          "select reservation_id, customer_id, status, payment_state from reservations",
        );
        const settled = rows.every(
          (r) => (r.status === "PAID" && r.payment_state === "APPROVED") || (r.status === "CANCELLED" && r.payment_state === "CANCELLED"),
        );
        byCustomer.clear();
        for (const r of rows) {
          const mine = byCustomer.get(r.customer_id) ?? new Map<string, string>();
          mine.set(r.reservation_id, `RESERVATION_STATUS_${r.status}/PAYMENT_STATE_${r.payment_state}`);
          byCustomer.set(r.customer_id, mine);
        }
        return rows.length === expectedCount && settled;
      },
      90_000,
      `${expectedCount} reservations to settle`,
      250,
    );
    return byCustomer;
  }

  /** What PostgreSQL itself counted for the customercenter database. */
  async function databaseCounters() {
    const [db] = await system.sql<{ xact: string }>(
      "customercenter",
      "select xact_commit + xact_rollback as xact from pg_stat_database where datname = current_database()",
    );
    const tables = await system.sql<{ relname: string; scans: string }>(
      "customercenter",
      "select relname, seq_scan + coalesce(idx_scan, 0) as scans from pg_stat_user_tables where relname like 'mypage_%'",
    );
    const [facts] = await system.sql<{ n: number }>("customercenter", "select count(*)::int as n from mypage_history");
    return {
      at: Date.now(),
      transactions: Number(db!.xact),
      scans: tables.reduce((sum, t) => sum + Number(t.scans), 0),
      facts: facts!.n,
    };
  }

  const latestStates = (stream: Stream) => {
    const latest = new Map<string, string>();
    for (const m of stream.messages) latest.set(m.reservation.reservationId, `${m.reservation.reservationStatus}/${m.reservation.paymentState}`);
    return latest;
  };

  it("500 streams for 50 customers: every stream sees its customer's changes, the database works per change, the 11th stream is refused", async () => {
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `fan-${i}`);
    const tokens = new Map(await Promise.all(customers.map(async (c) => [c, await system.token(c)] as const)));
    const reservation = system.client("reservation");
    const firstIds = new Map<string, string>();
    // The first wave runs with no stream open: what recording a change costs the database on its own.
    const unwatchedStart = await databaseCounters();
    await Promise.all(
      customers.map(async (c) => {
        const r = await reservation.placeReservation({ musicalId: "crowd", seats: 1, idempotencyKey: `${c}-first` }, tokens.get(c));
        firstIds.set(c, r.reservation.reservationId);
      }),
    );
    await settledStates(CUSTOMERS);
    await waitFor(
      async () =>
        (
          await system.sql<{ n: number }>(
            "customercenter",
            "select count(*)::int as n from mypage_reservations where reservation_status = 'PAID' and payment_state = 'APPROVED'",
          )
        )[0]!.n === CUSTOMERS,
      30_000,
      "MyPage to show the first reservations paid",
      1_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // notifications and stats settle
    const unwatchedEnd = await databaseCounters();

    // The database's own background rate (relay, health probes) with no stream open.
    const idleStart = await databaseCounters();
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const idleEnd = await databaseCounters();
    const idlePerSecond = (idleEnd.transactions - idleStart.transactions) / ((idleEnd.at - idleStart.at) / 1000);
    const unwatchedChanges = unwatchedEnd.facts - unwatchedStart.facts;
    const unwatchedSeconds = (unwatchedEnd.at - unwatchedStart.at) / 1000;
    const perUnwatchedChange = (unwatchedEnd.transactions - unwatchedStart.transactions - idlePerSecond * unwatchedSeconds) / unwatchedChanges;

    // 500 streams over 10 gRPC channels; each one's first page holds its customer's first reservation.
    const channels = Array.from({ length: 10 }, () => system.client("customercenter"));
    const streams = customers.flatMap((c, i) =>
      Array.from({ length: STREAMS_PER_CUSTOMER }, (_, j) => ({
        customer: c,
        stream: openStream(channels[(i + j) % channels.length]!.raw, "watchMyPage", {}, tokens.get(c)!),
      })),
    );
    await waitFor(
      () => streams.every(({ stream }) => stream.messages.length >= 1 || stream.error !== undefined),
      60_000,
      "every stream's first page",
    );
    expect(streams.filter(({ stream }) => stream.error !== undefined).map(({ stream }) => stream.error!.message)).toEqual([]);

    // One stream more for fan-0 is refused while its ten are open.
    const eleventh = openStream(channels[0]!.raw, "watchMyPage", {}, tokens.get("fan-0")!);
    await waitFor(() => eleventh.error !== undefined || eleventh.messages.length > 0, 10_000, "the 11th stream to answer").catch(() => undefined);
    const refusal = eleventh.error;
    const eleventhMessages = eleventh.messages.length;
    eleventh.cancel();
    // Closing one of fan-0's streams frees its place.
    streams[0]!.stream.cancel();
    const replacement = openStream(channels[1]!.raw, "watchMyPage", {}, tokens.get("fan-0")!);
    await waitFor(() => replacement.messages.length >= 1 || replacement.error !== undefined, 10_000, "the replacement stream's first page");
    expect(replacement.error).toBeUndefined();
    streams[0]!.stream = replacement;

    // The measured window: events flow for every customer while the 500 streams are open.
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // the first pages' reads reach the statistics first
    const before = await databaseCounters();
    await Promise.all(
      customers.map(async (c) => {
        await reservation.placeReservation({ musicalId: "crowd", seats: 2, idempotencyKey: `${c}-second` }, tokens.get(c));
        await reservation.cancelReservation({ reservationId: firstIds.get(c) }, tokens.get(c));
      }),
    );
    const expected = await settledStates(2 * CUSTOMERS);
    for (const { customer, stream } of streams) {
      await waitFor(
        () => {
          const latest = latestStates(stream);
          return [...expected.get(customer)!].every(([id, state]) => latest.get(id) === state);
        },
        60_000,
        `${customer}'s streams to show every final state`,
      );
    }
    // Every stream holds only its own customer's reservations, and is still open.
    for (const { customer, stream } of streams) {
      expect([...latestStates(stream).keys()].every((id) => expected.get(customer)!.has(id))).toBe(true);
      expect(stream.error).toBeUndefined();
    }
    let lastFacts = -1;
    await waitFor(
      async () => {
        const { facts } = await databaseCounters();
        const stable = facts === lastFacts;
        lastFacts = facts;
        return stable;
      },
      20_000,
      "facts to stop arriving",
      1_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // PostgreSQL flushes backend statistics at most once a second
    const after = await databaseCounters();

    const seconds = (after.at - before.at) / 1000;
    const changes = after.facts - before.facts;
    const transactions = after.transactions - before.transactions;
    // Per change: what recording it cost with no stream open (the consumer's transaction), plus at most one read by the
    // feed for all of the customer's streams (one per signal; signals only coalesce) and as much again for slack; per
    // re-check period one statement for the process and at most one read per watched customer; plus the background rate
    // measured with no stream open, half again, and the test's own reads. Reading once per stream per change would
    // alone cost 10 per change here (10 streams per customer), polling per stream another 100 a second.
    const perChange = Math.max(1, perUnwatchedChange) + 2;
    const ticks = Math.ceil(seconds / (RECHECK_MS / 1000));
    const bound = perChange * changes + ticks * (1 + CUSTOMERS) + 1.5 * idlePerSecond * seconds + 50;
    console.log(
      `mypage scale: ${streams.length} streams for ${CUSTOMERS} customers; ${changes} changes in ${seconds.toFixed(1)} s; ` +
        `customercenter database: ${transactions} transactions (${(transactions / changes).toFixed(2)} per change; bound ${Math.round(bound)}), ` +
        `${after.scans - before.scans} scans of the mypage tables (${((after.scans - before.scans) / changes).toFixed(2)} per change); ` +
        `with no stream open: ${perUnwatchedChange.toFixed(2)} per change (${unwatchedChanges} changes), idle ${idlePerSecond.toFixed(1)} transactions/s; ${streams.reduce((sum, s) => sum + s.stream.messages.length, 0)} stream messages`,
    );
    expect(changes).toBeGreaterThanOrEqual(CUSTOMERS * 6);
    expect(transactions).toBeLessThanOrEqual(bound);
    expect(refusal?.code, `the 11th stream got ${eleventhMessages} messages instead of a refusal`).toBe(grpc.status.RESOURCE_EXHAUSTED);

    for (const { stream } of streams) stream.cancel();
    for (const channel of channels) channel.close();
    reservation.close();
  }, 300_000);

  it("a customer with more reservations than one page gets every one exactly once, page by page; the stream starts with the first page", async () => {
    const pager = await system.token("pager");
    const reservation = system.client("reservation");
    const customercenter = system.client("customercenter");
    const placed: string[] = [];
    for (let i = 0; i < 25; i++) {
      placed.push(
        (await reservation.placeReservation({ musicalId: "crowd", seats: 1, idempotencyKey: `pager-${i}` }, pager)).reservation.reservationId,
      );
    }
    await waitFor(
      async () =>
        (
          await system.sql<{ n: number }>(
            "customercenter",
            "select count(*)::int as n from mypage_reservations where customer_id = 'pager' and musical_id <> ''",
          )
        )[0]!.n === 25,
      30_000,
      "MyPage to know the 25 reservations",
    );

    // The default page is 20.
    const first = await customercenter.getMyPage({}, pager);
    expect(first.reservations).toHaveLength(20);
    expect(first.nextPageToken).not.toBe("");
    const rest = await customercenter.getMyPage({ pageToken: first.nextPageToken }, pager);
    expect(rest.reservations).toHaveLength(5);
    expect(rest.nextPageToken).toBe("");

    // Pages of 7: 7 + 7 + 7 + 4, every reservation exactly once, newest first.
    const seen: string[] = [];
    const sizes: number[] = [];
    let pageToken = "";
    do {
      const page = await customercenter.getMyPage({ pageSize: 7, pageToken }, pager);
      sizes.push(page.reservations.length);
      seen.push(...page.reservations.map((r) => r.reservationId));
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    expect(sizes).toEqual([7, 7, 7, 4]);
    expect(new Set(seen).size).toBe(25);
    expect([...seen].sort()).toEqual([...placed].sort());
    expect(seen).toEqual([...first.reservations, ...rest.reservations].map((r) => r.reservationId));

    // The stream: the first page of 5 (the token on its last message leads to the older ones), then changes.
    const watch = openStream(customercenter.raw, "watchMyPage", { pageSize: 5 }, pager);
    await waitFor(() => watch.messages.length >= 5 || watch.error !== undefined, 10_000, "the stream's first page");
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(watch.error).toBeUndefined();
    expect(watch.messages.map((m) => m.reservation.reservationId)).toEqual(seen.slice(0, 5));
    expect(watch.messages.slice(0, 4).every((m) => m.nextPageToken === "")).toBe(true);
    const older = await customercenter.getMyPage({ pageToken: watch.messages[4]!.nextPageToken }, pager);
    expect(older.reservations.map((r) => r.reservationId)).toEqual(seen.slice(5));
    // A change to a reservation beyond the first page still reaches the stream.
    const oldest = seen.at(-1)!;
    await reservation.cancelReservation({ reservationId: oldest }, pager);
    await waitFor(
      () => watch.messages.some((m) => m.reservation.reservationId === oldest && m.reservation.paymentState === "PAYMENT_STATE_CANCELLED"),
      30_000,
      "the cancellation of the oldest reservation on the stream",
    );
    // A change whose signal is lost (written here behind the service's back, so nobody announces it) still arrives,
    // through the process's periodic re-check. First let the cancellation's last facts (the notice) land, so no signal follows.
    let lastVersion = "";
    await waitFor(
      async () => {
        const [row] = await system.sql<{ version: string }>("customercenter", "select version from mypage_customers where customer_id = 'pager'");
        const quiet = row!.version === lastVersion;
        lastVersion = row!.version;
        return quiet;
      },
      20_000,
      "pager's MyPage to be quiet",
      1_500,
    );
    const [{ version }] = (await system.sql<{ version: string }>(
      "customercenter",
      "update mypage_customers set version = version + 1 where customer_id = 'pager' returning version",
    )) as [{ version: string }];
    await system.sql("customercenter", "update mypage_reservations set musical_name = 'Renamed quietly', version = $1 where reservation_id = $2", [
      version,
      seen[3],
    ]);
    await waitFor(
      () => watch.messages.some((m) => m.reservation.reservationId === seen[3] && m.reservation.musicalName === "Renamed quietly"),
      3 * RECHECK_MS,
      "the unsignalled change on the stream",
    );
    watch.cancel();

    // The stream's page size is validated like GetMyPage's.
    for (const pageSize of [-1, 101]) {
      const bad = openStream(customercenter.raw, "watchMyPage", { pageSize }, pager);
      await waitFor(() => bad.error !== undefined || bad.messages.length > 0, 10_000, "a bad page size to be answered").catch(() => undefined);
      bad.cancel();
      expect(bad.error?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(decodeURIComponent(bad.error!.details)).toMatch(/^page_size: /);
    }
    await expectStatus(customercenter.getMyPage({ pageSize: 101 }, pager), grpc.status.INVALID_ARGUMENT);
    reservation.close();
    customercenter.close();
  }, 120_000);
});

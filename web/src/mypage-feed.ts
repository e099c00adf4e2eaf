import { ConnectError, Code, type Client } from "@connectrpc/connect";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { CustomerCenterService, MyReservation } from "#gen/outerpark/customercenter/v1/customercenter_pb.js";
import { reconnectDelayMs } from "./attempt.js";

export type MyPageState = ReadonlyMap<string, MyReservation>;

/**
 * Adds one reservation's state unless an equal or newer version is already
 * there: after a reconnect the fresh snapshot may arrive beside updates seen
 * before the drop, and a stale copy must never overwrite a newer one.
 */
export function mergeReservation(state: MyPageState, incoming: MyReservation): MyPageState {
  const known = state.get(incoming.reservationId);
  if (known && known.version >= incoming.version) return state;
  return new Map(state).set(incoming.reservationId, incoming);
}

/** Newest booking first, as WatchMyPage and GetMyPage order them. */
export function newestFirst(state: MyPageState): MyReservation[] {
  const placedAt = (r: MyReservation) => (r.history[0]?.occurredAt ? timestampDate(r.history[0].occurredAt).getTime() : 0);
  return [...state.values()].sort((a, b) => placedAt(b) - placedAt(a) || b.reservationId.localeCompare(a.reservationId));
}

/** "stopped": the sign-in was refused; reconnecting would not help. */
export type FeedStatus = "connecting" | "live" | "reconnecting" | "stopped";

/**
 * Keeps MyPage current: WatchMyPage sends a snapshot (the first page) and then
 * every change. When the stream drops (network, a restarted or draining
 * service) it reconnects with back-off; the new stream's snapshot carries every
 * change missed meanwhile, and older pages are read again with GetMyPage, so
 * nothing is lost. Ends only when `signal` aborts or the sign-in is refused.
 */
export async function followMyPage(
  client: Client<typeof CustomerCenterService>,
  onReservation: (r: MyReservation) => void,
  onStatus: (status: FeedStatus, error?: unknown) => void,
  signal: AbortSignal,
): Promise<void> {
  let failures = 0;
  while (!signal.aborted) {
    onStatus(failures === 0 ? "connecting" : "reconnecting");
    try {
      for await (const message of client.watchMyPage({ pageSize: 100 }, { signal })) {
        failures = 0;
        onStatus("live");
        if (message.reservation) onReservation(message.reservation);
        for (let token = message.nextPageToken; token !== "";) {
          const page = await client.getMyPage({ pageSize: 100, pageToken: token }, { signal });
          page.reservations.forEach(onReservation);
          token = page.nextPageToken;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      const code = ConnectError.from(error).code;
      if (code === Code.Unauthenticated || code === Code.PermissionDenied) {
        onStatus("stopped", error);
        return;
      }
      // A dropped network, a restarting or draining replica, a busy one: all worth another try.
      onStatus("reconnecting", error);
    }
    failures++;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, reconnectDelayMs(failures));
      signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}

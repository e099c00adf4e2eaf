import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter, type ConnectNodeAdapterOptions } from "@connectrpc/connect-node";

/** A bare HTTP/2 Connect server on an ephemeral port, for the kit's own tests (kit/src/*.test.ts). */
export async function startConnectServer(routes: (router: ConnectRouter) => void, options: Omit<ConnectNodeAdapterOptions, "routes"> = {}) {
  const server = http2.createServer(connectNodeAdapter({ ...options, routes }));
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

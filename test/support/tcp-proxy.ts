import net from "node:net";

/**
 * A TCP proxy in front of a real server, so a test can drop the network
 * between a client and it: `cut()` resets every open connection and refuses
 * new ones (what a lost Wi-Fi or a dead NAT entry looks like to the client),
 * `restore()` lets connections through again.
 */
export async function startTcpProxy(target: string): Promise<{ address: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const [host = "127.0.0.1", port = ""] = target.split(":");
  const open = new Set<net.Socket>();
  let refusing = false;
  const server = net.createServer((client) => {
    if (refusing) return void client.resetAndDestroy();
    const upstream = net.connect(Number(port), host);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.on("error", drop);
      socket.on("close", drop);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    cut() {
      refusing = true;
      for (const socket of open) socket.resetAndDestroy();
    },
    restore() {
      refusing = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

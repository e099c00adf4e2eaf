/**
 * The framework's ceiling for GetMusical: a bare connect-node server (h2c, no auth, no database, no interceptors)
 * answering a constant, run as its own process (`node test/bench/bare-server.ts`). Prints `{"port": N}` once listening.
 */
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";

// The same shape the project answers for the benchmark's show.
const musical = {
  musicalId: "bench",
  name: "Benchmark",
  totalSeats: 100_000,
  reservableSeats: 100_000,
  seatPrice: 1000n,
  registeredAt: timestampFromDate(new Date()),
};
const server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(MusicalService, { getMusical: () => ({ musical }) }) }));
server.listen(0, "127.0.0.1", () => process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`));
process.once("SIGTERM", () => process.exit(0));

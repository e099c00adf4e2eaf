import { create } from "@bufbuild/protobuf";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterEach, describe, expect, it, vi } from "vitest";
import { MusicalSchema, MusicalService } from "#gen/outerpark/musical/v1/musical_pb.js";
import { gateRequests } from "./request-limits.js";
import { startConnectServer } from "../../test/support/connect-server.js";

/** Through connect's real handler pipeline over HTTP/2: what a handler's signal says once its call is over. */
describe("gateRequests: the end of a call", () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  async function serve(getMusical: (musicalId: string) => void) {
    const signals: AbortSignal[] = [];
    const server = await startConnectServer(
      (router) =>
        router.service(MusicalService, {
          getMusical(req, ctx) {
            signals.push(ctx.signal);
            getMusical(req.musicalId);
            return { musical: create(MusicalSchema, { musicalId: req.musicalId }) };
          },
        }),
      { requestGate: gateRequests(() => undefined) },
    );
    close = server.close;
    const client = createClient(MusicalService, createGrpcTransport({ baseUrl: `http://${server.address}` }));
    return { signals, client };
  }

  it("aborts every finished call's signal with an AbortError made once, not a new one per call", async () => {
    const { signals, client } = await serve(() => undefined);
    await client.getMusical({ musicalId: "a" });
    await client.getMusical({ musicalId: "b" });
    await vi.waitFor(() => expect(signals.map((s) => s.aborted)).toEqual([true, true]));
    expect(signals[0]!.reason).toBeInstanceOf(DOMException);
    expect((signals[0]!.reason as DOMException).name).toBe("AbortError");
    expect(signals[1]!.reason).toBe(signals[0]!.reason);
  });

  it("a call that fails still ends with its own error", async () => {
    const { signals, client } = await serve((id) => {
      throw new ConnectError(`musical ${id}`, Code.NotFound);
    });
    await expect(client.getMusical({ musicalId: "a" })).rejects.toMatchObject({ code: Code.NotFound });
    await vi.waitFor(() => expect(signals[0]?.aborted).toBe(true));
    expect(signals[0]!.reason).toMatchObject({ code: Code.NotFound });
  });
});

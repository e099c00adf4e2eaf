import { Code, ConnectError, type StreamResponse } from "@connectrpc/connect";

/**
 * The response's messages, passed through; `ended` is called once when the stream ends: with nothing, with its
 * error, or with Canceled when the reader stopped early (the client went away). For interceptors that time a stream.
 */
export async function* untilStreamEnds(res: StreamResponse, ended: (error?: unknown) => void): AsyncIterable<unknown> {
  let error: unknown = new ConnectError("stream abandoned", Code.Canceled);
  try {
    yield* res.message;
    error = undefined;
  } catch (caught) {
    error = caught;
    throw caught;
  } finally {
    ended(error);
  }
}

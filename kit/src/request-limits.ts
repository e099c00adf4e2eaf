import http2 from "node:http2";
import {
  Code,
  ConnectError,
  createContextKey,
  type createHandlerContext,
  type ConnectRouterOptions,
  type HandlerContext,
  type Interceptor,
} from "@connectrpc/connect";
import { compressionBrotli, compressionGzip } from "@connectrpc/connect-node";

/**
 * The largest request message a service reads, after decompression. The
 * largest legitimate request is about 1.5 KB (RegisterMusical: a 200-character
 * name, up to 800 bytes of UTF-8; a listing: a 512-character page token), so
 * 64 KiB leaves room for new fields while a call costs at most 64 KiB of
 * buffer, not the 4 GiB connect-node allows by default.
 */
export const MAX_REQUEST_BYTES = 64 * 1024;

/**
 * What a request may cost before anything checks it. `readMaxBytes` bounds
 * each message as received and, since connect-node passes it to zlib as
 * `maxOutputLength`, as decompressed: a 300 KB gzip body that would inflate to
 * 300 MiB stops at 64 KiB with RESOURCE_EXHAUSTED (a declared Content-Length
 * or gRPC length prefix over the limit is refused before any of it is read).
 * JSON bodies must be valid UTF-8: connect's default decoder silently turns
 * bad bytes into U+FFFD, which would store corrupted text.
 */
export const REQUEST_LIMITS = {
  readMaxBytes: MAX_REQUEST_BYTES,
  acceptCompression: [compressionGzip, compressionBrotli],
  // `textDecoder` is read by connect's JSON serialization, though not part of the option's type.
  jsonOptions: { textDecoder: new TextDecoder("utf-8", { fatal: true }) } as ConnectRouterOptions["jsonOptions"],
} satisfies ConnectRouterOptions;

type RequestGate = (context: HandlerContext) => void | Promise<void>;

const decodedKey = createContextKey(false, { description: "request message decoded" });

/** The reason a call's signal carries once the call is over: what `AbortController.abort()` would build each time. */
const CALL_ENDED = new DOMException("This operation was aborted", "AbortError");

/** What connect's handlers are given at run time: `createHandlerContext`'s controller, not only the `HandlerContext` a gate is typed with. */
type AbortableContext = ReturnType<typeof createHandlerContext>;

/**
 * Connect ends every call by aborting its context twice with no reason, and Node builds a new DOMException, stack
 * and all, for each (about 10 µs, some 5 % of a GetMusical). Given one reason made once, the signal says the same.
 * Without the member (a future connect), nothing changes.
 */
function endWithoutNewReasons(context: AbortableContext): void {
  const abort = context.abort;
  if (typeof abort !== "function") return;
  context.abort = (reason: unknown = CALL_ENDED) => abort.call(context, reason);
}

/**
 * Connect's request gate for every call: it runs on the headers, before any
 * byte of the body is read, decompressed or parsed (so `authenticate` rejects
 * a hostile unauthenticated body for free), and arms the mapping of decoding
 * failures to INVALID_ARGUMENT (see `decodedRequests`).
 */
export function gateRequests(authenticate: RequestGate): RequestGate {
  return async (context) => {
    endWithoutNewReasons(context as AbortableContext);
    // connect-node answers a body it cannot decode (malformed protobuf, invalid UTF-8, a compressed
    // message without an encoding, a corrupt gzip stream) with INTERNAL, which the edge counts as a
    // 5xx against a healthy pod. For a unary call that happens before any interceptor runs; the only
    // hook left is the call's abort, which Connect signals with the error just before writing it.
    context.signal.addEventListener(
      "abort",
      () => {
        if (!context.values.get(decodedKey)) blameTheRequest(context.signal.reason);
      },
      { once: true },
    );
    await authenticate(context);
  };
}

/**
 * The first interceptor: past this point an error is the service's, not the
 * request's. A unary request is decoded before interceptors run; a stream's
 * messages are decoded as the handler reads them, so read failures are
 * reclassified here.
 */
export function decodedRequests(): Interceptor {
  return (next) => async (req) => {
    req.contextValues.set(decodedKey, true);
    if (!req.stream) return next(req);
    const messages = req.message;
    return next({
      ...req,
      message: (async function* () {
        try {
          yield* messages;
        } catch (error) {
          blameTheRequest(error);
          throw error;
        }
      })(),
    });
  };
}

/**
 * Turns connect's INTERNAL for a request that could not be decoded into
 * INVALID_ARGUMENT, in place: Connect writes the very object it aborted with.
 * (An unknown compression is already UNIMPLEMENTED, framing errors already
 * INVALID_ARGUMENT, an oversized message RESOURCE_EXHAUSTED.)
 */
function blameTheRequest(error: unknown): void {
  if (!(error instanceof ConnectError) || error.code !== Code.Internal) return;
  const rawMessage = `request could not be decoded: ${error.rawMessage}`;
  Object.assign(error, { code: Code.InvalidArgument, rawMessage, message: `[invalid_argument] ${rawMessage}` });
}

/**
 * Closes an HTTP/2 stream once its answer is out if the client is still
 * sending: an answer that refused the body (too large, undecodable) would
 * otherwise leave the stream open, holding a flow-control window of unread
 * bytes for as long as the client likes. RST_STREAM NO_ERROR after a complete
 * response is how HTTP/2 says "stop sending" (RFC 9113 §8.1). Node's
 * compatibility layer sends every response with trailers, so `wantTrailers`
 * marks the end; the reset queues behind the trailers.
 */
export function closeUnreadUploads(handler: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void) {
  return (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void => {
    const stream = req.stream;
    stream.once("wantTrailers", () =>
      setImmediate(() => {
        if (!stream.closed && stream.state.remoteClose === 0) stream.close(http2.constants.NGHTTP2_NO_ERROR);
      }),
    );
    handler(req, res);
  };
}

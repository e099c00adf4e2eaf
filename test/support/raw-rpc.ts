import { readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import http2 from "node:http2";
import { createBrotliCompress, createGzip, constants as zlib } from "node:zlib";

/**
 * Hand-made requests for what no well-behaved client sends: broken framing,
 * malformed protobuf, decompression bombs. Each answer is read as the wire
 * carries it (HTTP status, gRPC status and message, Connect error JSON).
 */

export interface RawAnswer {
  httpStatus: number;
  /** grpc-status from the trailers (or headers, for a trailers-only answer); undefined for Connect. */
  grpcStatus?: number;
  grpcMessage?: string;
  /** The Connect error code ("invalid_argument", ...) of a unary Connect error answer. */
  connectCode?: string;
  connectMessage?: string;
}

/** A gRPC length-prefixed message: flags byte, big-endian length, payload. */
export function envelope(payload: Uint8Array, options: { compressed?: boolean; declaredLength?: number } = {}): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt8(options.compressed ? 1 : 0, 0);
  head.writeUInt32BE(options.declaredLength ?? payload.byteLength, 1);
  return Buffer.concat([head, payload]);
}

/** Protobuf wire encoding by hand, so a test can build exactly the bytes it means (valid or not). */
export const wire = {
  varint(value: number): Buffer {
    const bytes: number[] = [];
    while (value > 0x7f) {
      bytes.push((value & 0x7f) | 0x80);
      value = Math.floor(value / 128);
    }
    bytes.push(value);
    return Buffer.from(bytes);
  },
  /** A length-delimited field (string, bytes, message) with the given raw content. */
  bytesField(field: number, content: Uint8Array): Buffer {
    return Buffer.concat([wire.varint((field << 3) | 2), wire.varint(content.byteLength), content]);
  },
  varintField(field: number, value: number): Buffer {
    return Buffer.concat([wire.varint(field << 3), wire.varint(value)]);
  },
};

/** A compressed run of zeros: a few hundred KB that inflate to `inflatedBytes`, built without holding them in memory. */
export async function zeroBomb(inflatedBytes: number, encoding: "gzip" | "br"): Promise<Buffer> {
  const compressor = encoding === "gzip" ? createGzip({ level: 9 }) : createBrotliCompress({ params: { [zlib.BROTLI_PARAM_QUALITY]: 5 } });
  const chunks: Buffer[] = [];
  compressor.on("data", (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise((resolve, reject) => compressor.once("end", resolve).once("error", reject));
  const zeros = Buffer.alloc(1 << 20);
  for (let written = 0; written < inflatedBytes; written += zeros.byteLength) {
    if (!compressor.write(zeros.subarray(0, Math.min(zeros.byteLength, inflatedBytes - written)))) {
      await new Promise((resolve) => compressor.once("drain", resolve));
    }
  }
  compressor.end();
  await done;
  return Buffer.concat(chunks);
}

/** One HTTP/2 request with a body; resolves once the stream closed, whatever the server did meanwhile. */
export function http2Request(
  address: string,
  path: string,
  headers: Record<string, string>,
  body: Uint8Array,
): Promise<{ status: number; headers: http2.IncomingHttpHeaders; trailers: http2.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${address}`);
    session.on("error", () => undefined); // a reset after the answer is not a failure of the answer
    const stream = session.request({ ":method": "POST", ":path": path, ...headers });
    let status = 0;
    let responseHeaders: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on("response", (h) => {
      responseHeaders = h;
      status = Number(h[":status"]);
    });
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    // The server may answer (and reset the stream) before it has read the whole body.
    stream.on("error", () => undefined);
    // Once the answer is complete the stream must close, even if the server did not read the whole body.
    let leftOpen: NodeJS.Timeout | undefined;
    stream.on("end", () => {
      leftOpen = setTimeout(() => {
        session.destroy();
        reject(new Error(`the server answered ${path} but left the stream open while the body was still being sent`));
      }, 2_000);
    });
    stream.on("close", () => {
      clearTimeout(leftOpen);
      session.close();
      if (status === 0) reject(new Error(`no answer to ${path} (stream reset code ${stream.rstCode})`));
      else resolve({ status, headers: responseHeaders, trailers, body: Buffer.concat(chunks) });
    });
    stream.end(body);
  });
}

/** A gRPC call over HTTP/2 with the given body bytes (already framed, or deliberately not). */
export async function rawGrpc(address: string, path: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<RawAnswer> {
  const answer = await http2Request(address, path, { "content-type": "application/grpc", te: "trailers", ...headers }, body);
  const status = answer.trailers["grpc-status"] ?? answer.headers["grpc-status"];
  const message = answer.trailers["grpc-message"] ?? answer.headers["grpc-message"];
  return {
    httpStatus: answer.status,
    grpcStatus: status === undefined ? undefined : Number(status),
    grpcMessage: message === undefined ? undefined : decodeURIComponent(String(message)),
  };
}

/** A unary Connect call (application/proto unless headers say otherwise), over HTTP/1.1 like curl or a browser, or over HTTP/2. */
export async function rawConnect(
  address: string,
  path: string,
  body: Uint8Array,
  headers: Record<string, string> = {},
  transport: "http1" | "http2" = "http1",
): Promise<RawAnswer> {
  const all = { "content-type": "application/proto", "connect-protocol-version": "1", ...headers };
  const { status, text } =
    transport === "http2"
      ? await http2Request(address, path, all, body).then((a) => ({ status: a.status, text: a.body.toString("utf8") }))
      : await http1Request(address, path, all, body);
  const answer: RawAnswer = { httpStatus: status };
  if (status !== 200) {
    const error = JSON.parse(text) as { code?: string; message?: string };
    answer.connectCode = error.code;
    answer.connectMessage = error.message;
  }
  return answer;
}

/**
 * POST over HTTP/1.1 the way curl sends a large body: headers first, the body
 * only if no answer came within a second. A server that refuses from the
 * headers answers at once and closes the connection (Connection: close)
 * without reading the body; bytes sent into that close would reset the
 * connection and could lose the answer.
 */
function http1Request(address: string, path: string, headers: Record<string, string>, body: Uint8Array): Promise<{ status: number; text: string }> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const request = http.request({
      host,
      port: Number(port),
      path,
      method: "POST",
      headers: { ...headers, "content-length": String(body.byteLength) },
      agent: false,
    });
    let answered = false;
    request.on("response", (response) => {
      answered = true;
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("error", reject);
    request.flushHeaders();
    const upload = setTimeout(() => (answered ? undefined : request.end(body)), 1_000);
    request.once("close", () => clearTimeout(upload));
  });
}

/** Peak resident memory (VmHWM) of a process, and a reset of that peak to the current size (Linux /proc). */
export const memory = {
  peakMiB(pid: number): number {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    if (!match) throw new Error(`no VmHWM for process ${pid}`);
    return Math.round(Number(match[1]) / 1024);
  },
  resetPeak(pid: number): void {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
  },
};

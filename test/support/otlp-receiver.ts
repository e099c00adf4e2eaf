import http from "node:http";
import net from "node:net";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import protobuf from "protobufjs";

/**
 * A test OTLP/HTTP trace endpoint: POST /v1/traces with an ExportTraceServiceRequest in protobuf, decoded with
 * the upstream opentelemetry-proto definitions (v1.11.0, vendored under otlp-proto/). A body that is not a valid
 * request is answered 400 and kept in `rejected`, so a test sees it rather than losing spans silently.
 */
const protoDir = path.join(import.meta.dirname, "otlp-proto");
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => path.join(protoDir, target);
root.loadSync("opentelemetry/proto/collector/trace/v1/trace_service.proto", { keepCase: false });
const ExportTraceServiceRequest = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest");
const ExportTraceServiceResponse = root.lookupType("opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse");

/** OTLP's Span.SpanKind numbers. */
export const SPAN_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
  /** The resource's service.name. */
  service: string;
  /** OTLP Status.code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
}

interface KeyValue {
  key: string;
  value?: { stringValue?: string; intValue?: string; boolValue?: boolean; doubleValue?: number };
}

function attributesOf(list: KeyValue[] | undefined): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of list ?? []) {
    if (!value) continue;
    if (value.stringValue !== undefined) out[key] = value.stringValue;
    else if (value.intValue !== undefined) out[key] = Number(value.intValue);
    else if (value.boolValue !== undefined) out[key] = value.boolValue;
    else if (value.doubleValue !== undefined) out[key] = value.doubleValue;
  }
  return out;
}

const hex = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString("hex");

/** Decodes one export request into its spans; throws on anything that is not a well-formed ExportTraceServiceRequest. */
export function decodeExport(body: Uint8Array): ReceivedSpan[] {
  const message = ExportTraceServiceRequest.decode(body);
  const problem = ExportTraceServiceRequest.verify(message);
  if (problem) throw new Error(`invalid ExportTraceServiceRequest: ${problem}`);
  const request = ExportTraceServiceRequest.toObject(message, { longs: String, defaults: false, arrays: true }) as {
    resourceSpans: { resource?: { attributes?: KeyValue[] }; scopeSpans?: { spans?: Record<string, any>[] }[] }[];
  };
  const spans: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans) {
    const service = String(attributesOf(resourceSpans.resource?.attributes)["service.name"] ?? "");
    for (const scope of resourceSpans.scopeSpans ?? []) {
      for (const span of scope.spans ?? []) {
        const traceId = hex(span.traceId);
        const spanId = hex(span.spanId);
        // Well-formed protobuf is not enough: the ids must have OTLP's sizes.
        if (traceId.length !== 32 || spanId.length !== 16) throw new Error(`span "${span.name}" has malformed ids ${traceId}/${spanId}`);
        spans.push({
          traceId,
          spanId,
          parentSpanId: hex(span.parentSpanId),
          name: String(span.name ?? ""),
          kind: Number(span.kind ?? 0),
          attributes: attributesOf(span.attributes),
          service,
          statusCode: Number(span.status?.code ?? 0),
        });
      }
    }
  }
  return spans;
}

export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Every POST, accepted or not. */
  requests = 0;
  /** Bytes of the bodies received (as sent, before any gunzip). */
  bytes = 0;
  readonly rejected: string[] = [];
  readonly #server: http.Server;
  port = 0;

  /** `decode: false` makes a sink that only counts (the bench: decoding would load the machine it measures). */
  private constructor(decode: boolean) {
    this.#server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        this.requests++;
        this.bytes += chunks.reduce((sum, chunk) => sum + chunk.length, 0);
        if (req.method !== "POST" || req.url !== "/v1/traces") {
          this.rejected.push(`${req.method} ${req.url}`);
          res.writeHead(404).end();
          return;
        }
        try {
          if (!String(req.headers["content-type"]).startsWith("application/x-protobuf"))
            throw new Error(`content-type ${req.headers["content-type"]}`);
          const raw = Buffer.concat(chunks);
          if (decode) this.spans.push(...decodeExport(req.headers["content-encoding"] === "gzip" ? gunzipSync(raw) : raw));
          res.writeHead(200, { "content-type": "application/x-protobuf" }).end(ExportTraceServiceResponse.encode({}).finish());
        } catch (error) {
          this.rejected.push(String(error));
          res.writeHead(400, { "content-type": "text/plain" }).end(String(error));
        }
      });
    });
  }

  static async start(options: { decode?: boolean } = {}): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver(options.decode ?? true);
    await new Promise<void>((resolve, reject) => {
      receiver.#server.once("error", reject);
      receiver.#server.listen(0, "127.0.0.1", () => resolve());
    });
    receiver.port = (receiver.#server.address() as net.AddressInfo).port;
    return receiver;
  }

  /** What OTEL_EXPORTER_OTLP_ENDPOINT is set to; the exporter appends /v1/traces. */
  get endpoint(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  trace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

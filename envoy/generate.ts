// The one source of truth for the OuterPark edge. It renders two Envoy v3
// bootstrap files from the same definition:
//   envoy/envoy.yaml                              local: upstreams on 127.0.0.1:808x
//   deploy/helm/outerpark/files/envoy.yaml        Kubernetes: headless Services by DNS
// The Helm file carries placeholders (see HELM_PLACEHOLDERS) that the chart's
// ConfigMap template replaces; nothing else differs by hand.
//
//   node envoy/generate.ts          write both files
//   node envoy/generate.ts --check  exit 1 when a committed file is stale
//
// Kept to one file with package-only imports so Node 24 runs it directly
// (type stripping) and tests import it without a build step.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";

// ---------------------------------------------------------------------------
// Definition
// ---------------------------------------------------------------------------

/** How the edge treats one RPC. */
export type MethodPolicy =
  /** Safe to retry: retried on UNAVAILABLE / reset / refused stream. */
  | "idempotent"
  /** Long-lived server stream: no route timeout, no idle cut-off. */
  | "idempotent-stream"
  /** Never retried by the edge (none today; kept for new methods). */
  | "unsafe"
  /** Service-to-service only: the edge answers 403 (gRPC PERMISSION_DENIED). */
  | "internal";

export interface EdgeService {
  /** Short name: cluster name, process argument, Helm key. */
  name: string;
  /** gRPC service, fully qualified. */
  grpcService: string;
  port: number;
  /** Every RPC of the service (a test checks this against proto/). */
  methods: Record<string, MethodPolicy>;
  /** Concurrent requests one Envoy sends to the whole cluster. */
  maxRequests: number;
}

export const services: readonly EdgeService[] = [
  {
    name: "musical",
    grpcService: "outerpark.musical.v1.MusicalService",
    port: 8081,
    methods: {
      RegisterMusical: "idempotent", // idempotent by musical id
      GetMusical: "idempotent",
      ListMusicals: "idempotent",
      ReserveSeats: "internal", // reservation -> musical only
      ReleaseSeats: "internal",
    },
    // ~4,000 tx/s was the measured Postgres ceiling on one hot row; at a
    // tolerable 250 ms queueing that is ~1,000 requests in flight. Past it
    // requests only queue inside the database, so shedding early is kinder.
    maxRequests: 1024,
  },
  {
    name: "reservation",
    grpcService: "outerpark.reservation.v1.ReservationService",
    port: 8082,
    methods: {
      PlaceReservation: "idempotent", // carries an idempotency key
      CancelReservation: "idempotent",
      GetReservation: "idempotent",
      ListReservations: "idempotent",
    },
    maxRequests: 1024, // same database-bound reasoning as musical
  },
  {
    name: "payment",
    grpcService: "outerpark.payment.v1.PaymentService",
    port: 8083,
    methods: { GetPayment: "idempotent", ListPayments: "idempotent" },
    // Reads only at the edge; payments themselves are driven by events.
    maxRequests: 512,
  },
  {
    name: "notice",
    grpcService: "outerpark.notice.v1.NoticeService",
    port: 8084,
    methods: { ListNotifications: "idempotent" },
    maxRequests: 512, // reads only
  },
  {
    name: "customercenter",
    grpcService: "outerpark.customercenter.v1.CustomerCenterService",
    port: 8085,
    methods: { GetMyPage: "idempotent", WatchMyPage: "idempotent-stream" },
    // Each open WatchMyPage stream holds one request slot for its whole life,
    // so the cap is set by idle streams (cheap HTTP/2 streams), not by load.
    maxRequests: 10000,
  },
];

/**
 * HS256 secret the local envoy.yaml trusts: the services' own development
 * default (kit/src/config.ts DEV_JWT_SECRET; a test keeps the two equal).
 */
export const LOCAL_JWT_SECRET = "outerpark-local-development-secret-do-not-deploy";

/** Where the chart's init container writes the JWKS derived from the JWT Secret. */
export const HELM_JWKS_PATH = "/etc/envoy/jwks/jwks.json";

/** Strings the chart's ConfigMap template replaces in files/envoy.yaml. */
export const HELM_PLACEHOLDERS = {
  /** The chart's fullname; upstream hosts are "<fullname>-<service>-headless". */
  fullname: "__FULLNAME__",
  /** A JSON-quoted RE2 regex of allowed browser origins (values edge.cors.allowOriginRegex). */
  corsOriginRegex: "__CORS_ORIGIN_REGEX__",
} as const;

export const EDGE_PORT = 8080;
export const ADMIN_PORT = 9901;

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

export type Target = "local" | "helm";

const type = (name: string) => `type.googleapis.com/${name}`;

const socket = (address: string, port: number) => ({
  socket_address: { address, port_value: port },
});

/**
 * Retry policy for idempotent methods. `perTry` bounds one attempt of a unary
 * call (undefined for streams: one try lasts the whole stream).
 */
function retryPolicy(perTry: string | undefined) {
  return {
    // UNAVAILABLE is what a draining or overloaded server answers; the other
    // three mean the request never reached the handler. DEADLINE_EXCEEDED is
    // left out: the caller's deadline is spent, retrying cannot help.
    retry_on: "unavailable,connect-failure,refused-stream,reset",
    num_retries: 2, // three tries in all; more only amplifies an outage
    ...(perTry ? { per_try_timeout: perTry } : {}),
    retry_back_off: {
      base_interval: "0.025s", // jittered; about one pod restart's first beat
      max_interval: "0.25s",
    },
    // Try another pod: the one that failed is likely still failing.
    retry_host_predicate: [
      {
        name: "envoy.retry_host_predicates.previous_hosts",
        typed_config: {
          "@type": type("envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"),
        },
      },
    ],
    host_selection_retry_max_attempts: 3, // a few picks to find a pod not tried yet
  };
}

function methodRoute(svc: EdgeService, method: string, policy: MethodPolicy) {
  const path = `/${svc.grpcService}/${method}`;
  if (policy === "internal") {
    // gRPC maps HTTP 403 to PERMISSION_DENIED; never forwarded.
    return {
      name: `${svc.name}.${method}.internal`,
      match: { path },
      direct_response: { status: 403 },
    };
  }
  if (policy === "idempotent-stream") {
    return {
      name: `${svc.name}.${method}`,
      match: { path },
      route: {
        cluster: svc.name,
        timeout: "0s", // a server stream lives as long as the client watches
        // No idle cut-off: the stream may be quiet for hours between updates.
        // Dead peers are found by HTTP/2 keepalive pings on both sides instead.
        idle_timeout: "0s",
        retry_policy: retryPolicy(undefined),
      },
    };
  }
  // Writes do a database transaction and maybe a call to musical (PlaceReservation).
  const write = /^(Place|Cancel|Register)/.test(method);
  // Reads are a few indexed queries: 5 s in all, 2 s a try (two retries fit).
  // Writes are a transaction plus maybe a call to musical: 10 s, 4 s a try,
  // so a slow but healthy write is not cut and sent again too eagerly.
  const timeout = write ? "10s" : "5s";
  const perTry = write ? "4s" : "2s";
  return {
    name: `${svc.name}.${method}`,
    match: { path },
    route: {
      cluster: svc.name,
      timeout,
      // Honour a shorter grpc-timeout from the caller, never a longer one.
      max_stream_duration: { grpc_timeout_header_max: timeout },
      ...(policy === "idempotent" ? { retry_policy: retryPolicy(perTry) } : {}),
    },
  };
}

function serviceRoutes(svc: EdgeService) {
  return [
    ...Object.entries(svc.methods).map(([m, p]) => methodRoute(svc, m, p)),
    {
      // Methods added later land here: routed, but never retried.
      name: `${svc.name}.other`,
      match: { prefix: `/${svc.grpcService.replace(/\.[^.]+$/, ".")}` },
      route: {
        cluster: svc.name,
        // Unknown cost: the longest unary budget, and a little more. A new
        // method that needs other limits gets its own entry in `methods`.
        timeout: "15s",
        max_stream_duration: { grpc_timeout_header_max: "15s" },
      },
    },
  ];
}

/** Health and reflection of one service, chosen by the x-outerpark-service header. */
function introspectionRoutes(svc: EdgeService) {
  const header = { name: "x-outerpark-service", string_match: { exact: svc.name } };
  return ["/grpc.health.v1.", "/grpc.reflection."].map((prefix) => ({
    name: `${svc.name}.${prefix.split(".")[1]}`,
    match: { prefix, headers: [header] },
    route: { cluster: svc.name, timeout: "5s" }, // Check and reflection answer from memory
  }));
}

function corsPolicy(target: Target) {
  const regex =
    target === "local"
      ? "https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?"
      : HELM_PLACEHOLDERS.corsOriginRegex;
  return {
    "@type": type("envoy.extensions.filters.http.cors.v3.CorsPolicy"),
    allow_origin_string_match: [{ safe_regex: { regex } }],
    allow_methods: "GET, POST, OPTIONS",
    allow_headers: [
      "authorization",
      "content-type",
      "x-grpc-web",
      "x-user-agent",
      "grpc-timeout",
      "connect-protocol-version",
      "connect-timeout-ms",
      "x-outerpark-service",
    ].join(","),
    expose_headers: "grpc-status,grpc-message,grpc-status-details-bin",
    max_age: "600", // browsers cap this anyway; saves a preflight per call
  };
}

function jwks(target: Target) {
  if (target === "helm") return { filename: HELM_JWKS_PATH };
  const k = Buffer.from(LOCAL_JWT_SECRET).toString("base64url");
  return { inline_string: JSON.stringify({ keys: [{ kty: "oct", alg: "HS256", k }] }) };
}

function jwtAuthn(target: Target) {
  return {
    "@type": type("envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication"),
    providers: {
      outerpark: {
        issuer: "outerpark",
        audiences: ["outerpark"],
        local_jwks: jwks(target),
        // Services verify the token again (defence in depth), so pass it on.
        forward: true,
      },
    },
    rules: [
      // No requirement = no verification. CORS preflights carry no token.
      { match: { prefix: "/", headers: [{ name: ":method", string_match: { exact: "OPTIONS" } }] } },
      { match: { prefix: "/grpc.health.v1." } },
      { match: { prefix: "/grpc.reflection." } },
      { match: { prefix: "/" }, requires: { provider_name: "outerpark" } },
    ],
  };
}

function httpConnectionManager(target: Target) {
  return {
    "@type": type(
      "envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
    ),
    stat_prefix: "edge",
    codec_type: "AUTO", // HTTP/2 (gRPC) and HTTP/1.1 (gRPC-Web, Connect) on one port
    use_remote_address: true,
    normalize_path: true,
    merge_slashes: true,
    // "/pkg.Svc%2FMethod" must not slip past the exact-path 403 routes.
    path_with_escaped_slashes_action: "REJECT_REQUEST",
    // Five minutes without a frame ends a stream (Envoy's default, stated);
    // WatchMyPage lifts it on its own route.
    stream_idle_timeout: "300s",
    common_http_protocol_options: {
      idle_timeout: "3600s", // an idle client connection is closed after an hour
      headers_with_underscores_action: "REJECT_REQUEST",
    },
    http2_protocol_options: {
      max_concurrent_streams: 100, // per client connection; browsers open few
      initial_stream_window_size: 65536, // 64 KiB: bounds memory per stream
      initial_connection_window_size: 1048576, // 1 MiB per connection
      // Finds clients that vanished while a WatchMyPage stream is quiet.
      connection_keepalive: { interval: "30s", timeout: "10s" },
    },
    access_log: [
      {
        name: "envoy.access_loggers.stdout",
        typed_config: {
          "@type": type("envoy.extensions.access_loggers.stream.v3.StdoutAccessLog"),
        },
      },
    ],
    route_config: {
      name: "edge",
      virtual_hosts: [
        {
          name: "outerpark",
          domains: ["*"],
          routes: [...services.flatMap(serviceRoutes), ...services.flatMap(introspectionRoutes)],
          typed_per_filter_config: { "envoy.filters.http.cors": corsPolicy(target) },
        },
      ],
    },
    http_filters: [
      {
        // Answers /healthz itself (Kubernetes probes), 503 while draining.
        name: "envoy.filters.http.health_check",
        typed_config: {
          "@type": type("envoy.extensions.filters.http.health_check.v3.HealthCheck"),
          pass_through_mode: false,
          headers: [{ name: ":path", string_match: { exact: "/healthz" } }],
        },
      },
      {
        name: "envoy.filters.http.grpc_web",
        typed_config: { "@type": type("envoy.extensions.filters.http.grpc_web.v3.GrpcWeb") },
      },
      {
        name: "envoy.filters.http.cors",
        typed_config: { "@type": type("envoy.extensions.filters.http.cors.v3.Cors") },
      },
      { name: "envoy.filters.http.jwt_authn", typed_config: jwtAuthn(target) },
      {
        name: "envoy.filters.http.router",
        typed_config: { "@type": type("envoy.extensions.filters.http.router.v3.Router") },
      },
    ],
  };
}

function upstreamAddress(target: Target, svc: EdgeService) {
  return target === "local" ? "127.0.0.1" : `${HELM_PLACEHOLDERS.fullname}-${svc.name}-headless`;
}

function cluster(target: Target, svc: EdgeService) {
  return {
    name: svc.name,
    // Kubernetes: a headless Service, so DNS returns every ready pod and Envoy
    // balances, health-checks and ejects per pod (a ClusterIP would pin one
    // HTTP/2 connection to one pod).
    type: target === "local" ? "STATIC" : "STRICT_DNS",
    ...(target === "helm"
      ? {
          dns_lookup_family: "V4_PREFERRED",
          dns_refresh_rate: "5s", // new pods join within seconds of turning ready
          respect_dns_ttl: true,
        }
      : {}),
    connect_timeout: "1s", // in-cluster connects take ms; 1 s rides out one lost SYN
    lb_policy: "LEAST_REQUEST", // unequal costs (saga writes vs reads) favour P2C least-request
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": type("envoy.extensions.upstreams.http.v3.HttpProtocolOptions"),
        explicit_http_config: {
          http2_protocol_options: {
            // Node's HTTP/2 server allows many streams; past 1,000 on one
            // connection Envoy opens another, spreading head-of-line risk.
            max_concurrent_streams: 1000,
            // Keeps quiet WatchMyPage streams' connections alive and detects dead pods.
            connection_keepalive: { interval: "30s", timeout: "5s" },
          },
        },
      },
    },
    load_assignment: {
      cluster_name: svc.name,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socket(upstreamAddress(target, svc), svc.port) } }] }],
    },
    health_checks: [
      {
        timeout: "1s", // a Check is a map lookup; a second means the process is stuck
        interval: "5s", // a broken pod leaves rotation within ~10 s (2 misses)
        interval_jitter: "1s", // spread checks from many Envoys
        unhealthy_threshold: 2, // one miss may be a GC pause
        healthy_threshold: 1, // readiness already waits for DB and NATS
        // Empty service name = the server's readiness (DB and NATS reachable).
        grpc_health_check: { service_name: "" },
      },
    ],
    outlier_detection: {
      // gRPC statuses count as HTTP codes here: UNAVAILABLE/DEADLINE_EXCEEDED
      // are gateway failures (503/504), INTERNAL/UNKNOWN are 5xx.
      consecutive_5xx: 5, // five straight errors is a broken pod, not bad luck
      consecutive_gateway_failure: 3, // unreachable/overloaded shows sooner
      enforcing_consecutive_5xx: 100,
      enforcing_consecutive_gateway_failure: 100,
      interval: "10s", // sweep cadence for the ratio-based detectors
      base_ejection_time: "30s", // long enough for a restart; doubles per repeat
      max_ejection_time: "300s", // a flapping pod is back at least every 5 min
      // Never eject more than half: a shared cause (the database, a payment
      // gateway outage surfacing as UNAVAILABLE) must not empty the cluster.
      max_ejection_percent: 50,
    },
    circuit_breakers: {
      thresholds: [
        {
          priority: "DEFAULT",
          // HTTP/2 multiplexes: a handful of connections per pod suffice.
          max_connections: 64,
          // Requests waiting for a connection or stream; a short queue so
          // callers see RESOURCE_EXHAUSTED (503) instead of latency.
          max_pending_requests: 128,
          max_requests: svc.maxRequests,
          // Retries may add at most 20% on top of live requests, so an
          // outage is never amplified more than 1.2x; at least 8 at low load.
          retry_budget: { budget_percent: { value: 20 }, min_retry_concurrency: 8 },
          track_remaining: true, // exposes remaining capacity as stats
        },
      ],
    },
  };
}

/** The Envoy v3 Bootstrap for one target, as a plain object. */
export function renderBootstrap(target: Target) {
  return {
    node: { id: "outerpark-edge", cluster: "outerpark-edge" },
    admin: {
      // Loopback only, in Kubernetes too: reach it with kubectl port-forward.
      address: socket("127.0.0.1", ADMIN_PORT),
    },
    static_resources: {
      listeners: [
        {
          name: "edge",
          address: socket("0.0.0.0", EDGE_PORT),
          per_connection_buffer_limit_bytes: 1048576, // 1 MiB: caps memory per client
          filter_chains: [
            {
              filters: [
                {
                  name: "envoy.filters.network.http_connection_manager",
                  typed_config: httpConnectionManager(target),
                },
              ],
            },
          ],
        },
      ],
      clusters: services.map((svc) => cluster(target, svc)),
    },
  };
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const outputs: Record<Target, string> = {
  local: join(root, "envoy/envoy.yaml"),
  helm: join(root, "deploy/helm/outerpark/files/envoy.yaml"),
};

const headers: Record<Target, string> = {
  local: "Local edge: services on 127.0.0.1:8081-8085. Run: envoy -c envoy/envoy.yaml",
  helm: `Kubernetes edge, shipped by the chart's ConfigMap after it replaces ${Object.values(HELM_PLACEHOLDERS).join(" and ")}.`,
};

/** The file's full text for one target. */
export function renderYaml(target: Target): string {
  return (
    `# GENERATED by envoy/generate.ts - do not edit; run: node envoy/generate.ts\n` +
    `# ${headers[target]}\n` +
    stringify(renderBootstrap(target), { lineWidth: 0 })
  );
}

function main(argv: string[]) {
  const check = argv.includes("--check");
  let stale = 0;
  for (const target of Object.keys(outputs) as Target[]) {
    const text = renderYaml(target);
    const file = outputs[target];
    if (check) {
      let current = "";
      try {
        current = readFileSync(file, "utf8");
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`stale: ${file} (run: node envoy/generate.ts)`);
        stale++;
      }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
  if (stale) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));

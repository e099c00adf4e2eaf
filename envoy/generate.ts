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
// Kept to one file, importing only packages and the kit's ports, so Node 24
// runs it directly (type stripping: hence the ".ts" import, which tsconfig's
// rewriteRelativeImportExtensions allows) and tests import it without a build step.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Document, isScalar } from "yaml";
import { DEFAULT_PORTS } from "../kit/src/config.ts";
import { writeOrCheck } from "../tools/generated-files.ts";

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
  /** Concurrent requests one Envoy sends to the whole cluster, and why. */
  maxRequests: number;
  maxRequestsWhy: string;
}

const DATABASE_BOUND =
  "~4,000 tx/s measured Postgres ceiling x 250 ms tolerable queueing = ~1,000 in flight; past it requests only queue in the database";

export const services: readonly EdgeService[] = [
  {
    name: "musical",
    grpcService: "outerpark.musical.v1.MusicalService",
    port: DEFAULT_PORTS.musical,
    methods: {
      RegisterMusical: "idempotent", // idempotent by musical id
      GetMusical: "idempotent",
      ListMusicals: "idempotent",
      ReserveSeats: "internal", // reservation -> musical only
      ReleaseSeats: "internal",
    },
    maxRequests: 1024,
    maxRequestsWhy: DATABASE_BOUND,
  },
  {
    name: "reservation",
    grpcService: "outerpark.reservation.v1.ReservationService",
    port: DEFAULT_PORTS.reservation,
    methods: {
      PlaceReservation: "idempotent", // carries an idempotency key
      CancelReservation: "idempotent",
      GetReservation: "idempotent",
      ListReservations: "idempotent",
    },
    maxRequests: 1024,
    maxRequestsWhy: DATABASE_BOUND,
  },
  {
    name: "payment",
    grpcService: "outerpark.payment.v1.PaymentService",
    port: DEFAULT_PORTS.payment,
    methods: { GetPayment: "idempotent", ListPayments: "idempotent" },
    maxRequests: 512,
    maxRequestsWhy: "reads only at the edge (payments are driven by events): half the write services' share",
  },
  {
    name: "notice",
    grpcService: "outerpark.notice.v1.NoticeService",
    port: DEFAULT_PORTS.notice,
    methods: { ListNotifications: "idempotent" },
    maxRequests: 512,
    maxRequestsWhy: "one paged read: half the write services' share",
  },
  {
    name: "customercenter",
    grpcService: "outerpark.customercenter.v1.CustomerCenterService",
    port: DEFAULT_PORTS.customercenter,
    methods: { GetMyPage: "idempotent", WatchMyPage: "idempotent-stream" },
    maxRequests: 10000,
    maxRequestsWhy: "each open WatchMyPage stream holds a slot for its whole life; idle HTTP/2 streams are cheap",
  },
];

/** Catalog reads anyone may call without a token (the services allow them too); a token, when sent, is still checked. */
export const PUBLIC_METHODS = ["/outerpark.musical.v1.MusicalService/GetMusical", "/outerpark.musical.v1.MusicalService/ListMusicals"];

/**
 * The web app's static server (`outerpark web`, same image) behind the edge,
 * so the app and the APIs share one origin (locally: PORT=8088 outerpark.js
 * web beside envoy/envoy.yaml; `make up` serves the app on its own instead).
 * Its files are public; every other path still needs a token.
 */
export const WEB_APP = {
  name: "web",
  port: 8088,
  publicPaths: ["/", "/index.html", "/config.json"],
  publicPrefixes: ["/assets/"],
} as const;

/**
 * The public keys the local edge trusts: the issuer's, written by `make up`
 * (tools/keys.ts; a test keeps the two paths equal). Relative to the repo root,
 * where `envoy -c envoy/envoy.yaml` runs.
 */
export const LOCAL_JWKS_FILE = ".data/up/keys/edge-jwks.json";

/** Where the chart mounts the edge's JWKS (the issuer's public keys) from its ConfigMap. */
export const HELM_JWKS_PATH = "/etc/envoy/jwks/edge-jwks.json";

/** Strings the chart's ConfigMap template replaces in files/envoy.yaml (and files/envoy-oidc.yaml). */
export const HELM_PLACEHOLDERS = {
  /** The chart's fullname; upstream hosts are "<fullname>-<service>-headless". */
  fullname: "__FULLNAME__",
  /** A JSON-quoted RE2 regex of allowed browser origins (values edge.cors.allowOriginRegex). */
  corsOriginRegex: "__CORS_ORIGIN_REGEX__",
} as const;

/** Further strings in files/envoy-oidc.yaml, replaced from values auth.oidc (JSON-quoted, the port bare). */
export const HELM_OIDC_PLACEHOLDERS = {
  issuer: "__OIDC_ISSUER__",
  audience: "__OIDC_AUDIENCE__",
  jwksUri: "__OIDC_JWKS_URI__",
  jwksHost: "__OIDC_JWKS_HOST__",
  jwksPort: "__OIDC_JWKS_PORT__",
} as const;

/** The jwt_authn provider of the local issuer's tokens (people signed in by make up's dev sign-in, and service tokens). */
export const LOCAL_PROVIDER = "outerpark";
/** The jwt_authn provider of an OpenID Connect provider's access tokens, and the cluster its JWKS is fetched through. */
export const OIDC_PROVIDER = "oidc";
export const OIDC_JWKS_CLUSTER = "oidc_jwks";

/**
 * An OpenID Connect provider the edge trusts beside the local issuer. Envoy does
 * no discovery: it is given the JWKS URI and fetches the keys itself.
 */
export interface EdgeOidc {
  issuer: string;
  audience: string;
  jwksUri: string;
  jwksHost: string;
  jwksPort: number | string;
  /** TLS to the JWKS host (an https URI). */
  tls: boolean;
}

/** The provider's settings from its issuer, audience and JWKS URI. */
export function edgeOidcOf(issuer: string, audience: string, jwksUri: string): EdgeOidc {
  const url = new URL(jwksUri);
  const tls = url.protocol === "https:";
  if (!tls && url.protocol !== "http:") throw new Error(`the JWKS URI must be http(s), got ${jwksUri}`);
  return { issuer, audience, jwksUri, jwksHost: url.hostname, jwksPort: url.port === "" ? (tls ? 443 : 80) : Number(url.port), tls };
}

/** The chart's OIDC flavour: every setting a placeholder; the chart accepts only an https JWKS URI. */
export const HELM_OIDC: EdgeOidc = {
  issuer: HELM_OIDC_PLACEHOLDERS.issuer,
  audience: HELM_OIDC_PLACEHOLDERS.audience,
  jwksUri: HELM_OIDC_PLACEHOLDERS.jwksUri,
  jwksHost: HELM_OIDC_PLACEHOLDERS.jwksHost,
  jwksPort: HELM_OIDC_PLACEHOLDERS.jwksPort,
  tls: true,
};

/** Where Envoy's image (Ubuntu) keeps the public CAs that sign a provider's certificate. */
export const SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";

export const EDGE_PORT = 8080;
export const ADMIN_PORT = 9901;
/** Prometheus scrapes Envoy's stats here: the one admin page the stats listener passes on. */
export const STATS_PORT = 9902;
export const STATS_PATH = "/stats/prometheus";
/** The cluster behind the stats listener: Envoy's own admin interface on loopback. */
export const ADMIN_CLUSTER = "envoy_admin";

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

export type Target = "local" | "helm";

/** A value with the reason it was chosen; the reason becomes a YAML comment. */
class Why {
  value: string | number;
  reason: string;
  constructor(value: string | number, reason: string) {
    this.value = value;
    this.reason = reason;
  }
}
const why = (value: string | number, reason: string) => new Why(value, reason);

const type = (name: string) => `type.googleapis.com/${name}`;

const socket = (address: string, port: number | Why) => ({
  socket_address: { address, port_value: port },
});

/**
 * Retry policy for idempotent methods. `perTry` bounds one attempt of a unary
 * call (undefined for streams: one try lasts the whole stream).
 */
function retryPolicy(perTry: Why | undefined) {
  return {
    // UNAVAILABLE is what a draining or overloaded server answers; the other
    // three mean the request never reached the handler. DEADLINE_EXCEEDED is
    // left out: the caller's deadline is spent, retrying cannot help.
    retry_on: "unavailable,connect-failure,refused-stream,reset",
    num_retries: why(2, "three tries in all; more only amplifies an outage"),
    ...(perTry ? { per_try_timeout: perTry } : {}),
    retry_back_off: {
      base_interval: why("0.025s", "jittered; about one pod restart's first beat"),
      max_interval: why("0.25s", "ten times the base, still well inside the route timeout"),
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
    host_selection_retry_max_attempts: why(3, "a few picks to find a pod not tried yet"),
  };
}

function methodRoute(svc: EdgeService, method: string, policy: MethodPolicy) {
  const path = `/${svc.grpcService}/${method}`;
  if (policy === "internal") {
    return {
      name: `${svc.name}.${method}.internal`,
      match: { path },
      direct_response: { status: why(403, "internal RPC; gRPC maps HTTP 403 to PERMISSION_DENIED") },
    };
  }
  if (policy === "idempotent-stream") {
    return {
      name: `${svc.name}.${method}`,
      match: { path },
      route: {
        cluster: svc.name,
        timeout: why("0s", "none: a server stream lives as long as the client watches"),
        idle_timeout: why("0s", "none: updates may be hours apart; HTTP/2 keepalive finds dead peers"),
        retry_policy: retryPolicy(undefined),
      },
    };
  }
  const write = /^(Place|Cancel|Register)/.test(method);
  const timeout = write ? why("10s", "a transaction plus maybe a call to musical") : why("5s", "a few indexed queries");
  const perTry = write
    ? why("4s", "a slow but healthy write is not cut and sent again too eagerly")
    : why("2s", "two retries still fit in the route timeout");
  return {
    name: `${svc.name}.${method}`,
    match: { path },
    route: {
      cluster: svc.name,
      timeout,
      max_stream_duration: {
        grpc_timeout_header_max: why(timeout.value, "honour a shorter grpc-timeout from the caller, never a longer one"),
      },
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
        timeout: why("15s", "unknown cost: the longest unary budget and a little more"),
        max_stream_duration: { grpc_timeout_header_max: why("15s", "the caller's shorter deadline wins") },
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
    route: { cluster: svc.name, timeout: why("5s", "Check and reflection answer from memory") },
  }));
}

function corsPolicy(target: Target) {
  const regex = target === "local" ? "https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?" : HELM_PLACEHOLDERS.corsOriginRegex;
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
    max_age: why("600", "ten minutes; browsers cap it anyway; saves a preflight per call"),
  };
}

function jwks(target: Target) {
  // Public ES256 keys only: no Envoy pod holds anything that can sign a token.
  return { filename: target === "helm" ? HELM_JWKS_PATH : LOCAL_JWKS_FILE };
}

function jwtAuthn(target: Target, oidc: EdgeOidc | undefined) {
  // Any trusted issuer's token will do; with no OIDC provider, only the local issuer's.
  const trusted = oidc
    ? { requires_any: { requirements: [{ provider_name: LOCAL_PROVIDER }, { provider_name: OIDC_PROVIDER }] } }
    : { provider_name: LOCAL_PROVIDER };
  const trustedOrNone = [{ provider_name: LOCAL_PROVIDER }, ...(oidc ? [{ provider_name: OIDC_PROVIDER }] : []), { allow_missing: {} }];
  return {
    "@type": type("envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication"),
    providers: {
      [LOCAL_PROVIDER]: {
        issuer: "outerpark",
        audiences: ["outerpark"],
        local_jwks: jwks(target),
        // A token without exp would be good forever; the services refuse it too.
        require_expiration: true,
        // Services verify the token again (defence in depth), so pass it on.
        forward: true,
      },
      ...(oidc ? { [OIDC_PROVIDER]: oidcProvider(oidc) } : {}),
    },
    rules: [
      // No requirement = no verification. CORS preflights carry no token.
      { match: { prefix: "/", headers: [{ name: ":method", string_match: { exact: "OPTIONS" } }] } },
      { match: { prefix: "/grpc.health.v1." } },
      { match: { prefix: "/grpc.reflection." } },
      // The catalog: no token needed, but one that is sent must be valid.
      ...PUBLIC_METHODS.map((path) => ({
        match: { path },
        requires: { requires_any: { requirements: trustedOrNone } },
      })),
      // The app's own files: public.
      ...WEB_APP.publicPaths.map((path) => ({ match: { path } })),
      ...WEB_APP.publicPrefixes.map((prefix) => ({ match: { prefix } })),
      { match: { prefix: "/" }, requires: trusted },
    ],
  };
}

/** The OpenID Connect provider's access tokens, checked against its JWKS fetched over HTTP(S). */
function oidcProvider(oidc: EdgeOidc) {
  return {
    issuer: oidc.issuer,
    audiences: [oidc.audience],
    remote_jwks: {
      http_uri: { uri: oidc.jwksUri, cluster: OIDC_JWKS_CLUSTER, timeout: why("5s", "one JWKS document; a provider slower than this is down") },
      cache_duration: why(
        "60s",
        "Envoy does not refetch for an unknown kid: a key the provider signs with at once (Hydra does) is known within a minute; one GET a minute per pod",
      ),
      // Fetched when Envoy starts and again as the cache expires, not on a caller's request path.
      async_fetch: {
        failed_refetch_duration: why("5s", "after a failed fetch, try again soon: until then the provider's tokens are refused"),
      },
      retry_policy: {
        num_retries: why(3, "a provider's brief hiccup does not leave the edge without its keys"),
        retry_back_off: {
          base_interval: why("0.5s", "jittered; gives a restarting provider a moment"),
          max_interval: why("5s", "retries stay short; failed_refetch_duration takes over after them"),
        },
      },
    },
    // The services check the role claim (OIDC_ROLE_CLAIM) and verify the token again.
    require_expiration: true,
    forward: true,
  };
}

/** The provider's JWKS host: logical DNS (one address at a time, as a client would), TLS for https. */
function oidcJwksCluster(oidc: EdgeOidc) {
  return {
    name: OIDC_JWKS_CLUSTER,
    cluster_type: {
      name: DNS_CLUSTER_NAME,
      typed_config: {
        "@type": type(DNS_CLUSTER_TYPE),
        all_addresses_in_single_endpoint: true,
        dns_lookup_family: "V4_PREFERRED",
        dns_refresh_rate: why("60s", "a provider's address rarely changes; TTLs are respected too"),
        respect_dns_ttl: true,
      },
    },
    connect_timeout: why("5s", "the provider may be outside the cluster, across the internet"),
    load_assignment: {
      cluster_name: OIDC_JWKS_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socket(oidc.jwksHost, why(oidc.jwksPort, "the JWKS URI's port")) } }] }],
    },
    ...(oidc.tls
      ? {
          transport_socket: {
            name: "envoy.transport_sockets.tls",
            typed_config: {
              "@type": type("envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"),
              sni: oidc.jwksHost,
              common_tls_context: {
                validation_context: {
                  trusted_ca: { filename: SYSTEM_CA_FILE },
                  // The certificate must name the host we asked for, not merely chain to a public CA.
                  match_typed_subject_alt_names: [{ san_type: "DNS", matcher: { exact: oidc.jwksHost } }],
                },
              },
            },
          },
        }
      : {}),
  };
}

function httpConnectionManager(target: Target, oidc: EdgeOidc | undefined) {
  return {
    "@type": type("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
    stat_prefix: "edge",
    codec_type: "AUTO", // HTTP/2 (gRPC) and HTTP/1.1 (gRPC-Web, Connect) on one port
    use_remote_address: true,
    normalize_path: true,
    merge_slashes: true,
    // "/pkg.Svc%2FMethod" must not slip past the exact-path 403 routes.
    path_with_escaped_slashes_action: "REJECT_REQUEST",
    stream_idle_timeout: why("300s", "Envoy's default, stated: five silent minutes end a stream; WatchMyPage lifts it"),
    common_http_protocol_options: {
      idle_timeout: why("3600s", "an idle client connection is closed after an hour"),
      headers_with_underscores_action: "REJECT_REQUEST",
    },
    http2_protocol_options: {
      max_concurrent_streams: why(100, "per client connection; browsers and apps open few"),
      initial_stream_window_size: why(65536, "64 KiB: bounds buffered memory per stream"),
      initial_connection_window_size: why(1048576, "1 MiB per connection"),
      connection_keepalive: {
        interval: why("30s", "finds clients that vanished while a WatchMyPage stream is quiet"),
        timeout: why("10s", "a ping unanswered this long means the client is gone"),
      },
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
          routes: [...services.flatMap(serviceRoutes), ...services.flatMap(introspectionRoutes), webAppRoute()],
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
      { name: "envoy.filters.http.jwt_authn", typed_config: jwtAuthn(target, oidc) },
      {
        name: "envoy.filters.http.router",
        typed_config: { "@type": type("envoy.extensions.filters.http.router.v3.Router") },
      },
    ],
  };
}

/** Everything that is not an API goes to the web app's static server (last, after every service's routes). */
function webAppRoute() {
  return {
    name: WEB_APP.name,
    match: { prefix: "/" },
    route: { cluster: WEB_APP.name, timeout: why("10s", "static files from memory-cached disk; the bundle is ~400 KB") },
  };
}

/** The static server speaks HTTP/1.1 and answers GET /healthz; it has no gRPC health service. */
function webAppCluster(target: Target) {
  return {
    name: WEB_APP.name,
    ...(target === "local" ? { type: "STATIC" } : { cluster_type: dnsClusterType() }),
    connect_timeout: why("1s", "in-cluster connects take ms; 1 s rides out one lost SYN"),
    lb_policy: "ROUND_ROBIN",
    load_assignment: {
      cluster_name: WEB_APP.name,
      endpoints: [
        {
          lb_endpoints: [
            {
              endpoint: {
                address: socket(
                  target === "local" ? "127.0.0.1" : `${HELM_PLACEHOLDERS.fullname}-${WEB_APP.name}-headless`,
                  why(WEB_APP.port, "outerpark web's PORT"),
                ),
              },
            },
          ],
        },
      ],
    },
    health_checks: [
      {
        timeout: why("1s", "a static answer; a second means the process is stuck"),
        interval: why("5s", "a broken pod leaves rotation within ~10 s (two misses)"),
        interval_jitter: why("1s", "spreads checks from many Envoys"),
        unhealthy_threshold: why(2, "one miss may be a GC pause"),
        healthy_threshold: why(1, "the server is ready once it listens"),
        http_health_check: { path: "/healthz" },
      },
    ],
    outlier_detection: {
      consecutive_5xx: why(5, "five straight errors is a broken pod, not bad luck"),
      consecutive_gateway_failure: why(3, "unreachable shows sooner"),
      interval: why("10s", "sweep cadence of the detectors"),
      base_ejection_time: why("30s", "long enough for a restart; doubles on each repeat"),
      max_ejection_percent: why(50, "never empty the cluster"),
    },
    circuit_breakers: {
      thresholds: [
        {
          priority: "DEFAULT",
          max_connections: why(256, "HTTP/1.1: one request per connection at a time"),
          max_pending_requests: why(256, "a page load fetches a handful of files"),
          max_requests: why(1024, "static files are cheap; bounded like the read services"),
          max_retries: why(3, "the route never retries; a bound all the same"),
          track_remaining: true,
        },
      ],
    },
  };
}

function upstreamAddress(target: Target, svc: EdgeService) {
  return target === "local" ? "127.0.0.1" : `${HELM_PLACEHOLDERS.fullname}-${svc.name}-headless`;
}

/**
 * The DNS cluster extension that replaced STRICT_DNS and Cluster's own DNS fields
 * (deprecated since Envoy 1.33). "envoy.cluster.dns" is the name its factory registers
 * under, the one Envoy's cluster manager looks up.
 */
export const DNS_CLUSTER_NAME = "envoy.cluster.dns";
export const DNS_CLUSTER_TYPE = "envoy.extensions.clusters.dns.v3.DnsCluster";

function dnsClusterType() {
  return {
    name: DNS_CLUSTER_NAME,
    typed_config: {
      "@type": type(DNS_CLUSTER_TYPE),
      // Strict DNS: every address the headless Service returns is its own host.
      all_addresses_in_single_endpoint: false,
      dns_lookup_family: "V4_PREFERRED",
      dns_refresh_rate: why("5s", "new pods join within seconds of turning ready"),
      respect_dns_ttl: true,
    },
  };
}

function cluster(target: Target, svc: EdgeService) {
  return {
    name: svc.name,
    // Kubernetes: a headless Service, so DNS returns every ready pod and Envoy
    // balances, health-checks and ejects per pod (a ClusterIP would pin one
    // HTTP/2 connection to one pod).
    ...(target === "local" ? { type: "STATIC" } : { cluster_type: dnsClusterType() }),
    connect_timeout: why("1s", "in-cluster connects take ms; 1 s rides out one lost SYN"),
    lb_policy: "LEAST_REQUEST", // unequal costs (saga writes vs reads) favour P2C least-request
    typed_extension_protocol_options: {
      "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
        "@type": type("envoy.extensions.upstreams.http.v3.HttpProtocolOptions"),
        explicit_http_config: {
          http2_protocol_options: {
            max_concurrent_streams: why(1000, "past 1,000 streams on one connection Envoy opens another, spreading head-of-line risk"),
            connection_keepalive: {
              interval: why("30s", "keeps quiet WatchMyPage connections alive through idle-killing middleboxes"),
              timeout: why("5s", "a pod that cannot answer a ping in 5 s is gone"),
            },
          },
        },
      },
    },
    load_assignment: {
      cluster_name: svc.name,
      endpoints: [
        {
          lb_endpoints: [{ endpoint: { address: socket(upstreamAddress(target, svc), why(svc.port, `${svc.name}'s PORT`)) } }],
        },
      ],
    },
    health_checks: [
      {
        timeout: why("1s", "a Check is a map lookup; a second means the process is stuck"),
        interval: why("5s", "a broken pod leaves rotation within ~10 s (two misses)"),
        interval_jitter: why("1s", "spreads checks from many Envoys"),
        unhealthy_threshold: why(2, "one miss may be a GC pause"),
        healthy_threshold: why(1, "readiness already waits for the database and NATS"),
        // Empty service name = the server's readiness (DB and NATS reachable).
        grpc_health_check: { service_name: "" },
      },
    ],
    outlier_detection: {
      // gRPC statuses count as HTTP codes here: UNAVAILABLE/DEADLINE_EXCEEDED
      // are gateway failures (503/504), INTERNAL/UNKNOWN are 5xx.
      consecutive_5xx: why(5, "five straight errors is a broken pod, not bad luck"),
      consecutive_gateway_failure: why(3, "unreachable or overloaded shows sooner"),
      enforcing_consecutive_5xx: why(100, "percent: always act on the detection"),
      enforcing_consecutive_gateway_failure: why(100, "percent: always act on the detection"),
      interval: why("10s", "sweep cadence of the detectors"),
      base_ejection_time: why("30s", "long enough for a restart; doubles on each repeat"),
      max_ejection_time: why("300s", "a flapping pod gets another chance at least every 5 min"),
      max_ejection_percent: why(50, "a shared cause (database, payment gateway) must never empty the cluster"),
    },
    circuit_breakers: {
      thresholds: [
        {
          priority: "DEFAULT",
          max_connections: why(64, "HTTP/2 multiplexes: a handful of connections per pod suffice"),
          max_pending_requests: why(128, "a short queue: callers see 503/UNAVAILABLE instead of latency"),
          max_requests: why(svc.maxRequests, svc.maxRequestsWhy),
          retry_budget: {
            budget_percent: { value: why(20, "retries add at most 20%: an outage is never amplified past 1.2x") },
            min_retry_concurrency: why(8, "still retry at low load"),
          },
          track_remaining: true, // exposes remaining capacity as stats
        },
      ],
    },
  };
}

/**
 * A second listener for Prometheus. The admin interface stays on loopback (it can also
 * drain, stop and reconfigure Envoy); this listener passes on GET /stats/prometheus only.
 */
function statsListener() {
  return {
    name: "stats",
    address: socket("0.0.0.0", why(STATS_PORT, "next to the admin port; scraped by Prometheus, never routed by the edge Service")),
    filter_chains: [
      {
        filters: [
          {
            name: "envoy.filters.network.http_connection_manager",
            typed_config: {
              "@type": type("envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"),
              stat_prefix: "stats",
              codec_type: "AUTO",
              normalize_path: true,
              merge_slashes: true,
              route_config: {
                name: "stats",
                virtual_hosts: [
                  {
                    name: "stats",
                    domains: ["*"],
                    routes: [
                      {
                        name: "stats.prometheus",
                        match: { path: STATS_PATH, headers: [{ name: ":method", string_match: { exact: "GET" } }] },
                        route: { cluster: ADMIN_CLUSTER, timeout: why("5s", "a scrape renders every counter; seconds at most") },
                      },
                      {
                        name: "stats.other",
                        match: { prefix: "/" },
                        direct_response: { status: why(404, "nothing else of the admin interface leaves the pod") },
                      },
                    ],
                  },
                ],
              },
              http_filters: [
                {
                  name: "envoy.filters.http.router",
                  typed_config: { "@type": type("envoy.extensions.filters.http.router.v3.Router") },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

function adminCluster() {
  return {
    name: ADMIN_CLUSTER,
    type: "STATIC",
    connect_timeout: why("0.25s", "loopback: it connects at once or not at all"),
    load_assignment: {
      cluster_name: ADMIN_CLUSTER,
      endpoints: [{ lb_endpoints: [{ endpoint: { address: socket("127.0.0.1", why(ADMIN_PORT, "the admin interface, loopback only")) } }] }],
    },
  };
}

/** The Envoy v3 Bootstrap for one target, with reasons attached to numbers. */
function annotatedBootstrap(target: Target, oidc: EdgeOidc | undefined) {
  return {
    node: { id: "outerpark-edge", cluster: "outerpark-edge" },
    admin: {
      // Loopback only, in Kubernetes too: reach it with kubectl port-forward.
      address: socket("127.0.0.1", why(ADMIN_PORT, "Envoy's customary admin port")),
    },
    static_resources: {
      listeners: [
        {
          name: "edge",
          address: socket("0.0.0.0", why(EDGE_PORT, "the one public port: gRPC, gRPC-Web and Connect")),
          per_connection_buffer_limit_bytes: why(1048576, "1 MiB: caps memory per client connection"),
          filter_chains: [
            {
              filters: [
                {
                  name: "envoy.filters.network.http_connection_manager",
                  typed_config: httpConnectionManager(target, oidc),
                },
              ],
            },
          ],
        },
        statsListener(),
      ],
      clusters: [...services.map((svc) => cluster(target, svc)), webAppCluster(target), adminCluster(), ...(oidc ? [oidcJwksCluster(oidc)] : [])],
    },
  };
}

type Path = (string | number)[];

/** Splits reasons from values: the plain document and [path, reason] pairs. */
function splitReasons(value: unknown, path: Path = [], reasons: [Path, string][] = []): { plain: unknown; reasons: [Path, string][] } {
  if (value instanceof Why) {
    reasons.push([path, value.reason]);
    return { plain: value.value, reasons };
  }
  if (Array.isArray(value)) {
    return { plain: value.map((v, i) => splitReasons(v, [...path, i], reasons).plain), reasons };
  }
  if (value && typeof value === "object") {
    const plain = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, splitReasons(v, [...path, k], reasons).plain]));
    return { plain, reasons };
  }
  return { plain: value, reasons };
}

/** The Envoy v3 Bootstrap for one target (with an OpenID Connect provider, when given), as a plain object. */
export function renderBootstrap(target: Target, oidc?: EdgeOidc): any {
  return splitReasons(annotatedBootstrap(target, oidc)).plain;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export const outputs: Record<Target, string> = {
  local: join(root, "envoy/envoy.yaml"),
  helm: join(root, "deploy/helm/outerpark/files/envoy.yaml"),
};

/** The chart's flavour with auth.oidc set: files/envoy.yaml plus the OpenID Connect provider (HELM_OIDC). */
export const helmOidcOutput = join(root, "deploy/helm/outerpark/files/envoy-oidc.yaml");

const headers: Record<Target, string> = {
  local: `Local edge: services on 127.0.0.1:${Math.min(...services.map((s) => s.port))}-${Math.max(...services.map((s) => s.port))}. Run: envoy -c envoy/envoy.yaml`,
  helm: `Kubernetes edge, shipped by the chart's ConfigMap after it replaces ${Object.values(HELM_PLACEHOLDERS).join(" and ")}.`,
};

/** The file's full text for one target; each chosen number carries its reason as a comment. */
export function renderYaml(target: Target, oidc?: EdgeOidc): string {
  const { plain, reasons } = splitReasons(annotatedBootstrap(target, oidc));
  const doc = new Document(plain);
  for (const [path, reason] of reasons) {
    const node = doc.getIn(path, true);
    if (!isScalar(node)) throw new Error(`reason on a non-scalar at ${path.join(".")}`);
    node.comment = ` ${reason}`;
  }
  const header = oidc
    ? `${headers[target]}\n With auth.oidc set, the chart ships this flavour instead, after also replacing ${Object.values(HELM_OIDC_PLACEHOLDERS).join(", ")}.`
    : headers[target];
  doc.commentBefore = ` GENERATED by envoy/generate.ts - do not edit; run: node envoy/generate.ts\n ${header}`;
  return doc.toString({ lineWidth: 0 });
}

function main(argv: string[]) {
  const files = (Object.keys(outputs) as Target[]).map((target) => ({ file: outputs[target], text: renderYaml(target) }));
  files.push({ file: helmOidcOutput, text: renderYaml("helm", HELM_OIDC) });
  writeOrCheck(files, argv.includes("--check"), "node envoy/generate.ts");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));

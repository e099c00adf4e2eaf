// Meaning checks on an Envoy bootstrap, beyond what its schema says: routes
// point at clusters that exist, every OuterPark gRPC service is routed, every
// cluster is protected, retries stay on idempotent methods.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** Service full name -> its method names, from proto/outerpark/*\/v1/*.proto. */
export function protoServices(): Map<string, string[]> {
  const protoDir = join(repoRoot, "proto");
  const files = readdirSync(join(protoDir, "outerpark")).flatMap((svc) => {
    const dir = join(protoDir, "outerpark", svc, "v1");
    return existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith(".proto"))
          .map((f) => `outerpark/${svc}/v1/${f}`)
      : [];
  });
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    const local = join(protoDir, target);
    return existsSync(local) ? local : target; // google/protobuf/* are built into protobufjs
  };
  root.loadSync(files, { keepCase: true });
  root.resolveAll();
  const out = new Map<string, string[]>();
  const visit = (ns: protobuf.NamespaceBase) => {
    for (const obj of ns.nestedArray) {
      if (obj instanceof protobuf.Service) out.set(obj.fullName.slice(1), Object.keys(obj.methods));
      else if (obj instanceof protobuf.Namespace) visit(obj);
    }
  };
  visit(root.lookup("outerpark") as protobuf.Namespace);
  return out;
}

type Obj = Record<string, any>;

const typeOf = (typed: Obj | undefined) =>
  String(typed?.["@type"] ?? "")
    .split("/")
    .pop();

export function httpConnectionManager(bootstrap: Obj): Obj {
  const filters = bootstrap.static_resources?.listeners?.flatMap((l: Obj) => l.filter_chains.flatMap((c: Obj) => c.filters));
  const hcm = filters?.find((f: Obj) => f.name === "envoy.filters.network.http_connection_manager");
  if (!hcm) throw new Error("no http_connection_manager");
  return hcm.typed_config;
}

export function routes(bootstrap: Obj): Obj[] {
  return httpConnectionManager(bootstrap).route_config.virtual_hosts.flatMap((vh: Obj) => vh.routes);
}

/** Idempotent methods, as "/pkg.Service/Method" paths. */
export interface EdgeExpectations {
  services: Map<string, string[]>;
  idempotentPaths: Set<string>;
  internalPaths: Set<string>;
  streamPaths: Set<string>;
  /** Methods callable without a token (a sent token is still checked): the catalog reads. */
  publicPaths: Set<string>;
  /** The web app's static server: HTTP/1.1 with an HTTP health check, reached by the catch-all route. */
  webAppCluster: string;
}

/**
 * What the edge must do, written from the contract (not from the generator):
 * reads, watches and the three keyed/idempotent writes retry; seat moves are internal.
 */
export function expectationsFromProtos(): EdgeExpectations {
  const services = protoServices();
  const idempotentWrites = new Set(["PlaceReservation", "CancelReservation", "RegisterMusical"]);
  const internal = new Set(["ReserveSeats", "ReleaseSeats"]);
  const e: EdgeExpectations = {
    services,
    idempotentPaths: new Set(),
    internalPaths: new Set(),
    streamPaths: new Set(),
    publicPaths: new Set(["/outerpark.musical.v1.MusicalService/GetMusical", "/outerpark.musical.v1.MusicalService/ListMusicals"]),
    webAppCluster: "web",
  };
  for (const [svc, methods] of services) {
    for (const m of methods) {
      const path = `/${svc}/${m}`;
      if (internal.has(m)) e.internalPaths.add(path);
      else if (/^(Get|List|Watch)/.test(m) || idempotentWrites.has(m)) e.idempotentPaths.add(path);
      if (m.startsWith("Watch")) e.streamPaths.add(path);
    }
  }
  return e;
}

const ADMIN_PORT = 9901;
const STATS_PATH = "/stats/prometheus";

function isAdminCluster(c: Obj): boolean {
  const addrs = (c.load_assignment?.endpoints ?? []).flatMap((e: Obj) => e.lb_endpoints.map((l: Obj) => l.endpoint?.address?.socket_address));
  return addrs.length > 0 && addrs.every((a: Obj) => a?.address === "127.0.0.1" && a?.port_value === ADMIN_PORT);
}

/**
 * Listeners after the edge's may only pass GET /stats/prometheus to the admin
 * interface and answer everything else themselves: the admin interface can stop
 * and reconfigure Envoy, so no other page of it may leave the pod.
 */
function checkStatsListeners(bootstrap: Obj, adminClusters: Set<string>): string[] {
  const problems: string[] = [];
  const listeners: Obj[] = bootstrap.static_resources?.listeners ?? [];
  if (bootstrap.admin?.address?.socket_address?.address !== "127.0.0.1") problems.push("admin must listen on loopback only");
  for (const l of listeners.slice(1)) {
    const hcms = l.filter_chains.flatMap((c: Obj) => c.filters).filter((f: Obj) => f.name === "envoy.filters.network.http_connection_manager");
    if (hcms.length !== l.filter_chains.flatMap((c: Obj) => c.filters).length) problems.push(`listener ${l.name}: only HTTP connection managers`);
    for (const hcm of hcms) {
      for (const r of hcm.typed_config.route_config.virtual_hosts.flatMap((vh: Obj) => vh.routes)) {
        if (r.direct_response) continue;
        const getOnly = r.match.headers?.some((h: Obj) => h.name === ":method" && h.string_match?.exact === "GET");
        if (r.match.path !== STATS_PATH || !getOnly || !adminClusters.has(r.route?.cluster))
          problems.push(`listener ${l.name}: route ${r.name} must be GET ${STATS_PATH} to the admin interface, or a direct response`);
      }
    }
  }
  return problems;
}

/** Returns a list of problems; empty means the config means what we intend. */
export function checkEdgeSemantics(bootstrap: Obj, expect: EdgeExpectations): string[] {
  const problems: string[] = [];
  // Clusters of Envoy's own admin interface (loopback :9901) serve the stats listener only; the rest are upstreams.
  const allClusters: Obj[] = bootstrap.static_resources?.clusters ?? [];
  const adminClusters = new Set(allClusters.filter(isAdminCluster).map((c) => c.name));
  // Clusters a jwt_authn provider fetches its remote JWKS through: not upstreams of any route.
  const jwtProviders: Obj = httpConnectionManager(bootstrap).http_filters.find((f: Obj) => typeOf(f.typed_config)?.endsWith("JwtAuthentication"))
    ?.typed_config?.providers;
  const jwksClusters = new Set(Object.values<Obj>(jwtProviders ?? {}).flatMap((p) => p.remote_jwks?.http_uri?.cluster ?? []));
  const clusters = allClusters.filter((c) => !adminClusters.has(c.name) && !jwksClusters.has(c.name));
  const clusterNames = new Set(clusters.map((c) => c.name));
  problems.push(...checkStatsListeners(bootstrap, adminClusters));
  const hcm = httpConnectionManager(bootstrap);
  const allRoutes = routes(bootstrap);

  if (hcm.codec_type !== "AUTO") problems.push("listener codec_type must be AUTO (HTTP/2 and HTTP/1.1)");
  if (bootstrap.admin?.address?.socket_address?.port_value !== 9901) problems.push("admin must listen on 9901");
  const port = bootstrap.static_resources.listeners[0]?.address?.socket_address?.port_value;
  if (port !== 8080) problems.push(`listener must be on 8080, is on ${port}`);

  // Filters: grpc_web, cors, jwt_authn present; router last.
  const filterTypes: string[] = hcm.http_filters.map((f: Obj) => typeOf(f.typed_config));
  for (const t of ["grpc_web.v3.GrpcWeb", "cors.v3.Cors", "jwt_authn.v3.JwtAuthentication"])
    if (!filterTypes.some((ft) => ft?.endsWith(t))) problems.push(`missing http filter ${t}`);
  if (!filterTypes.at(-1)?.endsWith("router.v3.Router")) problems.push("router must be the last http filter");
  const jwtIndex = filterTypes.findIndex((t) => t?.endsWith("JwtAuthentication"));
  const corsIndex = filterTypes.findIndex((t) => t?.endsWith("cors.v3.Cors"));
  if (corsIndex > jwtIndex) problems.push("cors must run before jwt_authn so preflights are answered");

  // JWT: health/reflection/preflight unauthenticated; everything else requires the provider.
  const jwt = hcm.http_filters.find((f: Obj) => typeOf(f.typed_config)?.endsWith("JwtAuthentication"))?.typed_config;
  const rules: Obj[] = jwt?.rules ?? [];
  for (const prefix of ["/grpc.health.v1.", "/grpc.reflection."]) {
    const rule = rules.find((r) => r.match?.prefix === prefix);
    if (!rule || rule.requires) problems.push(`jwt rule for ${prefix} must exist without requires`);
  }
  const last = rules.at(-1);
  const providerNames = Object.keys(jwt?.providers ?? {});
  const lastRequires: string[] = last?.requires?.provider_name
    ? [last.requires.provider_name]
    : (last?.requires?.requires_any?.requirements ?? []).map((q: Obj) => q.provider_name ?? "(not a provider)");
  if (last?.match?.prefix !== "/" || last.match.headers || lastRequires.length === 0 || lastRequires.some((n) => !providerNames.includes(n)))
    problems.push('the last jwt rule must require a provider for prefix "/"');
  for (const path of expect.publicPaths) {
    const any: Obj[] = rules.find((r) => r.match?.path === path)?.requires?.requires_any?.requirements ?? [];
    if (!any.some((q) => q.provider_name) || !any.some((q) => q.allow_missing))
      problems.push(`jwt rule for public ${path} must allow a missing token but check a present one`);
  }
  for (const r of rules) {
    const path: string | undefined = r.match?.path ?? r.match?.prefix;
    if (!r.requires && path?.startsWith("/outerpark.")) problems.push(`jwt rule ${path} lets an API through without any check`);
  }
  for (const [name, p] of Object.entries<Obj>(jwt?.providers ?? {})) {
    if (p.remote_jwks) {
      // An OpenID Connect provider: never the local issuer's name, keys fetched through a cluster of their own, cached.
      if (p.issuer === "outerpark" || !p.issuer) problems.push(`jwt provider ${name}: a remote JWKS must not speak for the outerpark issuer`);
      if (!p.audiences?.length) problems.push(`jwt provider ${name}: audiences missing`);
      const uri: string = p.remote_jwks.http_uri?.uri ?? "";
      const c = allClusters.find((x) => x.name === p.remote_jwks.http_uri?.cluster);
      if (!c) problems.push(`jwt provider ${name}: JWKS cluster ${p.remote_jwks.http_uri?.cluster} missing`);
      else if (!uri.startsWith("http://") && c.transport_socket?.typed_config?.["@type"]?.endsWith("UpstreamTlsContext") !== true)
        problems.push(`jwt provider ${name}: ${uri} needs TLS on cluster ${c.name}`);
      if (!p.remote_jwks.cache_duration) problems.push(`jwt provider ${name}: remote_jwks.cache_duration missing`);
    } else {
      if (p.issuer !== "outerpark" || !p.audiences?.includes("outerpark")) problems.push(`jwt provider ${name}: issuer/audience must be outerpark`);
      if (!p.local_jwks) problems.push(`jwt provider ${name}: local_jwks missing`);
    }
    if (p.forward !== true) problems.push(`jwt provider ${name}: forward the token so services verify it too`);
    if (p.require_expiration !== true && !p.max_lifetime) problems.push(`jwt provider ${name}: require_expiration, or a token would be good forever`);
    // Only public asymmetric keys: a symmetric (oct) or private key here could mint tokens.
    const inline: string | undefined = p.local_jwks?.inline_string;
    if (inline !== undefined) {
      const keys: Obj[] = JSON.parse(inline).keys ?? [];
      for (const k of keys)
        if (k.kty !== "EC" || "d" in k || "k" in k) problems.push(`jwt provider ${name}: key ${k.kid ?? "?"} must be an EC public key`);
    } else if (p.local_jwks && !p.local_jwks.filename) problems.push(`jwt provider ${name}: local_jwks needs a filename or inline keys`);
  }

  // Every route's cluster exists; every cluster is used.
  const used = new Set<string>();
  for (const r of allRoutes) {
    const cluster = r.route?.cluster;
    if (cluster === undefined) continue;
    used.add(cluster);
    if (adminClusters.has(cluster)) problems.push(`route ${r.name} exposes Envoy's admin interface on the edge listener`);
    else if (!clusterNames.has(cluster)) problems.push(`route ${r.name} points at missing cluster ${cluster}`);
  }
  for (const name of clusterNames) if (!used.has(name)) problems.push(`cluster ${name} has no route`);

  // Every service in proto/ is routed by its package prefix; every method resolves.
  const routeFor = (path: string) =>
    allRoutes.find((r) => (r.match.path !== undefined ? r.match.path === path : path.startsWith(r.match.prefix)) && !r.match.headers);
  for (const [svc, methods] of expect.services) {
    const prefix = `/${svc.replace(/\.[^.]+$/, ".")}`;
    const prefixRoute = allRoutes.find((r) => r.match.prefix === prefix);
    if (!prefixRoute?.route?.cluster) problems.push(`no path-prefix route ${prefix} for ${svc}`);
    else if (prefixRoute.route.retry_policy) problems.push(`prefix route ${prefix} retries methods not known to be idempotent`);
    for (const m of methods) {
      const path = `/${svc}/${m}`;
      const r = routeFor(path);
      if (!r) problems.push(`${path} is not routed`);
      else if (expect.internalPaths.has(path)) {
        if (r.direct_response?.status !== 403) problems.push(`${path} is internal: the edge must answer 403, not route it`);
      } else if (!r.route?.cluster) problems.push(`${path} reaches no cluster`);
    }
  }

  // Retries only on idempotent methods; timeouts on every route; streams uncut.
  for (const r of allRoutes) {
    if (!r.route) continue;
    if (r.route.timeout === undefined) problems.push(`route ${r.name} has no timeout`);
    if (r.route.retry_policy && !(r.match.path && expect.idempotentPaths.has(r.match.path)))
      problems.push(`route ${r.name} retries a method not known to be idempotent`);
    if (r.match.path && expect.streamPaths.has(r.match.path)) {
      if (r.route.timeout !== "0s") problems.push(`stream ${r.match.path} needs timeout 0s`);
      if (r.route.idle_timeout !== "0s") problems.push(`stream ${r.match.path} needs no idle cut-off`);
      if (r.route.retry_policy?.per_try_timeout) problems.push(`stream ${r.match.path} must not have per_try_timeout`);
    }
  }
  for (const path of expect.idempotentPaths)
    if (!allRoutes.some((r) => r.match.path === path && r.route?.retry_policy)) problems.push(`idempotent ${path} has no retry policy`);

  // The web app: the last route, a catch-all to its static server, which a browser reaches only after every API route.
  const lastRoute = allRoutes.at(-1);
  if (lastRoute?.match?.prefix !== "/" || lastRoute.route?.cluster !== expect.webAppCluster)
    problems.push(`the last route must send "/" to the web app (${expect.webAppCluster})`);

  // Every cluster: HTTP/2 upstream, gRPC health check (the web app: HTTP/1.1, GET /healthz), outlier detection, circuit breakers.
  for (const c of clusters) {
    const http = c.typed_extension_protocol_options?.["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"];
    if (c.name === expect.webAppCluster) {
      if (!c.health_checks?.some((h: Obj) => h.http_health_check?.path === "/healthz")) problems.push(`cluster ${c.name}: no GET /healthz check`);
    } else {
      if (!http?.explicit_http_config?.http2_protocol_options) problems.push(`cluster ${c.name}: upstream must be explicit HTTP/2`);
      if (!c.health_checks?.some((h: Obj) => h.grpc_health_check)) problems.push(`cluster ${c.name}: no active gRPC health check`);
    }
    const od = c.outlier_detection ?? {};
    for (const k of ["consecutive_5xx", "consecutive_gateway_failure", "base_ejection_time", "max_ejection_percent"])
      if (od[k] === undefined) problems.push(`cluster ${c.name}: outlier_detection.${k} missing`);
    const t = c.circuit_breakers?.thresholds?.[0] ?? {};
    for (const k of ["max_connections", "max_pending_requests", "max_requests"])
      if (t[k] === undefined) problems.push(`cluster ${c.name}: circuit_breakers ${k} missing`);
    if (t.max_retries === undefined && t.retry_budget === undefined) problems.push(`cluster ${c.name}: no retry limit`);
    const eps = c.load_assignment?.endpoints?.flatMap((e: Obj) => e.lb_endpoints) ?? [];
    if (eps.length === 0) problems.push(`cluster ${c.name}: no endpoints`);
  }
  return problems;
}

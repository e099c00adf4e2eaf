// envoy/envoy.yaml (and the chart's copy) checked against Envoy's own v3 protos
// and against what the edge must mean. Envoy itself cannot run here.
import { readFileSync } from "node:fs";
import { describe, expect, test, vi } from "vitest";
import { isScalar, parse, parseDocument, visit } from "yaml";
import {
  ADMIN_CLUSTER,
  ADMIN_PORT,
  DNS_CLUSTER_NAME,
  DNS_CLUSTER_TYPE,
  STATS_PATH,
  STATS_PORT,
  HELM_OIDC,
  HELM_OIDC_PLACEHOLDERS,
  HELM_PLACEHOLDERS,
  LOCAL_JWKS_FILE,
  OIDC_JWKS_CLUSTER,
  OIDC_PROVIDER,
  SYSTEM_CA_FILE,
  edgeOidcOf,
  helmOidcOutput,
  WEB_APP,
  outputs,
  renderBootstrap,
  renderYaml,
  services as edgeServices,
} from "../../envoy/generate.js";
import { join } from "node:path";
import { DEFAULT_PORTS } from "#kit/config.js";
import { LOCAL_KEY_DIR, edgeJwksFileIn } from "../../tools/keys.js";
import { NEWER_DEPRECATIONS, loadEnvoyApi, validateEnvoy } from "./envoy-proto.js";
import { checkEdgeSemantics, expectationsFromProtos, httpConnectionManager, protoServices } from "./envoy-semantics.js";

/** Strict YAML: duplicate keys are an error, as in Envoy. */
const loadYaml = (file: string) => parse(readFileSync(file, "utf8"), { uniqueKeys: true, strict: true });

// helm and the Envoy protos take a few seconds on a busy two-core machine.
vi.setConfig({ testTimeout: 120_000 });

const clone = <T>(v: T): T => structuredClone(v);

describe("envoy generator", () => {
  test("committed envoy.yaml and the chart's files/envoy.yaml are up to date", () => {
    for (const target of ["local", "helm"] as const) {
      expect(readFileSync(outputs[target], "utf8"), `${outputs[target]} is stale: run node envoy/generate.ts`).toBe(renderYaml(target));
    }
    expect(readFileSync(helmOidcOutput, "utf8"), `${helmOidcOutput} is stale: run node envoy/generate.ts`).toBe(renderYaml("helm", HELM_OIDC));
  });

  test("the definition lists exactly the RPCs in proto/", () => {
    const fromProto = Object.fromEntries([...protoServices()].map(([s, m]) => [s, [...m].sort()]));
    const fromDefinition = Object.fromEntries(edgeServices.map((s) => [s.grpcService, Object.keys(s.methods).sort()]));
    expect(fromDefinition).toEqual(fromProto);
  });

  test("every number and duration in every file says why it was chosen", () => {
    for (const [target, text] of [
      ["local", renderYaml("local")],
      ["helm", renderYaml("helm")],
      ["helm-oidc", renderYaml("helm", HELM_OIDC)],
    ] as const) {
      const unexplained: string[] = [];
      let explained = 0;
      visit(parseDocument(text), {
        Pair(_, pair) {
          const v = pair.value;
          if (!isScalar(v)) return;
          const chosen = typeof v.value === "number" || (typeof v.value === "string" && /^\d+(\.\d+)?s$/.test(v.value));
          if (!chosen) return;
          if (v.comment?.trim()) explained++;
          else unexplained.push(`${String(pair.key)}: ${String(v.value)}`);
        },
      });
      expect(unexplained, target).toEqual([]);
      expect(explained).toBeGreaterThan(100);
    }
  });

  test("ports match the services' own defaults (kit/src/config.ts); the local JWKS is the one make up writes (tools/keys.ts)", () => {
    expect(Object.fromEntries(edgeServices.map((s) => [s.name, s.port]))).toEqual(DEFAULT_PORTS);
    expect(join("/repo", LOCAL_JWKS_FILE)).toBe(edgeJwksFileIn(join("/repo", LOCAL_KEY_DIR)));
  });

  test("the two flavours differ only in addresses, discovery, JWKS source and CORS origins", () => {
    const local = renderBootstrap("local");
    const helm = renderBootstrap("helm");
    const upstreams = helm.static_resources.clusters.filter((c: any) => c.name !== ADMIN_CLUSTER);
    expect(upstreams.map((c: any) => c.name)).toEqual([...edgeServices.map((svc) => svc.name), WEB_APP.name]);
    expect(upstreams.map((c: any) => c.cluster_type.name)).toEqual(upstreams.map(() => DNS_CLUSTER_NAME));
    expect(JSON.stringify(helm)).toContain(`${HELM_PLACEHOLDERS.fullname}-musical-headless`);
    const strip = (b: unknown) =>
      JSON.stringify(b, (k, v) => (["address", "type", "cluster_type", "local_jwks", "regex"].includes(k) ? undefined : v));
    expect(strip(helm)).toBe(strip(local));
  });
});

describe("envoy/envoy.yaml against Envoy's v3 protos", () => {
  const bootstrap = loadYaml(outputs.local);

  test("loads the Envoy API protos", () => {
    expect(loadEnvoyApi().files).toBeGreaterThan(300);
  });

  test("every key, value and @type is valid", () => {
    const result = validateEnvoy(bootstrap);
    expect(result.errors).toEqual([]);
    // Guards against a walk that silently skips most of the document.
    expect(result.keysWalked).toBeGreaterThan(600);
    expect(result.anyTypes).toContain("envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication");
    expect(result.anyTypes).toContain("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
    console.info(`envoy.yaml: ${result.keysWalked} keys walked, ${result.typesSeen.size} message types, ${result.anyTypes.size} Any types`);
  });

  test("means what the edge must do", () => {
    expect(checkEdgeSemantics(bootstrap, expectationsFromProtos())).toEqual([]);
  });

  test("local upstreams are 127.0.0.1:8081-8085 and the web app's; the edge trusts make up's public issuer keys and requires exp", () => {
    const addrs = bootstrap.static_resources.clusters.map((c: any) => c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address);
    expect(addrs.map((a: any) => `${a.address}:${a.port_value}`)).toEqual(
      [8081, 8082, 8083, 8084, 8085, WEB_APP.port, ADMIN_PORT].map((p) => `127.0.0.1:${p}`),
    );
    const jwt = httpConnectionManager(bootstrap).http_filters.find((f: any) => f.name === "envoy.filters.http.jwt_authn");
    expect(jwt.typed_config.providers.outerpark.local_jwks).toEqual({ filename: LOCAL_JWKS_FILE });
    expect(jwt.typed_config.providers.outerpark.require_expiration).toBe(true);
  });
});

describe("Envoy's stats for Prometheus", () => {
  test.each(["local", "helm"] as const)("%s: GET /stats/prometheus on the stats listener reaches the loopback admin; nothing else does", (target) => {
    const b = renderBootstrap(target);
    expect(b.admin.address.socket_address).toEqual({ address: "127.0.0.1", port_value: ADMIN_PORT });
    const stats = b.static_resources.listeners.find((l: any) => l.name === "stats");
    expect(stats.address.socket_address).toEqual({ address: "0.0.0.0", port_value: STATS_PORT });
    const routes = stats.filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes;
    expect(routes.filter((r: any) => r.route).map((r: any) => [r.match.path, r.route.cluster])).toEqual([[STATS_PATH, ADMIN_CLUSTER]]);
    expect(routes.at(-1)).toMatchObject({ match: { prefix: "/" }, direct_response: { status: 404 } });
    const admin = b.static_resources.clusters.find((c: any) => c.name === ADMIN_CLUSTER);
    expect(admin.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({
      address: "127.0.0.1",
      port_value: ADMIN_PORT,
    });
  });
});

describe("the chart's envoy.yaml: DNS discovery through the DNS cluster extension", () => {
  // As the chart's ConfigMap renders it (placeholders replaced), the way Envoy reads it.
  const bootstrap = parse(
    readFileSync(outputs.helm, "utf8").replaceAll(HELM_PLACEHOLDERS.fullname, "op").replaceAll(HELM_PLACEHOLDERS.corsOriginRegex, '"https://x"'),
    { uniqueKeys: true, strict: true },
  );
  const clusters: any[] = bootstrap.static_resources.clusters.filter((c: any) => c.name !== ADMIN_CLUSTER);
  const deprecatedClusterFields = [...NEWER_DEPRECATIONS["envoy.config.cluster.v3.Cluster"]!, "dns_lookup_family", "type"];

  test("every key, value and @type is valid, the DnsCluster body included", () => {
    const result = validateEnvoy(bootstrap);
    expect(result.errors).toEqual([]);
    expect(result.anyTypes).toContain(DNS_CLUSTER_TYPE);
    expect(result.typesSeen).toContain(DNS_CLUSTER_TYPE);
  });

  test("every cluster is a strict DNS cluster of the extension, on the headless Service, refreshed every 5 s or by TTL", () => {
    expect(clusters.map((c) => c.name)).toEqual([...edgeServices.map((s) => s.name), WEB_APP.name]);
    for (const c of clusters) {
      // The factory's registered (runtime) name: cluster factories register as "envoy.cluster.*", singular, while
      // the build and docs call the extension "envoy.clusters.dns"; Envoy's cluster manager looks the name up.
      expect(c.cluster_type.name, c.name).toBe("envoy.cluster.dns");
      expect(c.cluster_type.typed_config, c.name).toEqual({
        "@type": `type.googleapis.com/${DNS_CLUSTER_TYPE}`,
        all_addresses_in_single_endpoint: false,
        dns_lookup_family: "V4_PREFERRED",
        dns_refresh_rate: "5s",
        respect_dns_ttl: true,
      });
      expect(c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address).toBe(`op-${c.name}-headless`);
    }
  });

  test("no cluster keeps Cluster's deprecated DNS fields (they would be ignored beside cluster_type) or a discovery type", () => {
    for (const c of clusters) for (const field of deprecatedClusterFields) expect(c, `${c.name}.${field}`).not.toHaveProperty(field);
  });

  test("the local flavour is static: loopback addresses need no DNS", () => {
    for (const c of loadYaml(outputs.local).static_resources.clusters.filter((c: any) => c.name !== ADMIN_CLUSTER)) {
      expect(c.type).toBe("STATIC");
      expect(c).not.toHaveProperty("cluster_type");
      for (const field of deprecatedClusterFields.filter((f) => f !== "type")) expect(c).not.toHaveProperty(field);
    }
  });

  const helmCases: [string, (c: any) => void, RegExp][] = [
    [
      "the old form (Cluster.dns_refresh_rate)",
      (c) => (c.dns_refresh_rate = "5s"),
      /field dns_refresh_rate of envoy.config.cluster.v3.Cluster is deprecated/,
    ],
    ["the old form (Cluster.respect_dns_ttl)", (c) => (c.respect_dns_ttl = true), /field respect_dns_ttl .* is deprecated/],
    [
      "a misspelt DnsCluster field",
      (c) => (c.cluster_type.typed_config.dns_refresh_rat = "5s"),
      /unknown field "dns_refresh_rat" of envoy.extensions.clusters.dns.v3.DnsCluster/,
    ],
    ["a pre-1.33 DnsCluster field", (c) => (c.cluster_type.typed_config.dns_discovery_type = "STRICT"), /unknown field "dns_discovery_type"/],
    [
      "a bad lookup family",
      (c) => (c.cluster_type.typed_config.dns_lookup_family = "V4_FIRST"),
      /not a value of enum envoy.extensions.clusters.common.dns.v3.DnsLookupFamily/,
    ],
    ["a refresh rate under 1 ms", (c) => (c.cluster_type.typed_config.dns_refresh_rate = "0.0001s"), /violates duration gt/],
    [
      "a failure refresh rate without its base",
      (c) => (c.cluster_type.typed_config.dns_failure_refresh_rate = { max_interval: "10s" }),
      /required field base_interval/,
    ],
    ["both type and cluster_type", (c) => (c.type = "STRICT_DNS"), /oneof cluster_discovery_type/],
  ];
  test.each(helmCases)("the validator refuses %s", (_name, mutate, message) => {
    const broken = clone(bootstrap);
    mutate(broken.static_resources.clusters[1]);
    expect(validateEnvoy(broken).errors.join("\n")).toMatch(message);
  });
});

describe("with an OpenID Connect provider beside the local issuer", () => {
  const jwtOf = (b: any) => httpConnectionManager(b).http_filters.find((f: any) => f.name === "envoy.filters.http.jwt_authn").typed_config;
  const oidcCluster = (b: any) => b.static_resources.clusters.find((c: any) => c.name === OIDC_JWKS_CLUSTER);
  // As the chart's ConfigMap renders files/envoy-oidc.yaml for auth.oidc = {issuerUrl, audience, jwksUri}.
  const chartOidc = parse(
    readFileSync(helmOidcOutput, "utf8")
      .replaceAll(HELM_PLACEHOLDERS.fullname, "op")
      .replaceAll(HELM_PLACEHOLDERS.corsOriginRegex, '"https://x"')
      .replaceAll(HELM_OIDC_PLACEHOLDERS.issuer, '"https://login.example.com/realms/outerpark"')
      .replaceAll(HELM_OIDC_PLACEHOLDERS.audience, '"outerpark-api"')
      .replaceAll(HELM_OIDC_PLACEHOLDERS.jwksUri, '"https://login.example.com/realms/outerpark/protocol/openid-connect/certs"')
      .replaceAll(HELM_OIDC_PLACEHOLDERS.jwksHost, '"login.example.com"')
      .replaceAll(HELM_OIDC_PLACEHOLDERS.jwksPort, "443"),
    { uniqueKeys: true, strict: true },
  );
  const localHttp = renderBootstrap("local", edgeOidcOf("http://127.0.0.1:4444", "outerpark-api", "http://127.0.0.1:4444/.well-known/jwks.json"));

  test.each([
    ["the chart's envoy-oidc.yaml", chartOidc],
    ["a local edge with an http provider", localHttp],
  ])("%s: valid against the protos and means what the edge must do", (_name, bootstrap) => {
    const result = validateEnvoy(bootstrap);
    expect(result.errors).toEqual([]);
    expect(result.anyTypes).toContain("envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication");
    expect(checkEdgeSemantics(bootstrap, expectationsFromProtos())).toEqual([]);
  });

  test("a second provider fetches the provider's JWKS through oidc_jwks, cached, and every API accepts either issuer's token", () => {
    const jwt = jwtOf(chartOidc);
    expect(Object.keys(jwt.providers)).toEqual(["outerpark", OIDC_PROVIDER]);
    expect(jwt.providers.oidc).toMatchObject({
      issuer: "https://login.example.com/realms/outerpark",
      audiences: ["outerpark-api"],
      require_expiration: true,
      forward: true,
      remote_jwks: {
        http_uri: { uri: "https://login.example.com/realms/outerpark/protocol/openid-connect/certs", cluster: OIDC_JWKS_CLUSTER, timeout: "5s" },
        cache_duration: "60s",
      },
    });
    expect(jwt.providers.outerpark.local_jwks).toEqual({ filename: "/etc/envoy/jwks/edge-jwks.json" });
    const either = { requires_any: { requirements: [{ provider_name: "outerpark" }, { provider_name: OIDC_PROVIDER }] } };
    expect(jwt.rules.at(-1)).toEqual({ match: { prefix: "/" }, requires: either });
    for (const rule of jwt.rules.filter((r: any) => r.match.path?.startsWith("/outerpark.")))
      expect(rule.requires.requires_any.requirements).toEqual([
        { provider_name: "outerpark" },
        { provider_name: OIDC_PROVIDER },
        { allow_missing: {} },
      ]);
  });

  test("https: the JWKS host is verified by TLS (SNI, public CAs, its name in the certificate); http: plain", () => {
    const c = oidcCluster(chartOidc);
    expect(c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: "login.example.com", port_value: 443 });
    expect(c.transport_socket.typed_config).toMatchObject({
      sni: "login.example.com",
      common_tls_context: {
        validation_context: {
          trusted_ca: { filename: SYSTEM_CA_FILE },
          match_typed_subject_alt_names: [{ san_type: "DNS", matcher: { exact: "login.example.com" } }],
        },
      },
    });
    expect(oidcCluster(localHttp).transport_socket).toBeUndefined();
    expect(oidcCluster(localHttp).load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({
      address: "127.0.0.1",
      port_value: 4444,
    });
  });

  test("the chart's two flavours differ only by the provider, its cluster and the requirements", () => {
    const strip = (b: any) => {
      const copy = clone(b);
      const jwt = jwtOf(copy);
      delete jwt.providers.oidc;
      jwt.rules = JSON.parse(
        JSON.stringify(jwt.rules)
          .replaceAll(`{"requires_any":{"requirements":[{"provider_name":"outerpark"},{"provider_name":"oidc"}]}}`, `{"provider_name":"outerpark"}`)
          .replaceAll(`{"provider_name":"oidc"},`, ""),
      );
      copy.static_resources.clusters = copy.static_resources.clusters.filter((c: any) => c.name !== OIDC_JWKS_CLUSTER);
      return copy;
    };
    expect(strip(renderBootstrap("helm", HELM_OIDC))).toEqual(renderBootstrap("helm"));
  });

  const oidcCases: [string, (b: any) => void, RegExp][] = [
    ["a remote JWKS speaking for the local issuer", (b) => (jwtOf(b).providers.oidc.issuer = "outerpark"), /must not speak for the outerpark issuer/],
    ["an https JWKS fetched without TLS", (b) => delete oidcCluster(b).transport_socket, /needs TLS/],
    ["a remote JWKS without a cache duration", (b) => delete jwtOf(b).providers.oidc.remote_jwks.cache_duration, /cache_duration/],
    [
      "a requirement naming an unknown provider",
      (b) => (jwtOf(b).rules.at(-1).requires.requires_any.requirements[1].provider_name = "oidcc"),
      /last jwt rule/,
    ],
  ];
  test.each(oidcCases)("semantic check catches %s", (_name, mutate, message) => {
    const broken = clone(chartOidc);
    mutate(broken);
    expect(checkEdgeSemantics(broken, expectationsFromProtos()).join("\n")).toMatch(message);
  });
});

describe("the validator cannot silently pass", () => {
  const valid = loadYaml(outputs.local);
  const hcmOf = (b: any) => b.static_resources.listeners[0].filter_chains[0].filters[0].typed_config;

  const cases: [string, (b: any) => void, RegExp][] = [
    ["a misspelt key", (b) => (b.static_resources.clusters[0].outlier_detection.consecutive_5xxx = 5), /unknown field "consecutive_5xxx"/],
    ["a misspelt key inside an Any body", (b) => (hcmOf(b).http_filters[3].typed_config.providers.outerpark.isuer = "x"), /unknown field "isuer"/],
    ["a wrong value type (number for a Duration)", (b) => (b.static_resources.clusters[0].connect_timeout = 1), /expected a duration/],
    [
      "a wrong value type (string for a UInt32Value)",
      (b) => (b.static_resources.clusters[0].circuit_breakers.thresholds[0].max_requests = "lots"),
      /expected an integer/,
    ],
    ["a wrong value type (object for a string)", (b) => (b.static_resources.clusters[0].name = { x: 1 }), /expected a string/],
    [
      "an unknown @type",
      (b) => (hcmOf(b).http_filters[1].typed_config["@type"] = "type.googleapis.com/envoy.extensions.filters.http.grpc_web.v3.GrpcWebb"),
      /unknown type/,
    ],
    ["an invalid enum value", (b) => (b.static_resources.clusters[0].lb_policy = "LEAST_REQUESTS"), /not a value of enum/],
    ["two members of one oneof", (b) => (hcmOf(b).route_config.virtual_hosts[0].routes[0].match.prefix = "/"), /oneof path_specifier/],
    ["a scalar where a list belongs", (b) => (hcmOf(b).route_config.virtual_hosts[0].domains = "*"), /expected a list/],
    ["an out-of-range number", (b) => (b.static_resources.listeners[0].address.socket_address.port_value = 70000), /uint32 in|violates/],
    ["a missing required field", (b) => delete b.static_resources.clusters[0].health_checks[0].timeout, /required field timeout/],
    ["a lowerCamel key given twice with snake_case", (b) => (b.static_resources.clusters[0].connectTimeout = "1s"), /given twice/],
  ];
  test.each(cases)("rejects %s", (_name, mutate, message) => {
    const broken = clone(valid);
    mutate(broken);
    const { errors } = validateEnvoy(broken);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join("\n")).toMatch(message);
  });

  test("accepts lowerCamel JSON names", () => {
    const b = clone(valid);
    const c = b.static_resources.clusters[0];
    c.connectTimeout = c.connect_timeout;
    delete c.connect_timeout;
    expect(validateEnvoy(b).errors).toEqual([]);
  });

  const semanticCases: [string, (b: any) => void, RegExp][] = [
    [
      "a route to a missing cluster",
      (b) => (hcmOf(b).route_config.virtual_hosts[0].routes[1].route.cluster = "musicall"),
      /missing cluster musicall/,
    ],
    ["a cluster without outlier detection", (b) => delete b.static_resources.clusters[2].outlier_detection, /outlier_detection/],
    ["a cluster without circuit breakers", (b) => delete b.static_resources.clusters[1].circuit_breakers, /circuit_breakers/],
    ["a cluster without a health check", (b) => delete b.static_resources.clusters[3].health_checks, /health check/],
    [
      "a service without a route",
      (b) =>
        (hcmOf(b).route_config.virtual_hosts[0].routes = hcmOf(b).route_config.virtual_hosts[0].routes.filter(
          (r: any) => r.route?.cluster !== "notice",
        )),
      /outerpark\.notice\.v1\./,
    ],
    [
      "retries on the catch-all prefix route",
      (b) => (hcmOf(b).route_config.virtual_hosts[0].routes.find((r: any) => r.name === "reservation.other").route.retry_policy = { num_retries: 1 }),
      /retries/,
    ],
    [
      "an internal method routed publicly",
      (b) => {
        const r = hcmOf(b).route_config.virtual_hosts[0].routes.find((x: any) => x.name === "musical.ReserveSeats.internal");
        delete r.direct_response;
        r.route = { cluster: "musical", timeout: "5s" };
      },
      /internal/,
    ],
    [
      "a provider that accepts tokens without exp",
      (b) => delete hcmOf(b).http_filters[3].typed_config.providers.outerpark.require_expiration,
      /require_expiration/,
    ],
    [
      "a provider trusting a symmetric (HS256) key",
      (b) =>
        (hcmOf(b).http_filters[3].typed_config.providers.outerpark.local_jwks = {
          inline_string: JSON.stringify({ keys: [{ kty: "oct", alg: "HS256", k: "c2VjcmV0" }] }),
        }),
      /EC public key/,
    ],
    [
      "a provider holding a private key",
      (b) =>
        (hcmOf(b).http_filters[3].typed_config.providers.outerpark.local_jwks = {
          inline_string: JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", x: "x", y: "y", d: "d", kid: "issuer:1" }] }),
        }),
      /EC public key/,
    ],
    [
      "the stats listener passing on another admin page",
      (b) =>
        (b.static_resources.listeners[1].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].match.path =
          "/quitquitquit"),
      /must be GET \/stats\/prometheus/,
    ],
    [
      "the stats listener passing on any method",
      (b) => delete b.static_resources.listeners[1].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[0].match.headers,
      /must be GET \/stats\/prometheus/,
    ],
    [
      "the edge listener routing to the admin interface",
      (b) => (hcmOf(b).route_config.virtual_hosts[0].routes[1].route.cluster = "envoy_admin"),
      /exposes Envoy's admin interface/,
    ],
    ["the admin interface off loopback", (b) => (b.admin.address.socket_address.address = "0.0.0.0"), /admin must listen on loopback/],
    [
      "a catalog read that ignores a bad token (no requirement at all)",
      (b) => delete hcmOf(b).http_filters[3].typed_config.rules.find((r: any) => r.match.path?.endsWith("/GetMusical")).requires,
      /public .*GetMusical must allow a missing token but check a present one/,
    ],
    [
      "an API exempted from the token like the app's files",
      (b) => hcmOf(b).http_filters[3].typed_config.rules.unshift({ match: { prefix: "/outerpark.reservation.v1." } }),
      /lets an API through/,
    ],
    [
      "the web app's catch-all route before the APIs",
      (b) => {
        const routes = hcmOf(b).route_config.virtual_hosts[0].routes;
        routes.unshift(routes.pop());
      },
      /last route must send "\/" to the web app/,
    ],
    [
      "the web app without its HTTP health check",
      (b) => (b.static_resources.clusters.find((c: any) => c.name === "web").health_checks[0] = { grpc_health_check: {} }),
      /web: no GET \/healthz check/,
    ],
    [
      "a stream with a route timeout",
      (b) => (hcmOf(b).route_config.virtual_hosts[0].routes.find((r: any) => r.name === "customercenter.WatchMyPage").route.timeout = "15s"),
      /timeout 0s/,
    ],
  ];
  test.each(semanticCases)("semantic check catches %s", (_name, mutate, message) => {
    const broken = clone(valid);
    mutate(broken);
    expect(checkEdgeSemantics(broken, expectationsFromProtos()).join("\n")).toMatch(message);
  });
});

// `make helm-check`: the chart lints strictly, renders with the default and the
// production values, and every rendered manifest passes the Kubernetes API
// schemas with no unknown key. Then what the chart must mean, and proof that
// the checks catch mistakes. Builds the pinned helm with tools/go-tools.sh if missing.
import { parse } from "yaml";
import { beforeAll, describe, expect, test, vi } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { ADMIN_PORT, OIDC_JWKS_CLUSTER, OIDC_PROVIDER, STATS_PATH, STATS_PORT, WEB_APP, services as edgeServices } from "../../envoy/generate.js";
import { DEFAULT_METRICS_PORTS, type ServiceName } from "#kit/config.js";
import { generateKeySet } from "../../tools/keys.js";
import { validateEnvoy } from "./envoy-proto.js";
import { imageEnv, parseDockerfile } from "./dockerfile-check.js";
import { checkEdgeSemantics, expectationsFromProtos } from "./envoy-semantics.js";
import {
  ensureHelm,
  ensurePromtool,
  helmLint,
  helmTemplate,
  keyValues,
  productionValues,
  renderNotes,
  repoRoot,
  testKeys,
  validateManifests,
  valuesFile,
  type Manifest,
} from "./helm-check.js";

// helm and the Envoy protos take a few seconds on a busy two-core machine.
vi.setConfig({ testTimeout: 120_000 });

const serviceNames = edgeServices.map((s) => s.name);
const STANDARD_LABELS = [
  "app.kubernetes.io/name",
  "app.kubernetes.io/instance",
  "app.kubernetes.io/version",
  "app.kubernetes.io/component",
  "app.kubernetes.io/part-of",
  "app.kubernetes.io/managed-by",
  "helm.sh/chart",
];

beforeAll(() => {
  ensureHelm(); // a first build takes minutes on two cores
}, 20 * 60_000);

const renders: Record<string, () => Manifest[]> = {
  default: () => helmTemplate(),
  production: () => helmTemplate([keyValues, productionValues]),
};

const byKind = (ms: Manifest[], kind: string) => ms.filter((m) => m.kind === kind);
const find = (ms: Manifest[], kind: string, name: string) => {
  const m = ms.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind}/${name}`);
  return m;
};
const podSpecOf = (m: Manifest) => m.spec.template.spec;

describe.each(Object.keys(renders))("chart with %s values", (flavour) => {
  const manifests = renders[flavour]!();
  const fullname = "outerpark";

  test("helm lint --strict passes", () => {
    expect(helmLint(flavour === "production" ? [keyValues, productionValues] : [keyValues])).toContain("0 chart(s) failed");
  });

  test("every manifest passes the Kubernetes schemas with no unknown key", async () => {
    const report = await validateManifests(manifests);
    expect(report.errors).toEqual([]);
    expect(report.manifests).toBeGreaterThan(30);
    expect(report.keysWalked).toBeGreaterThan(1500); // the walk really went deep
    console.info(`helm template (${flavour}): ${report.manifests} manifests, ${report.keysWalked} keys walked, 0 errors`);
  });

  test("standard labels on every object and every pod", () => {
    for (const m of manifests) {
      for (const l of STANDARD_LABELS) expect(m.metadata.labels?.[l], `${m.kind}/${m.metadata.name} ${l}`).toBeTruthy();
      const podLabels = m.spec?.template?.metadata?.labels;
      if (podLabels) for (const l of STANDARD_LABELS) expect(podLabels[l], `${m.metadata.name} pod ${l}`).toBeTruthy();
    }
  });

  test("every pod is locked down: non-root, read-only root, no capabilities, RuntimeDefault seccomp, /tmp emptyDir", () => {
    const workloads = [...byKind(manifests, "Deployment"), ...byKind(manifests, "Job")];
    expect(workloads.length).toBeGreaterThan(5);
    for (const w of workloads) {
      const pod = podSpecOf(w);
      expect(pod.securityContext.runAsNonRoot, w.metadata.name).toBe(true);
      expect(Number.isInteger(pod.securityContext.runAsUser) && pod.securityContext.runAsUser > 0).toBe(true);
      expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(c.securityContext, `${w.metadata.name}/${c.name}`).toMatchObject({
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        });
        expect(c.resources?.requests && c.resources?.limits?.memory, `${c.name} resources`).toBeTruthy();
      }
      const tmp = pod.volumes.find((v: any) => v.name === "tmp");
      expect(tmp?.emptyDir, `${w.metadata.name} /tmp`).toBeDefined();
    }
  });

  test.each(serviceNames)("service %s: one image, its own argument, gRPC probes, secrets, ports from the edge definition", (svc) => {
    const port = edgeServices.find((s) => s.name === svc)!.port;
    const dep = find(manifests, "Deployment", `${fullname}-${svc}`);
    const [c] = podSpecOf(dep).containers;
    const appImages = new Set(
      byKind(manifests, "Deployment")
        .filter((d) => d.metadata.labels?.["app.kubernetes.io/component"] !== "edge")
        .map((d) => podSpecOf(d).containers[0].image),
    );
    expect(appImages.size).toBe(1);
    expect(c.args).toEqual(["serve", svc]);
    const metricsPort = DEFAULT_METRICS_PORTS[svc as ServiceName];
    expect(c.ports).toEqual([
      { name: "grpc", containerPort: port, protocol: "TCP" },
      { name: "metrics", containerPort: metricsPort, protocol: "TCP" },
    ]);
    expect(c.readinessProbe.grpc).toEqual({ port, service: "" });
    expect(c.livenessProbe.grpc).toEqual({ port, service: "liveness" });
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e]));
    expect(env.PORT.value).toBe(String(port));
    expect(env.METRICS_PORT.value).toBe(String(metricsPort));
    // Unset unless tracing.otlpEndpoint is given (the production values send traces to a collector).
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT?.value).toBe(flavour === "production" ? "http://otel-collector.monitoring:4318" : undefined);
    // Scrape annotations by default; the production values scrape through ServiceMonitors instead.
    const scrapeAnnotations = { "prometheus.io/scrape": "true", "prometheus.io/port": String(metricsPort), "prometheus.io/path": "/metrics" };
    if (flavour === "default") expect(dep.spec.template.metadata.annotations).toMatchObject(scrapeAnnotations);
    else expect(Object.keys(dep.spec.template.metadata.annotations)).not.toContain("prometheus.io/scrape");
    expect(env.DATABASE_URL.valueFrom.secretKeyRef.key).toBe(`${svc}-database-url`);
    expect(env.JWT_JWKS.valueFrom.configMapKeyRef).toEqual({ name: `${fullname}-jwks`, key: "jwks.json" });
    expect(env.PAGE_TOKEN_SECRET.valueFrom.secretKeyRef.name).toBeTruthy();
    expect(env.JWT_SECRET).toBeUndefined();
    // auth.oidc (the production values): every service trusts the provider's access tokens, from the same values the app and the edge read.
    const oidcEnv = Object.fromEntries(
      Object.entries(env)
        .filter(([name]) => name.startsWith("OIDC_"))
        .map(([name, e]: [string, any]) => [name, e.value]),
    );
    expect(oidcEnv).toEqual(
      flavour === "production"
        ? {
            OIDC_ISSUER_URL: "https://login.example.com/realms/outerpark",
            OIDC_AUDIENCE: "outerpark-api",
            OIDC_ALGORITHMS: "RS256,ES256",
            OIDC_ROLE_CLAIM: "realm_access.roles",
            OIDC_ROLE_MAP: "outerpark-customer=customer,outerpark-manager=manager",
          }
        : {},
    );
    // Only a service that calls another holds a private key: reservation.
    expect(env.SERVICE_SIGNING_KEY !== undefined).toBe(svc === "reservation");
    expect(dep.spec.template.metadata.annotations["checksum/jwks"]).toMatch(/^[0-9a-f]{64}$/);
    expect(env.NATS_URL.value).toMatch(/^nats:\/\//);
    for (const name of [`${fullname}-${svc}`, `${fullname}-${svc}-headless`]) {
      expect(find(manifests, "Service", name).spec.ports[0].port).toBe(port);
    }
    // The ClusterIP Service names the metrics port (what a ServiceMonitor selects); the edge's headless twin carries gRPC only.
    expect(find(manifests, "Service", `${fullname}-${svc}`).spec.ports[1]).toEqual({
      name: "metrics",
      port: metricsPort,
      targetPort: "metrics",
      protocol: "TCP",
      appProtocol: "http",
    });
    expect(find(manifests, "Service", `${fullname}-${svc}-headless`).spec.ports).toHaveLength(1);
    expect(find(manifests, "Service", `${fullname}-${svc}-headless`).spec.clusterIP).toBe("None");
    const pdb = find(manifests, "PodDisruptionBudget", `${fullname}-${svc}`);
    expect(pdb.spec.selector.matchLabels).toEqual(dep.spec.selector.matchLabels);
    const job = find(manifests, "Job", `${fullname}-migrate-${svc}`);
    expect(job.metadata.annotations?.["helm.sh/hook"]).toBe("pre-install,pre-upgrade");
    expect(podSpecOf(job).containers[0].args).toEqual(["migrate", svc]);
  });

  test.each(serviceNames)("service %s: its pod's V8 heap is the one its values ask for, and fits the pod's memory limit", (svc) => {
    const container = podSpecOf(find(manifests, "Deployment", `${fullname}-${svc}`)).containers[0];
    const runtime = parseDockerfile(readFileSync(join(repoRoot, "Dockerfile"), "utf8")).stages.at(-1)!;
    // As the container runtime starts it: the pod's env over the image's ENV, then the ENTRYPOINT's flags.
    const podNodeOptions = (container.env as { name: string; value?: string }[]).find((e) => e.name === "NODE_OPTIONS")?.value;
    const nodeOptions = podNodeOptions ?? imageEnv(runtime).NODE_OPTIONS;
    const entrypoint = JSON.parse(runtime.body.findLast((i) => i.op === "ENTRYPOINT")!.args) as string[];
    const limitMiB = Number(/^(\d+)Mi$/.exec(container.resources.limits.memory)?.[1]);
    // Asked for by the NODE_OPTIONS the process gets; else by the ENTRYPOINT (where an older image put it).
    const oldSpaceIn = (flags: string | undefined) => /--max-old-space-size=(\d+)/.exec(flags ?? "")?.[1];
    const askedOldSpaceMiB = Number(oldSpaceIn(nodeOptions) ?? oldSpaceIn(entrypoint.join(" ")));
    expect(askedOldSpaceMiB, "every service's heap is bounded below its pod's limit").toBeGreaterThan(0);
    const heapLimitMiB = Number(
      execFileSync(
        process.execPath,
        [...entrypoint.slice(1, -1), "-e", "process.stdout.write(String(v8.getHeapStatistics().heap_size_limit / 2 ** 20))"],
        {
          env: { PATH: process.env.PATH, NODE_OPTIONS: nodeOptions },
          encoding: "utf8",
        },
      ),
    );
    // The heap limit is the old space asked for plus the young generation.
    expect(heapLimitMiB).toBeGreaterThanOrEqual(askedOldSpaceMiB);
    expect(heapLimitMiB).toBeLessThan(askedOldSpaceMiB + 64);
    expect(heapLimitMiB).toBeLessThan(limitMiB);
  });

  test("reservation calls musical; payment calls the gateway", () => {
    const env = (svc: string) =>
      Object.fromEntries(podSpecOf(find(manifests, "Deployment", `${fullname}-${svc}`)).containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env("reservation").MUSICAL_URL).toBe(`http://${fullname}-musical:8081`);
    expect(env("payment").PAYMENT_GATEWAY_URL).toBe(flavour === "default" ? `http://${fullname}-gateway:8090` : "https://payments.example.com");
    expect(manifests.some((m) => m.kind === "Deployment" && m.metadata.name === `${fullname}-gateway`)).toBe(flavour === "default");
  });

  test("NetworkPolicies: only the edge and the services that need it reach each service", () => {
    const component = (peer: any) => peer.podSelector?.matchLabels?.["app.kubernetes.io/component"];
    const callers: Record<string, string[]> = { musical: ["edge", "reservation"] };
    for (const svc of serviceNames) {
      const np = find(manifests, "NetworkPolicy", `${fullname}-${svc}`);
      expect(np.spec.policyTypes).toEqual(["Ingress", "Egress"]);
      expect(np.spec.ingress).toHaveLength(2);
      expect(np.spec.ingress[0].from.map(component).sort()).toEqual((callers[svc] ?? ["edge"]).sort());
      // Prometheus (networkPolicy.metricsFrom, empty = anyone) reaches the metrics port, and only that port.
      const metricsFrom =
        flavour === "production" ? { from: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }] } : {};
      expect(np.spec.ingress[1]).toEqual({ ports: [{ protocol: "TCP", port: DEFAULT_METRICS_PORTS[svc as ServiceName] }], ...metricsFrom });
      const egressPorts = np.spec.egress.flatMap((r: any) => r.ports.map((p: any) => p.port));
      expect(egressPorts).toEqual(expect.arrayContaining([5432, 4222, 53]));
      const egressPeers = np.spec.egress.flatMap((r: any) => (r.to ?? []).map(component)).filter(Boolean);
      expect(egressPeers.sort()).toEqual(svc === "reservation" ? ["musical"] : svc === "payment" && flavour === "default" ? ["gateway"] : []);
    }
    const edge = find(manifests, "NetworkPolicy", `${fullname}-edge`);
    expect(edge.spec.ingress.map((r: any) => r.ports.map((p: any) => p.port))).toEqual([[8080], [STATS_PORT]]);
    expect(
      edge.spec.egress
        .flatMap((r: any) => (r.to ?? []).map(component))
        .filter(Boolean)
        .sort(),
    ).toEqual([...serviceNames, "web"].sort());
  });

  test("the web app: `outerpark web` with the OIDC settings, no development sign-in, reached only from the edge", () => {
    const web = podSpecOf(find(manifests, "Deployment", `${fullname}-web`)).containers[0];
    expect(web.args).toEqual(["web"]);
    const env = Object.fromEntries(web.env.map((e: any) => [e.name, e.value]));
    expect(env.PORT).toBe(String(WEB_APP.port));
    expect(Object.keys(env).sort()).toEqual(["OIDC_CLIENT_ID", "OIDC_ISSUER_URL", "OIDC_ROLE_CLAIM", "OIDC_ROLE_MAP", "PORT"]);
    expect(JSON.stringify(web)).not.toMatch(/sign-in|private|KEY/i);
    expect(web.readinessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    const np = find(manifests, "NetworkPolicy", `${fullname}-web`);
    expect(np.spec.ingress[0].from.map((p: any) => p.podSelector.matchLabels["app.kubernetes.io/component"])).toEqual(["edge"]);
    expect(np.spec.egress).toEqual([]);
  });

  test("the edge ConfigMap's envoy.yaml passes the same strict Envoy checks", () => {
    const cm = find(manifests, "ConfigMap", `${fullname}-edge`);
    const text: string = cm.data["envoy.yaml"];
    expect(text).not.toMatch(/__[A-Z_]+__/); // every placeholder replaced
    const bootstrap = parse(text, { uniqueKeys: true, strict: true });
    const result = validateEnvoy(bootstrap);
    expect(result.errors).toEqual([]);
    expect(result.keysWalked).toBeGreaterThan(600);
    expect(checkEdgeSemantics(bootstrap, expectationsFromProtos())).toEqual([]);
    // Each cluster resolves a headless Service the chart renders, on its port (the provider's JWKS host is outside the release).
    for (const c of bootstrap.static_resources.clusters.filter((x: any) => x.name !== "envoy_admin" && x.name !== OIDC_JWKS_CLUSTER)) {
      const addr = c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address;
      const svc = find(manifests, "Service", addr.address);
      expect(svc.spec.clusterIP).toBe("None");
      expect(svc.spec.ports[0].port).toBe(addr.port_value);
    }
    const edgeDeployment = find(manifests, "Deployment", `${fullname}-edge`);
    const edge = podSpecOf(edgeDeployment);
    expect(edge.containers[0].args).toContain("/etc/envoy/config/envoy.yaml");
    // Envoy's stats: the stats listener's port is the container's "stats" port, the annotations' and the stats Service's.
    const statsListener = bootstrap.static_resources.listeners.find((l: any) => l.name === "stats");
    expect(statsListener.address.socket_address.port_value).toBe(STATS_PORT);
    expect(bootstrap.admin.address.socket_address).toEqual({ address: "127.0.0.1", port_value: ADMIN_PORT });
    expect(edge.containers[0].ports).toContainEqual({ name: "stats", containerPort: STATS_PORT, protocol: "TCP" });
    expect(edge.containers[0].ports.map((p: any) => p.containerPort)).not.toContain(ADMIN_PORT);
    if (flavour === "default")
      expect(edgeDeployment.spec.template.metadata.annotations).toMatchObject({
        "prometheus.io/scrape": "true",
        "prometheus.io/port": String(STATS_PORT),
        "prometheus.io/path": STATS_PATH,
      });
    expect(byKind(manifests, "ServiceMonitor").length).toBe(flavour === "production" ? 2 : 0);
    const statsService = find(manifests, "Service", `${fullname}-edge-stats`);
    expect(statsService.spec.ports).toEqual([{ name: "stats", port: STATS_PORT, targetPort: "stats", protocol: "TCP", appProtocol: "http" }]);
    expect(statsService.spec.selector).toEqual(edgeDeployment.spec.selector.matchLabels);
    expect(find(manifests, "Service", `${fullname}-edge`).spec.ports.map((p: any) => p.name)).toEqual(["http"]); // never on the public Service
    expect(edge.initContainers).toBeUndefined();
    const jwksVolume = edge.volumes.find((v: any) => v.name === "jwks");
    expect(jwksVolume.configMap).toEqual({ name: `${fullname}-jwks`, items: [{ key: "edge-jwks.json", path: "edge-jwks.json" }] });
    expect(edge.containers[0].volumeMounts.find((m: any) => m.name === "jwks").mountPath).toBe("/etc/envoy/jwks");
    const provider = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters.find(
      (f: any) => f.name === "envoy.filters.http.jwt_authn",
    ).typed_config.providers.outerpark;
    expect(provider.local_jwks.filename).toBe("/etc/envoy/jwks/edge-jwks.json");
  });

  test("auth.oidc: the edge's second provider checks the provider's tokens against its remote JWKS over TLS; egress to it is allowed", () => {
    const bootstrap = parse(find(manifests, "ConfigMap", `${fullname}-edge`).data["envoy.yaml"]);
    const jwt = bootstrap.static_resources.listeners[0].filter_chains[0].filters[0].typed_config.http_filters.find(
      (f: any) => f.name === "envoy.filters.http.jwt_authn",
    ).typed_config;
    const jwksCluster = bootstrap.static_resources.clusters.find((c: any) => c.name === OIDC_JWKS_CLUSTER);
    const edgeEgress = find(manifests, "NetworkPolicy", `${fullname}-edge`).spec.egress;
    const musicalEgress = find(manifests, "NetworkPolicy", `${fullname}-musical`).spec.egress;
    const oidcPeer = [{ ipBlock: { cidr: "198.51.100.0/24" } }];
    if (flavour === "default") {
      expect(Object.keys(jwt.providers)).toEqual(["outerpark"]);
      expect(jwksCluster).toBeUndefined();
      expect(jwt.rules.at(-1).requires).toEqual({ provider_name: "outerpark" });
      for (const rules of [edgeEgress, musicalEgress]) expect(rules.some((r: any) => r.to?.[0]?.ipBlock)).toBe(false);
      return;
    }
    expect(jwt.providers[OIDC_PROVIDER]).toMatchObject({
      issuer: "https://login.example.com/realms/outerpark",
      audiences: ["outerpark-api"],
      remote_jwks: { http_uri: { uri: "https://login.example.com/realms/outerpark/protocol/openid-connect/certs", cluster: OIDC_JWKS_CLUSTER } },
    });
    expect(jwt.rules.at(-1).requires.requires_any.requirements).toEqual([{ provider_name: "outerpark" }, { provider_name: OIDC_PROVIDER }]);
    expect(jwksCluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({
      address: "login.example.com",
      port_value: 443,
    });
    expect(jwksCluster.transport_socket.typed_config.sni).toBe("login.example.com");
    for (const rules of [edgeEgress, musicalEgress]) expect(rules).toContainEqual({ ports: [{ protocol: "TCP", port: 443 }], to: oidcPeer });
    const web = podSpecOf(find(manifests, "Deployment", `${fullname}-web`)).containers[0];
    expect(Object.fromEntries(web.env.map((e: any) => [e.name, e.value]))).toMatchObject({
      OIDC_ISSUER_URL: "https://login.example.com/realms/outerpark",
      OIDC_CLIENT_ID: "outerpark-web",
      OIDC_ROLE_CLAIM: "realm_access.roles",
      OIDC_ROLE_MAP: "outerpark-customer=customer,outerpark-manager=manager",
    });
  });

  test("keys: services get the public JWKS, the edge only the issuer's public keys, no pod a private issuer key", () => {
    const cm = find(manifests, "ConfigMap", `${fullname}-jwks`);
    expect(JSON.parse(cm.data["jwks.json"])).toEqual(testKeys.jwks);
    const edgeKeys = JSON.parse(cm.data["edge-jwks.json"]).keys;
    expect(edgeKeys.map((k: any) => k.kid)).toEqual(testKeys.jwks.keys.filter((k) => k.kid!.startsWith("issuer:")).map((k) => k.kid));
    const rendered = JSON.stringify(manifests);
    expect(rendered).not.toContain(testKeys.privateKeys.issuer!.d!);
    if (flavour === "default") {
      const secret = find(manifests, "Secret", `${fullname}-reservation-key`);
      expect(JSON.parse(Buffer.from(secret.data["signing-key"], "base64").toString())).toEqual(testKeys.privateKeys.reservation);
    }
  });

  test("secrets: chart-made for demos, existing ones in production", () => {
    const secrets = byKind(manifests, "Secret")
      .map((s) => s.metadata.name)
      .sort();
    if (flavour === "default") {
      expect(secrets).toEqual([`${fullname}-database`, `${fullname}-page-tokens`, `${fullname}-reservation-key`]);
      const db = find(manifests, "Secret", `${fullname}-database`);
      expect(db.metadata.annotations?.["helm.sh/hook"]).toContain("pre-install"); // exists before the migration Jobs
      expect(Object.keys(db.stringData).sort()).toEqual(serviceNames.map((s) => `${s}-database-url`).sort());
    } else {
      expect(secrets).toEqual([]);
      const env = podSpecOf(find(manifests, "Deployment", `${fullname}-musical`)).containers[0].env;
      expect(env.find((e: any) => e.name === "DATABASE_URL").valueFrom.secretKeyRef.name).toBe("outerpark-database-urls");
      expect(env.find((e: any) => e.name === "PAGE_TOKEN_SECRET").valueFrom.secretKeyRef).toEqual({ name: "outerpark-page-tokens", key: "secret" });
      const reservationEnv = podSpecOf(find(manifests, "Deployment", `${fullname}-reservation`)).containers[0].env;
      expect(reservationEnv.find((e: any) => e.name === "SERVICE_SIGNING_KEY").valueFrom.secretKeyRef).toEqual({
        name: "outerpark-reservation-key",
        key: "signing-key",
      });
    }
  });

  test("NOTES.txt renders and points at the edge, tokens and warnings that apply", () => {
    const notes = renderNotes(flavour === "production" ? [keyValues, productionValues] : [keyValues]);
    expect(notes).toContain(`port-forward svc/${fullname}-edge 8080:${flavour === "production" ? 443 : 8080}`);
    expect(notes).toContain("outerpark.js token --key keys/issuer.private.jwk.json --sub");
    expect(notes.includes("simulated payment gateway is enabled")).toBe(flavour === "default");
    expect(notes.includes("demo database password")).toBe(flavour === "default");
    const musicalMetrics = DEFAULT_METRICS_PORTS.musical;
    expect(notes).toContain(`port-forward deploy/${fullname}-musical ${musicalMetrics}:${musicalMetrics}`);
    expect(notes).toContain(`GET ${STATS_PATH} on its "stats" port (${STATS_PORT}`);
  });

  test("autoscaled Deployments leave replicas to their HPA", () => {
    for (const hpa of byKind(manifests, "HorizontalPodAutoscaler")) {
      const dep = find(manifests, "Deployment", hpa.spec.scaleTargetRef.name);
      expect(dep.spec.replicas).toBeUndefined();
    }
    expect(byKind(manifests, "HorizontalPodAutoscaler").length).toBe(flavour === "production" ? 5 : 0);
  });
});

/** Does a Service's label set match a ServiceMonitor's selector (matchLabels and In expressions)? */
function selects(selector: any, labels: Record<string, string>): boolean {
  const byLabel = Object.entries<string>(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e: any) => e.operator === "In" && e.values.includes(labels[e.key]));
  return byLabel && byExpression;
}

describe("observability values", () => {
  const withMonitoring = helmTemplate(undefined, [
    "metrics.serviceMonitor.enabled=true",
    "metrics.serviceMonitor.labels.release=kube-prometheus-stack",
    "metrics.grafanaDashboard.enabled=true",
    "tracing.otlpEndpoint=http://otel-collector.observability:4318",
  ]);
  const defaults = helmTemplate();
  const serviceDeployments = (ms: Manifest[]) => serviceNames.map((svc) => find(ms, "Deployment", `outerpark-${svc}`));
  const envOf = (d: Manifest) => Object.fromEntries(podSpecOf(d).containers[0].env.map((e: any) => [e.name, e.value]));

  test("no ServiceMonitor, dashboard or OTLP endpoint unless asked for", () => {
    expect(byKind(defaults, "ServiceMonitor")).toEqual([]);
    expect(defaults.some((m) => m.metadata.name === "outerpark-grafana-dashboard")).toBe(false);
    for (const d of serviceDeployments(defaults)) expect(Object.keys(envOf(d))).not.toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
  });

  test("the ServiceMonitors pass the Prometheus Operator's CRD schema with no unknown key", async () => {
    const monitors = byKind(withMonitoring, "ServiceMonitor");
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(["outerpark-edge", "outerpark-services"]);
    const report = await validateManifests(monitors);
    expect(report.errors).toEqual([]);
    expect(report.keysWalked).toBeGreaterThan(40);
    for (const m of monitors) expect(m.metadata.labels?.release).toBe("kube-prometheus-stack");
    // The whole render, ServiceMonitors included, still validates.
    expect((await validateManifests(withMonitoring)).errors).toEqual([]);
  });

  test("the services' ServiceMonitor selects the five ClusterIP Services and their metrics ports (kit's DEFAULT_METRICS_PORTS)", () => {
    const monitor = find(withMonitoring, "ServiceMonitor", "outerpark-services");
    expect(monitor.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s", scrapeTimeout: "10s", honorLabels: true }]);
    const scraped = byKind(withMonitoring, "Service")
      .filter((svc) => selects(monitor.spec.selector, svc.metadata.labels ?? {}))
      .flatMap((svc) => svc.spec.ports.filter((p: any) => p.name === "metrics").map((p: any) => [svc.metadata.name, p.port]));
    expect(Object.fromEntries(scraped)).toEqual(
      Object.fromEntries(serviceNames.map((svc) => [`outerpark-${svc}`, DEFAULT_METRICS_PORTS[svc as ServiceName]])),
    );
    // ...and each of those ports is a container port of the pods behind the Service.
    for (const d of serviceDeployments(withMonitoring)) {
      const svc = d.metadata.labels!["app.kubernetes.io/component"] as ServiceName;
      expect(podSpecOf(d).containers[0].ports.find((p: any) => p.name === "metrics").containerPort).toBe(DEFAULT_METRICS_PORTS[svc]);
    }
  });

  test("the edge's ServiceMonitor scrapes the stats listener, not the admin interface", () => {
    const monitor = find(withMonitoring, "ServiceMonitor", "outerpark-edge");
    expect(monitor.spec.endpoints).toEqual([{ port: "stats", path: STATS_PATH, interval: "30s", scrapeTimeout: "10s" }]);
    const scraped = byKind(withMonitoring, "Service").filter(
      (svc) => selects(monitor.spec.selector, svc.metadata.labels ?? {}) && svc.spec.ports.some((p: any) => p.name === "stats"),
    );
    expect(scraped.map((svc) => [svc.metadata.name, svc.spec.ports[0].port])).toEqual([["outerpark-edge-stats", STATS_PORT]]);
  });

  test("a broken ServiceMonitor is caught", async () => {
    const broken = structuredClone(find(withMonitoring, "ServiceMonitor", "outerpark-services"));
    broken.spec.endpoints[0].honorLabel = true; // misspelt
    broken.spec.endpoints[0].interval = 30; // not a duration string
    const { errors } = await validateManifests([broken]);
    expect(errors.join("\n")).toMatch(/endpoints\[0\]\.honorLabel: unknown field/);
    expect(errors.join("\n")).toMatch(/interval/);
  });

  test("tracing.otlpEndpoint reaches every service as OTEL_EXPORTER_OTLP_ENDPOINT; the schema refuses a non-URL", () => {
    for (const d of serviceDeployments(withMonitoring)) expect(envOf(d).OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://otel-collector.observability:4318");
    expect(() => helmTemplate(undefined, ["tracing.otlpEndpoint=otel:4318"])).toThrow(/otlpEndpoint/);
    expect(() => helmTemplate(undefined, ["tracing.otlpEndpont=http://x"])).toThrow(/additional properties 'otlpEndpont' not allowed/);
  });

  test("the dashboard ConfigMap carries deploy/grafana/outerpark.json under the sidecar's label", () => {
    const cm = find(withMonitoring, "ConfigMap", "outerpark-grafana-dashboard");
    expect(cm.metadata.labels?.grafana_dashboard).toBe("1");
    expect(JSON.parse(cm.data["outerpark.json"])).toEqual(JSON.parse(readFileSync(join(repoRoot, "deploy/grafana/outerpark.json"), "utf8")));
  });

  test("metrics.prometheusScrapeConfigs is a valid Prometheus config (promtool check config) keeping the metrics and stats ports", () => {
    const configs = parse(readFileSync(join(repoRoot, "deploy/helm/outerpark/values.yaml"), "utf8")).metrics.prometheusScrapeConfigs;
    const file = valuesFile({ scrape_configs: configs }); // JSON is YAML
    const out = execFileSync(ensurePromtool(), ["check", "config", "--syntax-only", file], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toMatch(/SUCCESS/);
    const keeps = configs.map((c: any) => [c.job_name, c.metrics_path ?? "/metrics", c.relabel_configs.find((r: any) => r.action === "keep").regex]);
    expect(keeps).toEqual([
      ["outerpark-services", "/metrics", "outerpark;metrics"],
      ["outerpark-edge", STATS_PATH, "outerpark;stats"],
    ]);
    // The port names the keep rules match are the ones the pods declare.
    const portNames = byKind(defaults, "Deployment").flatMap((d) => podSpecOf(d).containers[0].ports.map((p: any) => p.name));
    expect(portNames).toEqual(expect.arrayContaining(["metrics", "stats"]));
    // promtool really checks: a scrape config with an unknown key fails.
    const bad = valuesFile({ scrape_configs: [{ ...configs[0], metric_path: "/x" }] });
    expect(() => execFileSync(ensurePromtool(), ["check", "config", "--syntax-only", bad], { stdio: "pipe" })).toThrow(/metric_path/);
  });
});

describe("helm-check catches mistakes", () => {
  const manifests = helmTemplate();
  const deployment = () => structuredClone(find(manifests, "Deployment", "outerpark-musical"));

  test("a misspelt key deep in a pod spec", async () => {
    const d = deployment();
    podSpecOf(d).containers[0].readinesProbe = podSpecOf(d).containers[0].readinessProbe;
    const { errors } = await validateManifests([d]);
    expect(errors.join("\n")).toMatch(/containers\[0\]\.readinesProbe: unknown field/);
  });

  test("a misspelt key in metadata and in a NetworkPolicy", async () => {
    const np = structuredClone(find(manifests, "NetworkPolicy", "outerpark-musical"));
    (np.metadata as Record<string, unknown>).lables = { a: "b" };
    np.spec.ingress[0].form = np.spec.ingress[0].from;
    const { errors } = await validateManifests([np]);
    expect(errors.join("\n")).toMatch(/metadata\.lables/);
    expect(errors.join("\n")).toMatch(/ingress\[0\]\.form/);
  });

  test("a wrong type", async () => {
    const d = deployment();
    d.spec.replicas = "two";
    podSpecOf(d).containers[0].ports[0].containerPort = "grpc-port";
    const { errors } = await validateManifests([d]);
    expect(errors.join("\n")).toMatch(/replicas must be integer/);
  });

  test("an invalid enum value", async () => {
    const d = deployment();
    podSpecOf(d).containers[0].imagePullPolicy = "Sometimes";
    const { errors } = await validateManifests([d]);
    expect(errors.length).toBeGreaterThan(0);
  });

  test("a kind the API does not have", async () => {
    const { errors } = await validateManifests([{ apiVersion: "apps/v1", kind: "Deploymnet", metadata: { name: "x" } } as Manifest]).catch((e) => ({
      errors: [String(e)],
    }));
    expect(errors.join("\n")).toMatch(/Deploymnet/);
  });

  test("values.schema.json rejects a misspelt value and a wrong type", () => {
    expect(() => helmTemplate(undefined, ["services.musical.replica=3"])).toThrow(/additional properties 'replica' not allowed/);
    expect(() => helmTemplate(undefined, ["edge.replicas=many"])).toThrow(/integer/);
  });

  test("values.schema.json refuses a short page-token secret and the services' development default", () => {
    expect(() => helmTemplate(undefined, ["auth.pageTokens.secret=short"])).toThrow(/pageTokens/);
    expect(() => helmTemplate(undefined, ["auth.pageTokens.secret=outerpark-local-page-token-secret-do-not-deploy"])).toThrow(/pageTokens/);
    expect(helmTemplate(undefined, ["auth.pageTokens.secret=0123456789abcdef0123456789abcdef"]).length).toBeGreaterThan(30);
  });

  test("auth.oidc: the chart refuses a provider without audience, JWKS URI or client id, an http JWKS URI, and a role map granting service", () => {
    const oidc = {
      issuerUrl: "https://login.example.com",
      clientId: "web",
      audience: "outerpark-api",
      jwksUri: "https://login.example.com/jwks",
      algorithms: "RS256",
      roleClaim: "ext.role",
      roleMap: "",
    };
    const withOidc = (changes: Record<string, string>) => () => helmTemplate([keyValues, valuesFile({ auth: { oidc: { ...oidc, ...changes } } })]);
    expect(withOidc({})().length).toBeGreaterThan(30);
    for (const missing of ["audience", "jwksUri", "clientId"]) expect(withOidc({ [missing]: "" }), missing).toThrow(new RegExp(missing));
    expect(withOidc({ jwksUri: "http://login.example.com/jwks" })).toThrow(/jwksUri/);
    expect(withOidc({ issuerUrl: "http://login.example.com" })).toThrow(/issuerUrl/);
    expect(withOidc({ roleMap: "robots=service" })).toThrow(/roleMap/);
    expect(withOidc({ algorithms: "HS256" })).toThrow(/algorithms/);
    // A JWKS on its own port: the edge's cluster connects there.
    const edge = withOidc({ jwksUri: "https://keys.example.com:8443/jwks" })().find(
      (m) => m.kind === "ConfigMap" && m.metadata.name === "outerpark-edge",
    )!;
    const jwksCluster = parse(edge.data["envoy.yaml"]).static_resources.clusters.find((c: any) => c.name === OIDC_JWKS_CLUSTER);
    expect(jwksCluster.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({
      address: "keys.example.com",
      port_value: 8443,
    });
  });

  test("the chart refuses missing, private, symmetric, local and mismatched keys", () => {
    const jwks = testKeys.jwks;
    const reservationKey = JSON.stringify(testKeys.privateKeys.reservation);
    const withAuth = (auth: Record<string, unknown>) => () =>
      helmTemplate([valuesFile({ auth: { jwks: JSON.stringify(jwks), reservationKey: { key: reservationKey }, ...auth } })]);
    const relabel = (kid: string) => ({ keys: jwks.keys.map((k) => (k.kid!.startsWith("issuer:") ? { ...k, kid } : k)) });
    expect(() => helmTemplate([])).toThrow(/auth.jwks is required/);
    expect(withAuth({ jwks: "not json" })).toThrow(/auth.jwks must be a JWKS/);
    expect(withAuth({ jwks: JSON.stringify({ keys: [...jwks.keys, testKeys.privateKeys.issuer] }) })).toThrow(/private key material/);
    expect(withAuth({ jwks: JSON.stringify({ keys: [...jwks.keys, { kty: "oct", kid: "issuer:hs", k: "c2VjcmV0" }] }) })).toThrow(
      /not an EC P-256 public key/,
    );
    expect(withAuth({ jwks: JSON.stringify(relabel("issuer:local-1a2b3c4d")) })).toThrow(/made by make up/);
    expect(withAuth({ jwks: JSON.stringify(relabel("reservation:2026")) })).toThrow(/no issuer key/);
    expect(withAuth({ reservationKey: { key: "" } })).toThrow(/auth.reservationKey.existingSecret or auth.reservationKey.key is required/);
    expect(withAuth({ reservationKey: { key: JSON.stringify(testKeys.privateKeys.issuer) } })).toThrow(/does not match a reservation key/);
    expect(withAuth({ reservationKey: { key: JSON.stringify(generateKeySet(["reservation"], "20261125-other").privateKeys.reservation) } })).toThrow(
      /does not match/,
    );
    expect(withAuth({ reservationKey: { key: JSON.stringify(jwks.keys.find((k) => k.kid!.startsWith("reservation:"))) } })).toThrow(/private EC JWK/);
  });

  test("a release name that would overflow DNS labels is truncated", () => {
    const long = helmTemplate(undefined, [], "a-very-long-release-name-that-keeps-going");
    for (const s of byKind(long, "Service")) expect(s.metadata.name.length).toBeLessThanOrEqual(63);
  });

  test("helm is the pinned build", () => {
    expect(ensureHelm()).toMatch(/\.tools\/bin\/helm$/);
  });
});

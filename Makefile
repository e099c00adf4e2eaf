# Every target runs with the project's own Node 24 (the `node` npm package):
# the machine's node may be older. Only npm (any version) must exist beforehand.
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/.tools/bin:$(PATH)
SHELL := /bin/bash

.PHONY: install generate grpc-types build web chromium lint test up chaos bench breaking

# Dependencies, installed again whenever the lock changes.
node_modules/.installed: package-lock.json package.json
	npm ci
	touch $@

install: node_modules/.installed

generate: install
	buf generate
	$(MAKE) --no-print-directory grpc-types

# Types of the tests' grpc-js clients (test/support/grpc-clients.ts), with the loader options used there.
GRPC_TYPES ?= test/support/grpc-types
grpc-types:
	rm -rf $(GRPC_TYPES)
	proto-loader-gen-types --longs=String --enums=String --defaults --oneofs --grpcLib=@grpc/grpc-js \
	  --importFileExtension=.js -I proto -O $(GRPC_TYPES) \
	  outerpark/musical/v1/musical.proto outerpark/reservation/v1/reservation.proto outerpark/payment/v1/payment.proto \
	  outerpark/notice/v1/notice.proto outerpark/customercenter/v1/customercenter.proto grpc/health/v1/health.proto

build: install
	tsc -p tsconfig.build.json

# The browser app (web/) into dist/web: `make up` and the browser test serve it.
web: install
	vite build --config web/vite.config.ts --logLevel warn

# Debian's Chromium for the browser test (test/browser), installed with apt-get when missing. Where it cannot be
# installed (no root, no apt), say so: the browser test then skips with the same message.
export CHROMIUM ?= /usr/bin/chromium
chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get install -y --no-install-recommends chromium || (apt-get update && apt-get install -y --no-install-recommends chromium)) >/dev/null \
	    || echo "chromium: apt-get install chromium failed; the browser test will be skipped"; \
	else echo "chromium: not installed and apt-get needs root here; the browser test will be skipped (install the chromium package)"; fi

# The whole system on this machine: embedded PostgreSQL and a local nats-server
# unless OUTERPARK_POSTGRES_URL / OUTERPARK_NATS_URL are given.
up: build web
	node dist/tools/up.js

# Every test: unit, per-service, end to end, chaos, edge (Envoy, Helm, Docker, grpcurl), the web app in Chromium.
# (The tests' global setup also runs `make web`, so a single test file run serves a fresh app.)
test: install web chromium
	@mkdir -p .data
	vitest run --reporter=default --reporter=json --outputFile.json=.data/vitest-report.json; status=$$?; \
	  node tools/test-summary.ts .data/vitest-report.json || true; exit $$status

# The crash-safety test alone (it also runs in `make test`).
chaos: install
	vitest run test/chaos

# The formatter's view of the code (Prettier; generated code and the chart are left alone).
FORMATTED := "**/*.{ts,tsx,js}"

lint: install
	tsc -p tsconfig.json --noEmit
	tsc -p web/tsconfig.json --noEmit
	buf lint
	eslint .
	prettier --check $(FORMATTED)

format: install
	prettier --write $(FORMATTED)

# Contract changes that would break existing clients, against BASE (default: main's last commit).
BASE ?= .git\#branch=main
breaking: install
	buf breaking --against '$(BASE)'

# Every bench file (onsale, payments, overhead); one alone with BENCH_ONLY, e.g. make bench BENCH_ONLY=overhead
bench: install
	vitest run --config vitest.bench.config.ts $(if $(BENCH_ONLY),test/bench/$(BENCH_ONLY).bench.ts)

# --- Edge and Kubernetes (issue 4) ---------------------------------------
.PHONY: tools envoy-config envoy-check helm-check dashboard dashboard-check

# Pinned Go tools into .tools/bin, each only when missing: make tools TOOLS="helm grpcurl"
tools:
	tools/go-tools.sh $(TOOLS)

# Regenerate envoy/envoy.yaml and the chart's files/envoy.yaml from envoy/generate.ts.
envoy-config:
	node envoy/generate.ts

# Envoy config: up to date, valid against Envoy's v3 protos, and meaning what it must.
envoy-check:
	node envoy/generate.ts --check
	vitest run test/edge/envoy-config.test.ts

# Regenerate the Grafana dashboard (deploy/grafana/outerpark.json and the chart's copy) from deploy/grafana/generate.ts.
dashboard:
	node deploy/grafana/generate.ts

# The dashboard up to date, well-formed, and reading only metrics a running system exposes (needs `make build`).
dashboard-check:
	node deploy/grafana/generate.ts --check
	vitest run test/edge/grafana-dashboard.test.ts

# helm lint --strict, helm template (default + production values), strict manifest validation.
helm-check:
	tools/go-tools.sh helm
	vitest run test/edge/helm.test.ts

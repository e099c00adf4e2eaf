# Every target runs with the project's own Node 24 (the `node` npm package).
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/.tools/bin:$(PATH)
SHELL := /bin/bash

.PHONY: install generate build lint test up

install:
	npm ci --allow-scripts

generate:
	buf generate

build:
	tsc -p tsconfig.build.json

# --- Edge and Kubernetes (issue 4) ---------------------------------------
.PHONY: tools envoy-config envoy-check helm-check

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

# helm lint --strict, helm template (default + production values), strict manifest validation.
helm-check:
	tools/go-tools.sh helm
	vitest run test/edge/helm.test.ts

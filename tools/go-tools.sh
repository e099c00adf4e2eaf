#!/usr/bin/env bash
# Builds the project's Go command-line tools into .tools/bin (git-ignored) with
# `go install` at pinned versions. Each tool is built only when missing, so a
# second run costs nothing. Usage: tools/go-tools.sh [helm] [grpcurl] [nats-server] [ghz] [promtool]
# (no argument = all, in the order that matters most on a 2-core machine).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="${root}/.tools/bin"

# name -> module@version. Versions checked against the Go module proxy with
# `go list -m -versions <module>`.
declare -A modules=(
  [helm]="helm.sh/helm/v3/cmd/helm@v3.21.4"
  [grpcurl]="github.com/fullstorydev/grpcurl/cmd/grpcurl@v1.9.3"
  [nats-server]="github.com/nats-io/nats-server/v2@v2.11.17"
  [ghz]="github.com/bojand/ghz/cmd/ghz@v0.120.0"
  [promtool]="github.com/prometheus/prometheus/cmd/promtool@v0.316.0"
)
order=(helm grpcurl nats-server ghz promtool)

# Link-time values the projects' own release builds set. Helm's default
# Kubernetes version (for lint and template capabilities) would otherwise be
# v1.20; v3.21.4 is built against client-go v0.36, i.e. Kubernetes 1.36.
declare -A ldflags=(
  [helm]="-X helm.sh/helm/v3/internal/version.version=v3.21.4 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=36 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=36"
  [grpcurl]="-X main.version=v1.9.3"
  [nats-server]=""
  [ghz]="-X main.version=v0.120.0"
  [promtool]=""
)

if ! command -v go >/dev/null 2>&1; then
  echo "go-tools: the go toolchain is required (https://go.dev/dl)" >&2
  exit 1
fi

wanted=("$@")
[[ ${#wanted[@]} -eq 0 ]] && wanted=("${order[@]}")

mkdir -p "${bin}"
for name in "${wanted[@]}"; do
  module="${modules[${name}]:-}"
  if [[ -z "${module}" ]]; then
    echo "go-tools: unknown tool '${name}' (known: ${order[*]})" >&2
    exit 2
  fi
  [[ -x "${bin}/${name}" ]] && continue
  # Parallel test workers may ask for the same tool: one builds, the others wait.
  exec {lock}>"${bin}/.${name}.lock"
  flock "${lock}"
  if [[ ! -x "${bin}/${name}" ]]; then
    echo "go-tools: building ${module} into ${bin}" >&2
    # CGO off: static binaries, no C toolchain needed.
    GOBIN="${bin}" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath" go install -ldflags "${ldflags[${name}]}" "${module}"
  fi
  exec {lock}>&-
done

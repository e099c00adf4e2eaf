#!/usr/bin/env bash
# Builds the project's Go command-line tools into .tools/bin (git-ignored) with
# `go install` at pinned versions. Each tool is built only when missing, so a
# second run costs nothing. Usage: tools/go-tools.sh [helm] [grpcurl] [nats-server] [ghz] [promtool] [hydra]
# (no argument = all, in the order that matters most on a 2-core machine).
# hydra (Ory Hydra, the OpenID Connect provider of the sign-in tests) is built in a
# temporary module instead: plain `go install` refuses a module with replace directives.
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
  [hydra]="github.com/ory/hydra/v2@v2.3.0"
)
order=(helm grpcurl nats-server ghz promtool hydra)

# Link-time values the projects' own release builds set. Helm's default
# Kubernetes version (for lint and template capabilities) would otherwise be
# v1.20; v3.21.4 is built against client-go v0.36, i.e. Kubernetes 1.36.
declare -A ldflags=(
  [helm]="-X helm.sh/helm/v3/internal/version.version=v3.21.4 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=36 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=36"
  [grpcurl]="-X main.version=v1.9.3"
  [nats-server]=""
  [ghz]="-X main.version=v0.120.0"
  [promtool]=""
  [hydra]="-X github.com/ory/hydra/v2/driver/config.Version=v2.3.0"
)

# Hydra v2.3.0's own go.mod replaces pop with Ory's fork; a dependent module must say so itself.
hydra_replaces=("github.com/gobuffalo/pop/v6=github.com/ory/pop/v6@v6.2.1-0.20241121111754-e5dfc0f3344b")

# Builds a module whose go.mod has replace directives: a throwaway module requires it as a tool,
# repeats those replaces, and builds the binary at the pinned version (no Go source lands in the repo).
build_in_scratch_module() {
  local name="$1" module="$2" scratch status=0
  scratch="$(mktemp -d)"
  if ! (
    set -e
    cd "${scratch}"
    go mod init "outerpark-tools/${name}" 2>/dev/null
    for r in "${hydra_replaces[@]}"; do go mod edit -replace "${r}"; done
    go get -tool "${module}" 2>get.log || { cat get.log >&2; exit 1; }
    CGO_ENABLED=0 go build -trimpath -ldflags "${ldflags[${name}]}" -o "${bin}/${name}.partial" "${module%@*}"
  ); then status=1; fi
  rm -rf "${scratch}"
  [[ ${status} -eq 0 ]] && mv "${bin}/${name}.partial" "${bin}/${name}"
  return ${status}
}

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
    if [[ "${name}" == hydra ]]; then
      build_in_scratch_module "${name}" "${module}"
    else
      # CGO off: static binaries, no C toolchain needed.
      GOBIN="${bin}" CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath" go install -ldflags "${ldflags[${name}]}" "${module}"
    fi
  fi
  exec {lock}>&-
done

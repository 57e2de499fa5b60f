#!/usr/bin/env bash
# Builds k6 (and, when it builds, a k6 with the xk6-mqtt extension) from source with Go,
# into benchmarks/.bin/. k6 is on neither npm nor Debian (architecture.md "Hard-won facts").
# Usage: benchmarks/build-k6.sh            (k6 only)
#        benchmarks/build-k6.sh --mqtt     (also try xk6 + xk6-mqtt)
set -euo pipefail
K6_VERSION="${K6_VERSION:-v1.8.1}"          # pinned: go.k6.io/k6
XK6_VERSION="${XK6_VERSION:-v1.2.3}"        # pinned: go.k6.io/xk6 (the builder)
XK6_MQTT="${XK6_MQTT:-github.com/grafana/xk6-mqtt}"   # add @vX.Y.Z to pin
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/.bin"
mkdir -p "$bin"
if ! command -v go >/dev/null; then
  echo "build-k6: Go is not installed; k6 benchmarks will be skipped" >&2
  exit 2
fi
echo "build-k6: go install go.k6.io/k6@$K6_VERSION -> $bin/k6" >&2
GOBIN="$bin" nice go install "go.k6.io/k6@$K6_VERSION"
"$bin/k6" version >&2
if [[ "${1:-}" == "--mqtt" ]]; then
  echo "build-k6: go install go.k6.io/xk6@$XK6_VERSION, then xk6 build --with $XK6_MQTT" >&2
  GOBIN="$bin" nice go install "go.k6.io/xk6/cmd/xk6@$XK6_VERSION"
  (cd "$bin" && nice ./xk6 build "$K6_VERSION" --with "$XK6_MQTT" --output "$bin/k6-mqtt")
  "$bin/k6-mqtt" version >&2
fi

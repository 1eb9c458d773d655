#!/usr/bin/env bash
# Installs what the end-to-end tests run against, once; quick when all is there.
#   Debian: prosody, ejabberd, lua-unbound (Prosody's resolver, pointed at our DNS), chromium, openssl
#   PyPI:   matrix-synapse in /opt/chatlas-synapse, schemathesis in /opt/chatlas-schemathesis
#   Go:     dendrite (matrix-org/dendrite, from the Go module proxy) in /opt/chatlas-dendrite
# Needs root for apt-get (CI and the dev machines run as root). Nothing here starts a service:
# the tests start their own servers on 127.x with checked-in configs.
set -euo pipefail

SYNAPSE_VERSION="${CHATLAS_SYNAPSE_VERSION:-1.163.2}"
SCHEMATHESIS_VERSION="${CHATLAS_SCHEMATHESIS_VERSION:-4.32.5}"
need_apt=()
for pkg in prosody ejabberd lua-unbound chromium openssl; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$pkg")
done
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "install-test-deps: apt-get install ${need_apt[*]}"
  # Keep Debian's maintainer scripts from starting the packaged daemons: they would listen on
  # 0.0.0.0:5222/5269 and clash with the test servers, and their defaults are not ours.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
if ! /opt/chatlas-synapse/bin/python -c "import synapse" >/dev/null 2>&1; then
  echo "install-test-deps: pip install matrix-synapse==$SYNAPSE_VERSION"
  python3 -m venv /opt/chatlas-synapse
  /opt/chatlas-synapse/bin/pip install -q "matrix-synapse==$SYNAPSE_VERSION"
fi
# The API e2e test runs `st run --checks all`: another version has other checks, so the pinned one is
# reinstalled when a different one is found.
if [ "$(/opt/chatlas-schemathesis/bin/st --version 2>/dev/null)" != "st, version $SCHEMATHESIS_VERSION" ]; then
  echo "install-test-deps: pip install schemathesis${SCHEMATHESIS_VERSION:+==$SCHEMATHESIS_VERSION}"
  python3 -m venv /opt/chatlas-schemathesis
  /opt/chatlas-schemathesis/bin/pip install -q "schemathesis${SCHEMATHESIS_VERSION:+==$SCHEMATHESIS_VERSION}"
fi
# Go module proxy: Dendrite (the second real homeserver of the e2e tests), built once into
# /opt/chatlas-dendrite. About 8 minutes on a 2-core machine from an empty module cache; needs
# Go and a C compiler (go-sqlite3 is cgo).
DENDRITE_VERSION="${CHATLAS_DENDRITE_VERSION:-v0.13.8}"
if [ "$(/opt/chatlas-dendrite/bin/dendrite --version 2>/dev/null)" != "${DENDRITE_VERSION#v}" ]; then
  GO="$(command -v go || echo /usr/local/go/bin/go)"
  echo "install-test-deps: go install github.com/matrix-org/dendrite/cmd/dendrite@$DENDRITE_VERSION"
  mkdir -p /opt/chatlas-dendrite/bin
  GOFLAGS="${GOFLAGS:-} -mod=mod" GOBIN=/opt/chatlas-dendrite/bin "$GO" install "github.com/matrix-org/dendrite/cmd/dendrite@$DENDRITE_VERSION"
fi

#!/usr/bin/env bash
# setup.sh - installs every dependency of atoll, pinned in scripts/deps.lock:
#   Debian packages (apt-get), DuckDB's release build from the npm registry (checked by
#   SHA-256, unpacked into .deps/duckdb-1.4.4), and the npm test tools (.deps/node, from
#   scripts/node/package-lock.json).
# Idempotent: when everything is present it only checks versions (well under a second).
# Needs root (or sudo) only when a Debian package is missing.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
LOCK=$ROOT/scripts/deps.lock
DEPS=$ROOT/.deps
log() { echo "[setup] $*" >&2; }
die() { echo "[setup] ERROR: $*" >&2; exit 1; }

# ------------------------------------------------------------------ Debian packages
missing=()
declare -A want
while read -r kind name pattern; do
  [ "$kind" = debian ] || continue
  want[$name]=$pattern
  v=$(dpkg-query -W -f='${Status} ${Version}' "$name" 2>/dev/null || true)
  case $v in "install ok installed "*) ;; *) missing+=("$name") ;; esac
done < <(grep -v '^#' "$LOCK")
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Packages with a service (nginx, postgresql) must not start it: the tests start their
  # own servers on loopback. policy-rc.d answering 101 tells invoke-rc.d so.
  policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod 755 "$policy"
    trap '$SUDO rm -f "$policy"' EXIT
  fi
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2 || {
    $SUDO apt-get update -q >&2
    $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; }
  [ -z "$policy" ] || $SUDO rm -f "$policy"
fi
for name in "${!want[@]}"; do
  v=$(dpkg-query -W -f='${Version}' "$name")
  # shellcheck disable=SC2053
  [[ $v == ${want[$name]} ]] || die "$name $v is installed but deps.lock pins ${want[$name]}"
done

# ------------------------------------------------------------------ DuckDB from npm
fetch_npm() {  # name@version sha256 -> path of the verified tarball in .deps/npm
  local spec=$1 sha=$2 dir=$DEPS/npm
  mkdir -p "$dir"
  local file; file=$dir/$(echo "$spec" | sed 's/^@//; s/\//-/; s/@/-/').tgz
  if [ ! -f "$file" ] || ! echo "$sha  $file" | sha256sum -c --status; then
    log "fetching $spec from the npm registry"
    local tmp; tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "$spec" >/dev/null)
    mv "$tmp"/*.tgz "$file"; rm -rf "$tmp"
    echo "$sha  $file" | sha256sum -c --status || die "SHA-256 of $spec does not match deps.lock"
  fi
  echo "$file"
}
DUCK=$DEPS/duckdb-1.4.4
if [ ! -f "$DUCK/.complete" ]; then
  read -r _ bspec bsha < <(grep '^npm @duckdb/node-bindings' "$LOCK")
  read -r _ sspec ssha < <(grep '^npm duckdb@' "$LOCK")
  btar=$(fetch_npm "$bspec" "$bsha"); star=$(fetch_npm "$sspec" "$ssha")
  rm -rf "$DUCK"; mkdir -p "$DUCK/lib" "$DUCK/include"
  tar -xzf "$btar" -C "$DUCK/lib" --strip-components=1 package/libduckdb.so
  tar -xzf "$star" -C "$DUCK/include" --strip-components=5 package/src/duckdb/src/include
  [ -f "$DUCK/include/duckdb.h" ] && [ -f "$DUCK/include/duckdb.hpp" ] || die "DuckDB headers missing after unpacking"
  touch "$DUCK/.complete"
  log "DuckDB 1.4.4 ready in $DUCK"
fi

# ------------------------------------------------------------------ npm test tools
NODE_DIR=$ROOT/scripts/node
if [ -f "$NODE_DIR/package-lock.json" ]; then
  stamp=$DEPS/node/.lock-sha
  cur=$(sha256sum "$NODE_DIR/package-lock.json" | cut -d' ' -f1)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$cur" ] || [ ! -d "$DEPS/node/node_modules" ]; then
    log "installing npm test tools (package-lock.json)"
    mkdir -p "$DEPS/node"
    cp "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json" "$DEPS/node/"
    (cd "$DEPS/node" && npm ci --silent --no-audit --no-fund >&2)
    echo "$cur" > "$stamp"
  fi
fi
log "dependencies ok"

#!/usr/bin/env bash
# Installs everything tsbridge needs to build, test and benchmark on Debian 12: the Debian
# packages (compiler, libraries, tools; clang and its runtime for the libFuzzer targets of
# tests/fuzz) and the npm packages the test oracles come from (the official Tablestore Node.js
# SDK and DuckDB), pinned by tests/package-lock.json.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

packages=(
  build-essential cmake pkg-config git ca-certificates
  libcli11-dev nlohmann-json3-dev libspdlog-dev doctest-dev
  libcurl4-openssl-dev libssl-dev
  libprotobuf-dev protobuf-compiler
  librocksdb-dev libcpp-httplib-dev
  libsnappy-dev libzstd-dev liblz4-dev libbrotli-dev zlib1g-dev
  hyperfine gnuplot-nox procps time
  man-db groff-base zsh fish dpkg-dev
  clang libclang-rt-dev
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Debian's nodejs/npm only where no Node.js is installed: an image that ships its own Node.js
# conflicts with Debian's npm package.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}" >&2
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi

# Test oracles from npm, exactly as locked.
if ! cmp -s tests/package-lock.json tests/node_modules/.tsb-installed-lock 2>/dev/null; then
  echo "install-deps: npm ci in tests/" >&2
  (cd tests && npm ci --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.tsb-installed-lock)
fi

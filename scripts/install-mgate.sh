#!/bin/sh
# Build mgate from this source tree and install it (Release, no tests), for
# a CI job or a machine without the Debian package: the build packages from
# Debian (install-deps.sh build), then cmake. Prefix: $PREFIX, else
# /usr/local. Uses sudo when not root. usage: scripts/install-mgate.sh
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${TMPDIR:-/tmp}/mgate-build.$$
trap 'rm -rf "$build"' EXIT
"$src/scripts/install-deps.sh" build
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DMGATE_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
$SUDO cmake --install "$build" --prefix "${PREFIX:-/usr/local}" >/dev/null
echo "install-mgate: $("${PREFIX:-/usr/local}/bin/mgate" --version) in ${PREFIX:-/usr/local}"

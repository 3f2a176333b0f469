#!/bin/sh
# Install what mgate needs from Debian's packages: to build and test it
# (no argument), or only to build and run it (`install-deps.sh build`).
# Idempotent: when every package is already installed it changes nothing
# and needs no network. Uses sudo when not run as root.
set -eu

BUILD="cmake make gcc pkg-config
libpq-dev libsqlite3-dev libgit2-dev libpcre2-dev libpg-query-dev
libprotobuf-c-dev libinih-dev libjansson-dev libssl-dev libgraphviz-dev libyajl-dev dpkg-dev file"
TEST="clang libclang-rt-14-dev libcmocka-dev
python3 python3-psycopg2 python3-yaml python3-jsonschema pre-commit fish debootstrap alembic postgresql pgbackrest
sqlite3 git util-linux zsh clang-format gcovr zstd chromium"
case "${1:-}" in
build) PACKAGES="$BUILD" ;;
"") PACKAGES="$BUILD $TEST" ;;
*) echo "usage: install-deps.sh [build]" >&2; exit 2 ;;
esac

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	echo "install-deps: all packages are installed"
	exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO="sudo"
	else
		echo "install-deps: not root and no sudo; install these Debian packages:$missing" >&2
		exit 3
	fi
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "install-deps: done"

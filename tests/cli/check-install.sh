#!/usr/bin/env bash
# An installed mgate finds its rules and rule pages beside the binary
# (share/mgate/rules, share/mgate/docs/rules), with no source tree and no
# MGATE_RULES_DIR. usage: check-install.sh BUILD_DIR
set -eu
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
# a copy of the binary elsewhere must not find the source tree through the
# build directory either: run the installed one from an empty folder
cd "$prefix"
unset MGATE_RULES_DIR
out=$("$prefix/bin/mgate" explain drop-column)
echo "$out" | grep -q "^# drop-column" || { echo "explain did not print the installed page"; exit 1; }
echo "$out" | grep -q "defined:  $prefix/share/mgate/rules/destructive.ini" || { echo "rules not loaded from the install: $out" | tail -3; exit 1; }
n=$("$prefix/bin/mgate" rules --format json | grep -c '"id"')
[ "$n" -ge 30 ] || { echo "only $n rules installed"; exit 1; }
echo "installed layout ok ($n rules)"

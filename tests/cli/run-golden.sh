#!/usr/bin/env bash
# Golden-file CLI tests: each folder under cases/ holds `args` (the mgate
# arguments, one per line, run from the repository root) and the expected
# `stdout`, `stderr` and `rc`. The repository path in output is written as
# @ROOT@. usage: run-golden.sh MGATE ROOT [--update]
set -u
mgate=$1 root=$2 update=${3:-}
cases="$(dirname "$0")/cases"
pass=0 fail=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
for dir in "$cases"/*/; do
	name=$(basename "$dir")
	mapfile -t args < "$dir/args"
	(cd "$root" && "$mgate" "${args[@]}") >"$out" 2>"$err"
	rc=$?
	sed -i "s|$root|@ROOT@|g" "$out" "$err"
	if [ "$update" = "--update" ]; then
		cp "$out" "$dir/stdout"
		cp "$err" "$dir/stderr"
		echo "$rc" > "$dir/rc"
		continue
	fi
	ok=1
	diff -u "$dir/stdout" "$out" >/dev/null || { echo "--- $name: stdout differs"; diff -u "$dir/stdout" "$out" | head -30; ok=0; }
	diff -u "$dir/stderr" "$err" >/dev/null || { echo "--- $name: stderr differs"; diff -u "$dir/stderr" "$err" | head -30; ok=0; }
	[ "$(cat "$dir/rc")" = "$rc" ] || { echo "--- $name: exit $rc, expected $(cat "$dir/rc")"; ok=0; }
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

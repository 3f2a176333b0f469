#!/usr/bin/env bash
# Every option a command's --help lists (generated from its option table)
# must be documented in docs/cli.md and in the man page, and every command
# in the command table must have a section in both.
set -u
mgate=$1 root=$2
fail=0 pass=0
commands=$("$mgate" --help | awk '/^commands:/{on=1;next} on&&NF==0{on=0} on{print $1}')
for cmd in $commands; do
	for doc in "$root/docs/cli.md" "$root/docs/mgate.1"; do
		if grep -q -- "$cmd" "$doc"; then pass=$((pass + 1)); else echo "command '$cmd' is not in $doc"; fail=$((fail + 1)); fi
	done
	for opt in $("$mgate" "$cmd" --help | grep -oE -- '--[a-z][a-z-]+' | sort -u); do
		man_opt=$(printf '%s' "$opt" | sed 's/-/\\\\-/g')
		if grep -q -- "$opt" "$root/docs/cli.md"; then pass=$((pass + 1)); else echo "$cmd: '$opt' is not in docs/cli.md"; fail=$((fail + 1)); fi
		if grep -q -- "$man_opt" "$root/docs/mgate.1"; then pass=$((pass + 1)); else echo "$cmd: '$opt' is not in docs/mgate.1"; fail=$((fail + 1)); fi
	done
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]

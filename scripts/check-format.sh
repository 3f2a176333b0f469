#!/bin/sh
# Every C file of mgate is formatted as .clang-format says (clang-format
# from Debian, as scripts/install-deps.sh installs it). With --fix, format
# them in place instead.
set -eu
cd "$(dirname "$0")/.."
files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c' 'bench/*.c' 2>/dev/null || true)
[ -n "$files" ] || files=$(find src tests fuzz bench -name '*.[ch]' 2>/dev/null)
if [ "${1:-}" = "--fix" ]; then
	# shellcheck disable=SC2086
	clang-format -i $files
	exit 0
fi
# shellcheck disable=SC2086
log=$(mktemp)
if ! clang-format --dry-run --Werror $files 2>"$log"; then
	head -40 "$log" >&2
	rm -f /tmp/mgate-format.$$
	echo "check-format: these files are not formatted as .clang-format says; run scripts/check-format.sh --fix" >&2
	exit 1
fi
rm -f /tmp/mgate-format.$$
echo "check-format: every C file is formatted"

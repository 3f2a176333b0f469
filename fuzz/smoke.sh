#!/bin/sh
# Run one fuzz target briefly on a scratch copy of its seed corpus, so the
# committed corpus is never modified. usage: smoke.sh BINARY CORPUS_DIR SECONDS
set -eu
bin=$1 corpus=$2 secs=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -R "$corpus"/. "$work"/
cd "$work"
"$bin" -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "$work" 2>&1 | tail -15

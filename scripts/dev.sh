#!/bin/sh
# The two Quick start commands of the README.
#   scripts/dev.sh demo   install, build, and run mgate on the bundled SQLite demo
#   scripts/dev.sh test   install, check the formatting, build gcc Release and
#                         clang (unit tests), the unit tests' coverage of the
#                         gate (gcc, at least 80%), the fuzzers (clang), and
#                         gcc Debug with ASan+UBSan for the whole suite
#                         (ctest); warnings are errors in every build
set -eu
cd "$(dirname "$0")/.."
JOBS=$(nproc 2>/dev/null || echo 2)

case "${1:-}" in
demo)
	scripts/install-deps.sh
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMGATE_TESTS=OFF >/dev/null
	cmake --build build -j "$JOBS" >/dev/null
	cd fixtures/demo
	echo "== mgate heads (fixtures/demo)"
	../../build/mgate heads
	echo
	echo "== mgate history"
	../../build/mgate history
	echo
	echo "== mgate graph --format mermaid"
	../../build/mgate graph --format mermaid
	echo
	# a demo database two steps behind: the real Alembic applies the first ones
	rm -f demo.db demo.db.pre-restore-* audit.jsonl
	/usr/bin/python3 -m alembic -c alembic.ini upgrade 8b3f5e6d0c12 >/dev/null 2>&1
	echo "== mgate status (demo.db, upgraded by Alembic to 8b3f5e6d0c12)"
	../../build/mgate status
	echo
	echo "== mgate lint (the pending revisions, judged against rules/)"
	../../build/mgate lint || echo "(mgate lint exited $?: error findings would close the gate)"
	echo
	rm -rf backups
	echo "== mgate check (no backup yet: the gate stays closed)"
	../../build/mgate check || echo "(mgate check exited $?: closed)"
	echo
	echo "== mgate backup"
	../../build/mgate backup
	echo
	echo "== mgate plan"
	../../build/mgate plan
	echo
	echo "== mgate upgrade (checklist, lock, snapshot, the real alembic upgrade, verification)"
	../../build/mgate upgrade
	echo
	echo "== mgate status"
	../../build/mgate status
	echo
	echo "== mgate rollback --dry-run (the ways back from that upgrade, compared)"
	../../build/mgate rollback --dry-run
	echo
	echo "== mgate rollback --yes (back to where the upgrade started, verified against the snapshot)"
	../../build/mgate rollback --yes
	echo
	echo "== mgate rehearse (the same upgrade on a restored copy first: durations and the round trip)"
	../../build/mgate rehearse
	echo
	echo "== mgate drill (backup -> restore into a scratch database -> checks)"
	../../build/mgate drill
	;;
test)
	scripts/install-deps.sh
	scripts/check-format.sh
	# the fuzz targets (clang, libFuzzer), whose smoke runs ctest makes below
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DMGATE_FUZZ=ON -DMGATE_TESTS=OFF -DMGATE_WERROR=ON >/dev/null
	cmake --build build-fuzz -j "$JOBS" >/dev/null
	# a packager's gcc Release build and a clang build, with the tests on:
	# both compile without a warning and pass the unit tests
	for variant in "release:gcc:Release" "clang:clang:Debug"; do
		dir=build-${variant%%:*}
		rest=${variant#*:}
		cmake -S . -B "$dir" -DCMAKE_C_COMPILER="${rest%%:*}" -DCMAKE_BUILD_TYPE="${rest#*:}" \
			-DMGATE_WERROR=ON >/dev/null
		cmake --build "$dir" -j "$JOBS" >/dev/null
		(cd "$dir" && ctest --output-on-failure -j "$JOBS" -L unit >/dev/null) ||
			{ echo "dev.sh: the unit tests fail in the $dir build" >&2; exit 1; }
		echo "dev.sh: $dir builds without warnings and passes the unit tests"
	done
	# the unit tests alone cover at least 80% of the gate's lines (gcovr)
	cmake -S . -B build-coverage -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Debug -DMGATE_COVERAGE=ON \
		-DMGATE_WERROR=ON >/dev/null
	cmake --build build-coverage -j "$JOBS" >/dev/null
	if ! cmake --build build-coverage --target coverage >build-coverage/coverage.log 2>&1; then
		tail -40 build-coverage/coverage.log >&2
		echo "dev.sh: the unit tests' coverage of the gate is short (build-coverage/coverage.log)" >&2
		exit 1
	fi
	grep -E '^(src/|together)' build-coverage/coverage.log
	# the whole suite on gcc's Debug build under ASan and UBSan
	cmake -S . -B build-test -DCMAKE_C_COMPILER=gcc -DCMAKE_BUILD_TYPE=Debug -DMGATE_SANITIZE=ON -DMGATE_WERROR=ON \
		-DMGATE_FUZZ_BIN_DIR="$PWD/build-fuzz/fuzz" >/dev/null
	cmake --build build-test -j "$JOBS" >/dev/null
	cd build-test
	ctest --output-on-failure -j "$JOBS"
	;;
*)
	echo "usage: scripts/dev.sh demo|test" >&2
	exit 2
	;;
esac

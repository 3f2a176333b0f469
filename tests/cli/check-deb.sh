#!/usr/bin/env bash
# The Debian package: built with CPack from the build folder, its control
# fields and contents checked, then installed and used. As root with
# debootstrap it is installed with apt into a clean Debian 12 root
# (tests/clean-root.sh), which brings its dependencies and what it
# recommends, and --version, `mgate rules` and the demo's upgrade through
# the gate run there. Otherwise, as root, it is installed into this machine
# with dpkg -i (when no mgate package is there already) and removed again;
# else unpacked with dpkg-deb -x. The test says which it did.
# usage: check-deb.sh BUILD_DIR SOURCE_DIR
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
work=$(mktemp -d)
installed=""
cleanup() {
	if [ -n "$installed" ]; then dpkg -r mgate >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL $*"; exit 1; }
(cd "$build" && cpack -G DEB -B "$work/out" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/mgate_*.deb)
echo "built $(basename "$deb")"

# control: libraries from dpkg-shlibdeps, what it recommends
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libpq5 libsqlite3-0 libgit2 libpcre2-8-0 libjansson4 libpg-query libinih1 libssl3; do
	case "$depends" in *"$lib"*) ;; *) fail "Depends lacks $lib: $depends" ;; esac
done
[ "$(dpkg-deb -f "$deb" Recommends)" = "alembic, postgresql-client" ] || fail "Recommends: $(dpkg-deb -f "$deb" Recommends)"

# contents: the binary, the rules and their pages, the man page, the completions, the demo
dpkg-deb -c "$deb" | awk '{print $6}' >"$work/files"
for f in ./usr/bin/mgate ./usr/share/mgate/rules/destructive.ini ./usr/share/mgate/docs/rules/drop-column.md \
	./usr/share/man/man1/mgate.1 ./usr/share/bash-completion/completions/mgate \
	./usr/share/zsh/vendor-completions/_mgate ./usr/share/fish/vendor_completions.d/mgate.fish \
	./usr/share/mgate/demo/alembic.ini; do
	grep -qx "$f" "$work/files" || fail "the package lacks $f"
done

# into a clean Debian 12 root, with apt, as a user would
if [ "$(id -u)" = 0 ] && command -v debootstrap >/dev/null 2>&1; then
	export CLEAN_ROOT_CACHE="$build/clean-root-cache"
	root="$work/root"
	"$src/tests/clean-root.sh" make "$root" >"$work/root.log" 2>&1 || { cat "$work/root.log"; fail "clean root"; }
	"$src/tests/clean-root.sh" install "$root" "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt install"; }
	echo "installed with apt-get install into a clean Debian 12 root (debootstrap)"
	in_root() { "$src/tests/clean-root.sh" run "$root" env ASAN_OPTIONS=detect_leaks=0 "$@"; }
	in_root mgate --version | grep -q "^mgate " || fail "mgate --version in the clean root"
	n=$(in_root sh -c 'cd / && mgate rules --format json' | grep -c '"id"')
	[ "$n" -ge 30 ] || fail "only $n rules in the clean root"
	for f in /usr/share/man/man1/mgate.1.gz /usr/share/bash-completion/completions/mgate \
		/usr/share/fish/vendor_completions.d/mgate.fish; do
		[ -e "$root$f" ] || [ -e "$root${f%.gz}" ] || fail "the clean root lacks $f"
	done
	in_root sh -c 'command -v pg_dump && /usr/bin/python3 -m alembic --version' >/dev/null ||
		fail "the recommended alembic and postgresql-client are not installed"
	out=$(in_root sh -c 'cp -r /usr/share/mgate/demo /tmp/demo && cd /tmp/demo &&
		python3 -m alembic -c alembic.ini upgrade 8b3f5e6d0c12 >/dev/null 2>&1 && mgate upgrade --backup 2>&1') ||
		fail "the demo's upgrade in the clean root: $out"
	echo "$out" | grep -q "upgraded and verified" || fail "the demo's upgrade in the clean root: $out"
	echo "package ok in a clean Debian 12 root ($n rules, the demo upgraded through the gate)"
	exit 0
fi
echo "no clean root (needs root and debootstrap): installing into this machine instead"

# installed for real (root, no mgate package yet), else unpacked
if [ "$(id -u)" = 0 ] && ! dpkg -s mgate >/dev/null 2>&1; then
	dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
	installed=1
	root=""
	echo "installed with dpkg -i"
else
	dpkg-deb -x "$deb" "$work/root"
	root="$work/root"
	echo "unpacked with dpkg-deb -x (dpkg -i needs root and no mgate package installed)"
fi
mgate="$root/usr/bin/mgate"
"$mgate" --version | grep -q "^mgate " || fail "mgate --version"
n=$(cd / && MGATE_RULES_DIR= "$mgate" rules --format json | grep -c '"id"')
[ "$n" -ge 30 ] || fail "only $n rules from the installed files"
grep -q "complete" "$root/usr/share/bash-completion/completions/mgate" || fail "bash completion is empty"

# the demo, copied from the installed files: the upgrade through the gate
cp -r "$root/usr/share/mgate/demo" "$work/demo"
cd "$work/demo"
/usr/bin/python3 -m alembic -c alembic.ini upgrade 8b3f5e6d0c12 >/dev/null 2>&1 || fail "alembic upgrade"
out=$("$mgate" upgrade --backup 2>&1) || fail "mgate upgrade --backup on the installed demo: $out"
echo "$out" | grep -q "upgraded and verified" || fail "the demo's upgrade: $out"
if [ -n "$installed" ]; then
	dpkg -r mgate >/dev/null 2>&1 || fail "dpkg -r"
	installed=""
	[ ! -e /usr/bin/mgate ] || fail "dpkg -r left /usr/bin/mgate"
	echo "removed with dpkg -r"
fi
echo "package ok ($n rules, the demo upgraded through the gate)"

#!/bin/sh
# clean-root.sh - make a clean Debian root with debootstrap, install local .debs
# into it and run commands in it.  Must run as root on a Debian host.
#
#   clean-root.sh make DIR              debootstrap (or extract cached tarball) into DIR
#   clean-root.sh run DIR CMD...        run CMD as root inside DIR
#   clean-root.sh run-as DIR USER CMD...  run CMD as USER (created with useradd -m if missing)
#   clean-root.sh install DIR FILE.deb...  install local .deb(s) plus dependencies from the mirror
#
# Environment:
#   CLEAN_ROOT_CACHE           dir for the cached root tarball (no caching if unset)
#   CLEAN_ROOT_CACHE_DAYS      rebuild cached tarball older than this (default 30)
#   CLEAN_ROOT_MIRROR          default http://deb.debian.org/debian
#   CLEAN_ROOT_SECURITY_MIRROR default http://deb.debian.org/debian-security
#   CLEAN_ROOT_SUITE           default bookworm
#   CLEAN_ROOT_VARIANT         default minbase (debootstrap --variant)
#   CLEAN_ROOT_NO_RECOMMENDS   if non-empty, "install" passes --no-install-recommends
#   CLEAN_ROOT_NO_UNSHARE      if non-empty, use the mount + umount-trap fallback
#
# "run" uses a private mount+pid namespace (unshare): /proc, /dev/pts, /dev/shm are
# mounted only inside it, so they vanish when CMD ends, however it ends (even
# SIGKILL), concurrent runs on one DIR don't interfere, and daemons started in the
# root are killed.  If unshare is unusable it falls back to mount + umount trap.
# Never "rm -rf DIR" while a fallback run is active.
set -eu

RECIPE=1   # bump to invalidate cached tarballs when the customisation below changes
SUITE=${CLEAN_ROOT_SUITE:-bookworm}
VARIANT=${CLEAN_ROOT_VARIANT:-minbase}
MIRROR=${CLEAN_ROOT_MIRROR:-http://deb.debian.org/debian}
SECMIRROR=${CLEAN_ROOT_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
PATH_IN=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "clean-root: $*" >&2; exit 1; }
log() { echo "clean-root: $*" >&2; }

self() { # absolute path of this script, for re-invocation inside unshare
    case $0 in /*) printf '%s\n' "$0" ;; *) printf '%s/%s\n' "$(cd "$(dirname "$0")" && pwd)" "$(basename "$0")" ;; esac
}

abs() { # absolute path of an existing directory
    [ -d "$1" ] || die "not a directory: $1"
    (cd "$1" && pwd -P)
}

customize() { # $1 = root; things every clean root gets (stored in the cache)
    r=$1
    cat > "$r/etc/apt/sources.list" <<EOF
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb $SECMIRROR $SUITE-security main
EOF
    cat > "$r/etc/apt/apt.conf.d/90clean-root" <<'EOF'
Acquire::Languages "none";
Acquire::Retries "3";
Acquire::Check-Valid-Until "false";
DPkg::Lock::Timeout "600";
EOF
    echo force-unsafe-io > "$r/etc/dpkg/dpkg.cfg.d/90clean-root"
    # never start services from maintainer scripts inside the chroot
    printf '#!/bin/sh\nexit 101\n' > "$r/usr/sbin/policy-rc.d"
    chmod 755 "$r/usr/sbin/policy-rc.d"
    echo clean-root > "$r/etc/hostname"
    run_in "$r" "" sh -c 'apt-get update -q -o APT::Update::Error-Mode=any && apt-get -y -q upgrade && apt-get clean' >&2
    rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/*.bin "$r"/var/log/apt/* "$r"/tmp/* 2>/dev/null || :
    : > "$r/etc/resolv.conf"
}

cmd_make() {
    [ $# -eq 1 ] || die "usage: make DIR"
    dir=$1
    mkdir -p "$dir"
    [ -z "$(ls -A "$dir")" ] || die "$dir is not empty"
    dir=$(abs "$dir")
    if [ -z "${CLEAN_ROOT_CACHE:-}" ]; then
        build "$dir"; return
    fi
    mkdir -p "$CLEAN_ROOT_CACHE"
    cache=$(abs "$CLEAN_ROOT_CACHE")
    arch=$(dpkg --print-architecture)
    base="$cache/$SUITE-$VARIANT-$arch-r$RECIPE.tar"
    exec 9>"$base.lock"
    flock 9                       # one builder at a time; others wait, then extract
    for t in "$base.zst" "$base.gz"; do
        [ -f "$t" ] || continue
        if [ -n "$(find "$t" -mtime +"${CLEAN_ROOT_CACHE_DAYS:-30}")" ]; then
            log "cache $t is stale, removing"; rm -f "$t"; continue
        fi
        case $t in *.zst) command -v zstd >/dev/null || continue; dec="zstd -dcq" ;; *) dec="gzip -dc" ;; esac
        log "extracting $t"
        $dec "$t" | tar -C "$dir" --numeric-owner --xattrs --xattrs-include='*' -xpf -
        exec 9>&-
        return
    done
    build "$dir"
    if command -v zstd >/dev/null; then t="$base.zst"; comp="zstd -q -T0 -3"; else t="$base.gz"; comp="gzip -1"; fi
    log "caching to $t"
    tar -C "$dir" --numeric-owner --xattrs --xattrs-include='*' -cf - . | $comp > "$t.tmp.$$"
    mv "$t.tmp.$$" "$t"
    exec 9>&-
}

build() { # debootstrap into empty dir $1
    log "debootstrap --variant=$VARIANT $SUITE $1 $MIRROR"
    if ! debootstrap --variant="$VARIANT" "$SUITE" "$1" "$MIRROR" > "$1.debootstrap.log" 2>&1; then
        tail -n 20 "$1.debootstrap.log" >&2
        die "debootstrap failed (full log: $1.debootstrap.log)"
    fi
    rm -f "$1.debootstrap.log"
    customize "$1"
}

# run_in ROOT USER CMD...   (USER empty = root)
run_in() {
    ri_r=$1; ri_u=$2; shift 2
    [ -x "$ri_r/bin/sh" ] || die "$ri_r does not look like a root (no /bin/sh)"
    [ $# -gt 0 ] || die "no command given"
    # fresh DNS config from the host (a cached tarball may come from elsewhere)
    cat /etc/resolv.conf > "$ri_r/etc/resolv.conf" 2>/dev/null || :
    if [ -z "${CLEAN_ROOT_NO_UNSHARE:-}" ] && unshare --mount --pid --fork true 2>/dev/null; then
        # background + wait so a signal to this script can SIGKILL unshare, which
        # (--kill-child) kills the namespace's init and with it every process inside
        # async lists get stdin=/dev/null unless redirected explicitly; stdin may be closed
        if true 2>/dev/null 3<&0; then exec 3<&0; else exec 3</dev/null; fi
        unshare --mount --pid --fork --kill-child --propagation private \
            "$(self)" _inner "$ri_r" "$ri_u" "$@" <&3 3<&- 8>&- 9>&- &
        ri_pid=$!
        trap 'kill -KILL $ri_pid 2>/dev/null; exit 130' INT
        trap 'kill -KILL $ri_pid 2>/dev/null; exit 143' TERM
        trap 'kill -KILL $ri_pid 2>/dev/null; exit 129' HUP
        ri_rc=0; wait "$ri_pid" || ri_rc=$?
        trap - INT TERM HUP
        exec 3<&-
        return "$ri_rc"
    else
        ( trap 'umount_all "$ri_r"' EXIT; trap 'exit 130' INT; trap 'exit 143' TERM
          inner "$ri_r" "$ri_u" "$@" )
    fi
}

umount_all() {
    for m in dev/shm dev/pts proc; do
        if mountpoint -q "$1/$m"; then umount "$1/$m" 2>/dev/null || umount -l "$1/$m"; fi
    done
}

inner() {
    r=$1; u=$2; shift 2
    mount -t proc proc "$r/proc"
    mount -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts "$r/dev/pts"
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$r/dev/shm"
    envs="PATH=$PATH_IN LANG=C.UTF-8 TERM=${TERM:-dumb} DEBIAN_FRONTEND=noninteractive"
    if [ -z "$u" ]; then
        # shellcheck disable=SC2086
        chroot "$r" env -i $envs HOME=/root USER=root LOGNAME=root "$@"
    else
        home=$(awk -F: -v u="$u" '$1==u {print $6}' "$r/etc/passwd")
        [ -n "$home" ] || die "no user $u in $r"
        # shellcheck disable=SC2086
        chroot --userspec="$u:$u" --groups="$u" "$r" env -i $envs HOME="$home" USER="$u" LOGNAME="$u" \
            sh -c 'cd "$HOME" 2>/dev/null || cd /; exec "$@"' sh "$@"
    fi
}

cmd_run() {
    [ $# -ge 2 ] || die "usage: run DIR CMD..."
    r=$(abs "$1"); shift
    run_in "$r" "" "$@"
}

cmd_run_as() {
    [ $# -ge 3 ] || die "usage: run-as DIR USER CMD..."
    ra_r=$(abs "$1"); ra_u=$2; shift 2
    if ! awk -F: -v u="$ra_u" '$1==u {f=1} END {exit !f}' "$ra_r/etc/passwd"; then
        run_in "$ra_r" "" useradd -m -U -s /bin/bash "$ra_u"
    fi
    run_in "$ra_r" "$ra_u" "$@"
}

cmd_install() {
    [ $# -ge 2 ] || die "usage: install DIR FILE.deb..."
    r=$(abs "$1"); shift
    d=$(mktemp -d "$r/tmp/clean-root-debs.XXXXXX")
    chmod 755 "$d"
    n=$#
    while [ "$n" -gt 0 ]; do   # replace each FILE by its path inside the root
        f=$1; shift; n=$((n - 1))
        b=$(basename "$f")
        [ -f "$f" ] || { rm -rf "$d"; die "no such file: $f"; }
        case $b in *.deb) ;; *) rm -rf "$d"; die "not a .deb: $f" ;; esac
        cp "$f" "$d/$b"; chmod 644 "$d/$b"
        set -- "$@" "${d#"$r"}/$b"   # absolute path => apt treats it as a file, not a name
    done
    rec=""; [ -z "${CLEAN_ROOT_NO_RECOMMENDS:-}" ] || rec=--no-install-recommends
    # apt-get update's lists lock has no timeout: serialise installs into one root
    exec 8>"$r/var/lib/apt/clean-root.lock"
    flock 8
    rc=0; run_in "$r" "" sh -c 'apt-get update -q -o APT::Update::Error-Mode=any && apt-get install -y -q '"$rec"' "$@"' sh "$@" || rc=$?
    exec 8>&-
    rm -rf "$d"
    return $rc
}

[ "$(id -u)" = 0 ] || die "must run as root"
[ $# -ge 1 ] || die "usage: clean-root.sh make|run|run-as|install DIR ..."
c=$1; shift
case $c in
    make) cmd_make "$@" ;;
    run) cmd_run "$@" ;;
    run-as) cmd_run_as "$@" ;;
    install) cmd_install "$@" ;;
    _inner) inner "$@" ;;
    *) die "unknown command: $c" ;;
esac

#!/usr/bin/env bash
# Regenerates tests/kernel/entry-6.12.json, the recording tests/kernel_conformance.rs compares the model with.
#
# Boots Debian's Linux 6.12 under QEMU (TCG, one vCPU, `nokaslr`) twice: "main" with `mitigations=off pti=off`, and
# "pti" with the default mitigations on a CPU model that needs them (Skylake-Client: Meltdown, so PTI, and MDS, so
# VERW). Each boot runs conformance/init.c as /init; gdb (conformance/trace.py) single-steps every case from the user
# `syscall` / `int 0x80` to the instruction after it, skipping the kernel's C code.
#
#   conformance/record.sh            install what is missing, download the kernel once, record both boots
#   conformance/record.sh main       only one boot (it replaces that boot in the JSON)
#
# Environment: KERNEL_PKG (the Debian package, default below), CPU (the QEMU CPU model), OUT (the JSON file),
# CACHE (where the kernel package is kept, default ~/.cache/syscall-explorer/kernel). Needs root or sudo only to
# install packages (qemu-system-x86, cpio, gdb, gcc, libc6-dev); about 100 MB of kernel package the first time, then
# about half a minute.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

KERNEL_PKG="${KERNEL_PKG:-linux-image-6.12.117+deb12-amd64-unsigned}"
CPU="${CPU:-Skylake-Client}"
OUT="${OUT:-tests/kernel/entry-6.12.json}"
CACHE="${CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/syscall-explorer/kernel}"
BOOTS=("$@")
if ((${#BOOTS[@]} == 0)); then BOOTS=(main pti); fi

note() { printf '\033[1m==> %s\033[0m\n' "$*"; }
start=$SECONDS

# --- Tools ----------------------------------------------------------------------------------------------------------
missing=()
command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
command -v cpio >/dev/null || missing+=(cpio)
command -v gdb >/dev/null || missing+=(gdb)
command -v gcc >/dev/null || missing+=(gcc)
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || missing+=(libc6-dev)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if ((${#missing[@]} > 0)); then
    note "installing ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- The kernel -----------------------------------------------------------------------------------------------------
KDIR="$CACHE/$KERNEL_PKG"
vmlinuz() { find "$KDIR/boot" -maxdepth 1 -name 'vmlinuz-*' -print -quit 2>/dev/null; }
deb_file() { find "$CACHE" -maxdepth 1 -name "${KERNEL_PKG}_*.deb" -print -quit 2>/dev/null; }
if [ -z "$(vmlinuz)" ]; then
    mkdir -p "$CACHE"
    if [ -z "$(deb_file)" ]; then
        note "downloading $KERNEL_PKG into $CACHE"
        # apt-get download writes into the current directory; its sandbox user may not write there, which only warns.
        if ! (cd "$CACHE" && apt-get download "$KERNEL_PKG"); then
            $SUDO apt-get update -qq
            (cd "$CACHE" && apt-get download "$KERNEL_PKG")
        fi
    fi
    note "unpacking $KERNEL_PKG"
    rm -rf "$KDIR.tmp"
    dpkg-deb -x "$(deb_file)" "$KDIR.tmp"
    rm -rf "$KDIR"
    mv "$KDIR.tmp" "$KDIR"
fi
KERNEL="$(vmlinuz)"
DEB="$(basename "$(deb_file)")"

# --- The guest: /init and notes.txt in an initramfs -----------------------------------------------------------------
WORK="$(mktemp -d)"
QEMU_PID=""
cleanup() {
    if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then kill "$QEMU_PID"; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

note "building /init (gcc -static)"
mkdir -p "$WORK/rootfs"
gcc -static -O1 -Wall -Wextra -Werror -o "$WORK/rootfs/init" conformance/init.c
# The model's notes.txt (DEFAULT_NOTES in src/model/scenario.rs), so `read` returns the same 59 bytes.
printf 'Hello from notes.txt!\nThese bytes came through the kernel.\n' >"$WORK/rootfs/notes.txt"
(cd "$WORK/rootfs" && find . | cpio -o -H newc --owner=0:0 --quiet >"$WORK/initramfs.cpio")
INIT_NM="$(nm "$WORK/rootfs/init")"

QEMU_VERSION="$(qemu-system-x86_64 --version | head -n 1)"
GDB_VERSION="$(gdb --version | head -n 1)"
mkdir -p "$(dirname "$OUT")"

record_boot() {
    local boot="$1" cmdline
    case "$boot" in
        main) cmdline="console=ttyS0 nokaslr norandmaps panic=-1 quiet mitigations=off pti=off" ;;
        pti) cmdline="console=ttyS0 nokaslr norandmaps panic=-1 quiet" ;;
        *)
            echo "record.sh: unknown boot '$boot' (main, pti)" >&2
            exit 2
            ;;
    esac
    local console="$WORK/console-$boot.log" port
    # A free TCP port on 127.0.0.1 for QEMU's gdb stub (gdb 13 cannot use a Unix socket), found by gdb's Python.
    port="$(gdb -batch -nx -ex 'python import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
    local qemu=(qemu-system-x86_64 -machine pc -accel tcg -cpu "$CPU" -smp 1 -m 512M -nodefaults -no-reboot
        -display none -serial "file:$console" -kernel "$KERNEL" -initrd "$WORK/initramfs.cpio" -append "$cmdline"
        -gdb "tcp:127.0.0.1:$port" -S)
    note "boot '$boot': $cmdline"
    "${qemu[@]}" 2>"$WORK/qemu-$boot.err" &
    QEMU_PID=$!
    for _ in $(seq 100); do
        (: <"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
    local meta
    meta="$(printf '{"cpu": "%s", "qemu": "%s", "gdb": "%s", "package": "%s", "cmdline": "%s"}' \
        "$CPU" "$QEMU_VERSION" "$GDB_VERSION" "$DEB" "$cmdline")"
    # gdb prints every single step; its output goes to a log, and only trace.py's own lines are shown.
    local status=0
    TRACE_TARGET="127.0.0.1:$port" TRACE_INIT="$INIT_NM" TRACE_BOOT="$boot" TRACE_META="$meta" TRACE_OUT="$OUT" \
        timeout 600 gdb -batch -nx -x conformance/trace.py >"$WORK/gdb-$boot.log" 2>&1 || status=$?
    grep '^trace.py: ' "$WORK/gdb-$boot.log" || true
    if ((status != 0)) || grep -q '^trace.py: failed' "$WORK/gdb-$boot.log"; then
        echo "record.sh: recording boot '$boot' failed (gdb exit status $status); gdb's last lines:" >&2
        tail -n 20 "$WORK/gdb-$boot.log" >&2 || true
        echo "record.sh: the guest's console:" >&2
        tail -n 40 "$console" >&2 || true
        exit 1
    fi
    # The init powers the machine off; give QEMU a moment to exit on its own.
    for _ in $(seq 50); do
        kill -0 "$QEMU_PID" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$QEMU_PID" 2>/dev/null; then kill "$QEMU_PID"; fi
    wait "$QEMU_PID" 2>/dev/null || true
    QEMU_PID=""
    grep '^init: ' "$console" | grep -v '^init:   ' || true
}

for boot in "${BOOTS[@]}"; do record_boot "$boot"; done
note "wrote $OUT ($(wc -c <"$OUT") bytes) in $((SECONDS - start)) s"

#!/usr/bin/env bash
# Sets up migcost's QEMU lab on Debian 12, as root: QEMU >= 9 from bookworm-backports (12's 7.2 corrupts
# TCG migrations: see ../shared/LAB-NOTES.md), a Debian kernel unpacked to an ELF vmlinux (PVH boot), and
# an initramfs with busybox and the workloads (dirtier, scatter, loadgen, memtester, stress-ng, dbench, redis).
# Idempotent: each artefact is rebuilt only when its inputs change. Artefacts go to $MIGCOST_LAB_DIR
# (default: <repo>/.lab). Quiet progress lines on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
out="${MIGCOST_LAB_DIR:-$repo/.lab}"
mkdir -p "$out"
export DEBIAN_FRONTEND=noninteractive
say() { printf 'lab: %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then echo "lab/setup.sh: must run as root (it installs Debian packages)" >&2; exit 2; fi

# 1. bookworm-backports, derived from the existing Debian entry (no mirror address is written here).
src=/etc/apt/sources.list.d/debian.sources
if [ -f "$src" ] && ! grep -q 'bookworm-backports' "$src"; then
  say "adding bookworm-backports to $src"
  sed -i 's/^Suites: bookworm bookworm-updates$/Suites: bookworm bookworm-updates bookworm-backports/' "$src"
  grep -q 'bookworm-backports' "$src" || { echo "lab/setup.sh: could not add bookworm-backports to $src" >&2; exit 1; }
  apt-get update -qq
elif [ -f /etc/apt/sources.list ] && ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  line=$(grep -m1 -E '^deb .* bookworm main' /etc/apt/sources.list || true)
  [ -n "$line" ] || { echo "lab/setup.sh: no Debian bookworm entry to derive backports from" >&2; exit 1; }
  echo "${line/ bookworm / bookworm-backports }" > /etc/apt/sources.list.d/migcost-backports.list
  apt-get update -qq
fi

# 2. Packages: QEMU from backports; the workloads and tools from bookworm.
if ! dpkg -s qemu-system-x86 >/dev/null 2>&1; then
  say "installing qemu-system-x86 from bookworm-backports"
  apt-get install -y -qq -o Dpkg::Use-Pty=0 -t bookworm-backports qemu-system-x86 >/dev/null
fi
need=()
for p in busybox-static memtester stress-ng dbench redis-server redis-tools cpio xz-utils gcc libc6-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  say "installing ${need[*]}"
  apt-get install -y -qq -o Dpkg::Use-Pty=0 "${need[@]}" >/dev/null
fi
ver=$(qemu-system-x86_64 --version | head -1 | sed -E 's/.*version ([0-9]+)\.([0-9]+).*/\1 \2/')
read -r major minor <<<"$ver"
if [ "$major" -lt 9 ]; then
  echo "lab/setup.sh: QEMU $major.$minor is too old: TCG migrations lose dirty pages before 9.0. Install qemu-system-x86 from bookworm-backports." >&2
  exit 1
fi
say "QEMU $major.$minor"

# 3. Kernel: the package linux-image-amd64 depends on, unpacked; its bzImage decompressed to an ELF.
kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
[ -n "$kpkg" ] || { echo "lab/setup.sh: cannot resolve the kernel package of linux-image-amd64" >&2; exit 1; }
if [ ! -s "$out/vmlinux" ] || [ "$(cat "$out/vmlinux.stamp" 2>/dev/null)" != "$kpkg" ]; then
  say "kernel $kpkg"
  tmp=$(mktemp -d); chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "$kpkg" >/dev/null && dpkg-deb -x ./*.deb root)
  bz=$(ls "$tmp"/root/boot/vmlinuz-*)
  # The payload is XZ-compressed: find its magic and decompress it (what the kernel's extract-vmlinux does).
  off=$(LC_ALL=C grep -abo -P '\xFD7zXZ\x00' "$bz" | head -1 | cut -d: -f1)
  [ -n "$off" ] || { echo "lab/setup.sh: no XZ payload in $bz" >&2; exit 1; }
  tail -c +"$((off + 1))" "$bz" | xz -dc 2>/dev/null > "$out/vmlinux.tmp" || true
  head -c 4 "$out/vmlinux.tmp" | grep -q 'ELF' || { echo "lab/setup.sh: decompressed kernel is not an ELF" >&2; exit 1; }
  mv "$out/vmlinux.tmp" "$out/vmlinux"
  echo "$kpkg" > "$out/vmlinux.stamp"
  rm -rf "$tmp"
fi

# 4. Initramfs: busybox, /init, migcost's workload programs (static), and Debian's workload binaries with their
#    libraries. Rebuilt when any of them (or this script) changes.
inputs=$(cat "$here/guest/init" "$here"/guest/*.c "$0" | sha256sum | cut -c1-16)-$(dpkg-query -W -f '${Version}' stress-ng memtester dbench redis-server busybox-static | sha256sum | cut -c1-8)
if [ ! -s "$out/initramfs.cpio" ] || [ "$(cat "$out/initramfs.stamp" 2>/dev/null)" != "$inputs" ]; then
  say "initramfs"
  root=$(mktemp -d)
  mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,usr/bin,usr/share/dbench,lib,lib64,var/lib/redis}
  cp /bin/busybox "$root/bin/busybox"
  for app in $("$root/bin/busybox" --list); do [ -e "$root/bin/$app" ] || ln -s busybox "$root/bin/$app"; done
  # migcost's own workload programs, static: every lab/guest/*.c becomes /bin/<name> (dirtier; the held-out
  # scatter and loadgen)
  for c in "$here"/guest/*.c; do gcc -O2 -static -o "$root/bin/$(basename "$c" .c)" "$c" -lm; done
  copy_with_libs() {
    local bin=$1
    cp "$bin" "$root/usr/bin/"
    ldd "$bin" | awk '/=> \//{print $3} /^[[:space:]]*\/lib/{print $1}' | while read -r lib; do
      mkdir -p "$root$(dirname "$lib")"
      cp -L "$lib" "$root$lib"
    done
  }
  for b in /usr/sbin/memtester /usr/bin/stress-ng /usr/bin/dbench /usr/bin/redis-server /usr/bin/redis-benchmark; do copy_with_libs "$b"; done
  head -n 50000 /usr/share/dbench/client.txt > "$root/usr/share/dbench/client.txt"  # dbench loops its load file: 2 MB of it will do
  cp "$here/guest/init" "$root/init"
  chmod +x "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet > "$out/initramfs.cpio.tmp")
  mv "$out/initramfs.cpio.tmp" "$out/initramfs.cpio"
  echo "$inputs" > "$out/initramfs.stamp"
  rm -rf "$root"
fi
say "ready: $out/vmlinux $out/initramfs.cpio ($(du -h "$out/initramfs.cpio" | cut -f1))"

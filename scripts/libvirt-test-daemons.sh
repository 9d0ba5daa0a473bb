#!/usr/bin/env bash
# Two real libvirt daemons on this one machine, for the libvirt tests and a libvirt-driven lab pass: the session
# daemons of two local users (migcosta, migcostb), each with its own host UUID, so libvirt lets a domain migrate
# from one to the other (its same-host guard compares host UUIDs). root's virsh reaches both sockets. This is
# recipe (a) of docs/libvirt.md. Needs libvirt >= 11 from bookworm-backports (scripts/test-all.sh installs it).
#
#   bash scripts/libvirt-test-daemons.sh start   # prints MIGCOST_LIBVIRT_SRC=... and MIGCOST_LIBVIRT_DST=... (eval it)
#   bash scripts/libvirt-test-daemons.sh stop
#
# State lives under $MIGCOST_LIBVIRT_STATE (default /tmp/migcost-libvirt). Idempotent: start on running daemons
# only prints their URIs.
set -euo pipefail
state="${MIGCOST_LIBVIRT_STATE:-/tmp/migcost-libvirt}"
users=(migcosta migcostb)
uri() { printf 'qemu+unix:///session?socket=%s/sock-%s/libvirt-sock' "$state" "$1"; }

pid_of() { pgrep -u "$1" -x libvirtd | head -1 || true; }

start() {
  if [ "$(id -u)" != 0 ]; then echo "libvirt-test-daemons.sh: run it as root (it creates two users)" >&2; exit 2; fi
  command -v libvirtd >/dev/null || { echo "libvirt-test-daemons.sh: libvirtd not installed (apt-get install -t bookworm-backports libvirt-daemon-system)" >&2; exit 1; }
  mkdir -p "$state"; chmod 755 "$state"
  for u in "${users[@]}"; do
    id "$u" >/dev/null 2>&1 || useradd -m -s /bin/sh "$u"
    mkdir -p "$state/sock-$u" "$state/dom-$u"; chown "$u" "$state/sock-$u" "$state/dom-$u"; chmod 755 "$state/dom-$u"
    home=$(getent passwd "$u" | cut -d: -f6)
    conf="$home/.config/libvirt/libvirtd.conf"
    if [ ! -s "$conf" ] || ! grep -q "$state/sock-$u" "$conf"; then
      mkdir -p "$(dirname "$conf")"
      printf 'host_uuid = "%s"\nunix_sock_dir = "%s"\nunix_sock_rw_perms = "0777"\n' \
        "$(cat /proc/sys/kernel/random/uuid)" "$state/sock-$u" > "$conf"
      chown -R "$u" "$home/.config"
    fi
    if [ -z "$(pid_of "$u")" ]; then
      su - "$u" -c '/usr/sbin/libvirtd -d' >/dev/null 2>&1
    fi
  done
  for u in "${users[@]}"; do
    for _ in $(seq 1 100); do [ -S "$state/sock-$u/libvirt-sock" ] && break; sleep 0.1; done
    [ -S "$state/sock-$u/libvirt-sock" ] || { echo "libvirt-test-daemons.sh: $u's libvirtd did not start" >&2; exit 1; }
  done
  printf 'export MIGCOST_LIBVIRT_SRC=%q\nexport MIGCOST_LIBVIRT_DST=%q\nexport MIGCOST_LIBVIRT_STATE=%q\n' \
    "$(uri migcosta)" "$(uri migcostb)" "$state"
}

stop() {
  for u in "${users[@]}"; do
    id "$u" >/dev/null 2>&1 || continue
    virsh -c "$(uri "$u")" list --name 2>/dev/null | while read -r d; do [ -n "$d" ] && virsh -c "$(uri "$u")" destroy "$d" >/dev/null 2>&1; done || true
    p=$(pid_of "$u"); [ -n "$p" ] && kill "$p" 2>/dev/null || true
    pkill -u "$u" -x virtlogd 2>/dev/null || true
  done
  for _ in $(seq 1 50); do [ -z "$(pid_of migcosta)$(pid_of migcostb)" ] && break; sleep 0.1; done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac

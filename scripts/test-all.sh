#!/usr/bin/env bash
# Sets up everything the tests need on a fresh Debian 12 machine, as root, then runs every test:
# Debian's chromium (dashboard tests), virsh and the openstack client (`plan --emit` tests), a real Prometheus
# (test/metrics), QEMU 10 and the lab guest (lab/setup.sh), libvirt 11 (the libvirt tests start two daemons:
# scripts/libvirt-test-daemons.sh), a throwaway PostgreSQL on 127.0.0.1 (scripts/pg-test-server.sh, stopped on
# exit), `npm ci`, then `npm test`. CI runs this same script.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
step() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }
if [ "$(id -u)" != 0 ]; then echo "scripts/test-all.sh: run it as root (it installs Debian packages)" >&2; exit 2; fi

step "apt packages"
apt-get update -qq
# libvirt-clients (virsh) and python3-openstackclient (with python3-yaml): `plan --emit` checks its commands
# and manifests with the real tools (test/plan/emit/tools.test.ts)
apt-get install -y -qq -o Dpkg::Use-Pty=0 chromium libvirt-clients python3-openstackclient python3-yaml >/dev/null
apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends prometheus >/dev/null   # a real Prometheus for test/metrics

step "lab setup"
bash lab/setup.sh

step "libvirt"
# libvirt 11 from bookworm-backports (lab/setup.sh added it): two session daemons migrate lab domains in the tests.
apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends -t bookworm-backports libvirt-daemon-system libvirt-clients libvirt-daemon-driver-qemu >/dev/null

step "postgres"
MIGCOST_PG_STATE=$(mktemp -d /tmp/migcost-pg-XXXXXX)
export MIGCOST_PG_STATE
eval "$(bash scripts/pg-test-server.sh start)"
trap 'bash scripts/pg-test-server.sh stop >/dev/null 2>&1 || true; bash scripts/libvirt-test-daemons.sh stop >/dev/null 2>&1 || true' EXIT

step "npm ci"
npm ci --no-audit --no-fund

step "npm test"
npm test

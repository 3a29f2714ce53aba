#!/usr/bin/env bash
# test/systemd-units.e2e-spec.ts checks the units of docs/deploy/systemd with `systemd-analyze
# verify`, which reads unit files without a running systemd (a container is fine). Install
# Debian's systemd package, which ships it, when it is missing: as root through apt, otherwise
# say what to run. Installing it starts nothing and does not make systemd PID 1.
set -euo pipefail
if command -v systemd-analyze >/dev/null; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing systemd (for systemd-analyze) for the unit file tests (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
  exit 0
fi
echo "The unit file tests need systemd-analyze: run 'sudo apt-get install systemd'." >&2
exit 1

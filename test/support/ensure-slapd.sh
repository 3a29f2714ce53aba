#!/usr/bin/env bash
# The directory tests run a real OpenLDAP: Debian's slapd, started by test/support/ldap-server.ts
# in a temporary folder on a free port (never the system's slapd service). Install it when
# missing: as root through apt, otherwise say what to run.
set -euo pipefail
if [ -x /usr/sbin/slapd ] && [ -d /usr/lib/ldap ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing OpenLDAP (slapd, ldap-utils) for the directory tests (apt-get)..."
  # Installed, not started: a policy-rc.d answering 101 keeps the package's own service down
  # (the tests start their own; a system slapd would only hold port 389).
  policy=/usr/sbin/policy-rc.d
  had_policy=0
  [ -e "$policy" ] && had_policy=1
  if [ "$had_policy" = 0 ]; then printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod +x "$policy"; fi
  trap '[ "$had_policy" = 0 ] && rm -f "$policy"' EXIT
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends slapd ldap-utils >/dev/null
  exit 0
fi
echo "The directory tests need OpenLDAP's slapd: run 'sudo apt-get install slapd ldap-utils'." >&2
exit 1

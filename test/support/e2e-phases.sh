#!/usr/bin/env bash
# The whole-server and browser specs, as `npm test` runs them after the unit and web specs
# (README, "Tests"). On a 2-core machine:
#  1. the specs that run the server in jest's own process, two files at a time;
#  2. at the same time, two streams of one file each: the browser specs (each drives a
#     Chromium), and the specs that start servers as child processes or run timers a second
#     heavy spec of the same kind beside them would slow past their waits (clusters, the crash test, the admin
#     command, backups, upgrades, extensions, TLS, shutdown, the directory and single sign-on
#     specs). One stream of each kind side by side keeps the run well under 30 minutes, where
#     one file at a time took 18 of them;
#  3. the bench's smoke run alone (it loads both cores itself).
set -uo pipefail
cd "$(dirname "$0")/../.."

CHILD='crash-safety|directory|cluster|admin-cli|upgrades|extensions|graceful-shutdown|http-security|readme-walkthrough|tls-auto|oidc|backup'
BROWSER='/test/browser/'
BENCH='bench-smoke'
jest=(npx jest --selectProjects e2e e2e-postgres)

"${jest[@]}" --testPathIgnorePatterns "$BROWSER|$CHILD|$BENCH" --maxWorkers=2 || exit 1

# The child-process stream's output is printed after the browser stream's, not interleaved.
log=$(mktemp)
"${jest[@]}" --testPathPatterns "$CHILD" --testPathIgnorePatterns "$BROWSER|$BENCH" --maxWorkers=1 > "$log" 2>&1 &
child=$!
"${jest[@]}" --testPathPatterns "$BROWSER" --maxWorkers=1
browser_status=$?
wait "$child"
child_status=$?
cat "$log"
rm -f "$log"
if [ "$browser_status" -ne 0 ] || [ "$child_status" -ne 0 ]; then exit 1; fi

"${jest[@]}" --testPathPatterns "$BENCH" --maxWorkers=1

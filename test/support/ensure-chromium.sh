#!/usr/bin/env bash
# The browser tests drive Debian's Chromium (never a downloaded one). Install it when missing:
# as root through apt, otherwise say what to run.
set -euo pipefail
# Also a colour emoji font, so reactions in screenshots are emoji, not empty boxes (the web app
# names emoji fonts in its CSS and downloads none).
browser="${PARLEY_CHROMIUM:-/usr/bin/chromium}"
emoji_font=/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
# certutil (libnss3-tools) gives a test browser a certificate authority to trust (PARLEY_TLS=auto).
if [ -x "$browser" ] && [ -f "$emoji_font" ] && command -v certutil >/dev/null; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Chromium, an emoji font and certutil for the browser tests (apt-get)..."
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-noto-color-emoji libnss3-tools >/dev/null
  exit 0
fi
if [ -x "$browser" ]; then exit 0; fi
echo "The browser tests need Chromium at $browser: run 'sudo apt-get install chromium' (or set PARLEY_CHROMIUM)." >&2
exit 1

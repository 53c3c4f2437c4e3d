#!/usr/bin/env bash
# Retakes docs/screenshot.png (the README's picture) from the release build in dist/, with headless Chromium at
# 1280x800. Run `trunk build --release` (or scripts/test.sh) first.
#
#   scripts/readme-screenshot.sh [OUTPUT.png]
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

out="${1:-docs/screenshot.png}"
if [ ! -f dist/index.html ]; then
    echo "readme-screenshot: dist/index.html is missing; run 'trunk build --release' first" >&2
    exit 1
fi
mkdir -p "$(dirname "$out")"
port=8123
PORT=$port QUIET=1 node scripts/static-server.mjs &
server_pid=$!
profile="$(mktemp -d)"
trap 'kill "$server_pid" 2>/dev/null || true; rm -rf "$profile"' EXIT
for _ in $(seq 50); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/"; then break; fi
    sleep 0.1
done
# --virtual-time-budget lets the WebAssembly load and Yew render before the picture is taken.
/usr/bin/chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
    --virtual-time-budget=5000 --window-size=1280,800 --screenshot="$out" "http://127.0.0.1:$port/" 2>/dev/null
echo "wrote $out"

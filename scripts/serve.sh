#!/usr/bin/env bash
# Command 1: installs whatever is missing (scripts/setup.sh), then builds the release and serves it with Trunk,
# rebuilding when a file changes. Default http://127.0.0.1:8080/.
#
#   scripts/serve.sh [--address ADDR] [--port PORT] [--dev]
#   ADDRESS=0.0.0.0 PORT=9000 scripts/serve.sh
#
# --dev serves a debug build (faster to rebuild, much larger). Ctrl-C stops the server.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

address="${ADDRESS:-127.0.0.1}"
port="${PORT:-8080}"
profile=(--release)
while (($# > 0)); do
    case "$1" in
        --address) address="${2:?--address needs a value}"; shift 2 ;;
        --address=*) address="${1#*=}"; shift ;;
        --port) port="${2:?--port needs a value}"; shift 2 ;;
        --port=*) port="${1#*=}"; shift ;;
        --dev) profile=(); shift ;;
        -h | --help)
            sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "serve.sh: unknown argument '$1' (try --help)" >&2
            exit 2
            ;;
    esac
done

scripts/setup.sh
# A release build uses the pinned nightly (scripts/env.sh); --dev stays on stable.
if ((${#profile[@]} > 0)); then release_build_env; fi

banner "Building and serving on http://$address:$port/ (first build about a minute; Ctrl-C stops)"
exec trunk serve "${profile[@]}" --address "$address" --port "$port"

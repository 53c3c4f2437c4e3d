# shellcheck shell=bash
# Sourced by scripts/setup.sh, serve.sh and test.sh: the environment every build and test step runs in.
# It only sets variables; it installs nothing (scripts/setup.sh does that).

# The repository root, whatever the caller's working directory.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# npm's binaryen first, so Trunk finds wasm-opt version_132 rather than Debian's (108), which cannot read current
# wasm-bindgen output; then cargo's bin folder, where `cargo install` puts trunk and wasm-bindgen.
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
export PATH="$ROOT/node_modules/.bin:$CARGO_BIN:$PATH"

# Trunk would otherwise ask the network for a newer version of itself.
export TRUNK_SKIP_VERSION_CHECK=true
# Playwright drives Debian's /usr/bin/chromium; it must never download a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export DEBIAN_FRONTEND=noninteractive
# Never ask the npm registry whether npm itself is outdated.
export NPM_CONFIG_UPDATE_NOTIFIER=false
export NPM_CONFIG_FUND=false
export NPM_CONFIG_AUDIT=false

# Prints a banner for one step of a script.
banner() {
    if [ -t 1 ]; then
        printf '\n\033[1m==> %s\033[0m\n' "$*"
    else
        printf '\n==> %s\n' "$*"
    fi
}

# Prints an indented note under a banner.
note() {
    printf '    %s\n' "$*"
}

# The wasm-bindgen version Cargo.lock resolved; the CLI that Trunk runs must be exactly this one.
lock_wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { found = 1; next } found && /^version = / { gsub(/"/, "", $3); print $3; exit }' \
        "$ROOT/Cargo.lock"
}

# Release builds of the WebAssembly use a pinned nightly to rebuild the standard library for size (see
# CONTRIBUTING.md, "Why release builds use a nightly"): -19 KB gzipped, measured by scripts/bench.sh. Debug builds,
# tests and clippy stay on stable. scripts/setup.sh installs this toolchain with rust-src.
RELEASE_TOOLCHAIN=nightly-2026-05-20

# Sets the environment of a release build (`trunk build --release`, `trunk serve --release`): the pinned nightly,
# the standard library rebuilt with its size-optimised code paths, panics that trap at once (no formatting code, no
# message: debug builds keep Yew's console message) and no source locations in the binary. RUSTFLAGS apply only to
# the wasm32 target, because Trunk always passes --target (build scripts and proc macros build without them).
release_build_env() {
    export RUSTUP_TOOLCHAIN="$RELEASE_TOOLCHAIN"
    export CARGO_UNSTABLE_BUILD_STD="std,panic_abort"
    export CARGO_UNSTABLE_BUILD_STD_FEATURES="optimize_for_size"
    export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none"
}

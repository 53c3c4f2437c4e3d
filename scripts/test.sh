#!/usr/bin/env bash
# Command 2: installs what the tests need (scripts/setup.sh --test), then runs every test layer in order and stops at
# the first failure.
#
#   scripts/test.sh                 setup, then all layers
#   scripts/test.sh LAYER...        setup, then only these layers (in the order given)
#   scripts/test.sh --no-setup ...  skip setup (the tools are known to be there)
#   scripts/test.sh --list          list the layers
#
# Layers: fmt scripts clippy clippy-wasm doc test wasm-test build size e2e
# Opt-in layers, run only when named: kernel-trace (boots Linux 6.12 under QEMU to re-record tests/kernel/; it
# downloads the ~100 MB kernel package once, see CONTRIBUTING.md).
# Screenshots go to artifacts/screenshots/, the size report to artifacts/size-report.txt (both git-ignored).
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

ALL_LAYERS=(fmt scripts clippy clippy-wasm doc test wasm-test build size e2e)
OPT_IN_LAYERS=(kernel-trace)

describe() {
    case "$1" in
        fmt) echo "formatting: cargo fmt --check" ;;
        scripts) echo "post-build scripts: node --test scripts/test/ (csp, terser, short wasm names; no Rust build)" ;;
        clippy) echo "lints, host: cargo clippy --all-targets -- -D warnings" ;;
        clippy-wasm) echo "lints, wasm32: cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings" ;;
        doc) echo "docs: RUSTDOCFLAGS=-Dwarnings cargo doc --no-deps" ;;
        test) echo "native tests: cargo test --all-targets, then cargo test --doc" ;;
        wasm-test) echo "browser tests: cargo test --target wasm32-unknown-unknown (headless Chromium)" ;;
        build) echo "release build: trunk build --release (pinned nightly, std rebuilt for size; wasm-opt -Oz)" ;;
        size) echo "size report: scripts/size-report.sh (artifacts/size-report.txt)" ;;
        e2e) echo "end to end: playwright test (release build on 127.0.0.1, screenshots in artifacts/screenshots/)" ;;
        kernel-trace) echo "kernel re-recording: conformance/record.sh (QEMU + gdb), then cargo test --test kernel_conformance" ;;
        *) return 1 ;;
    esac
}

run_layer() {
    case "$1" in
        fmt) cargo fmt --all --check ;;
        scripts) node --test scripts/test/ ;;
        clippy) cargo clippy --all-targets -- -D warnings ;;
        clippy-wasm) cargo clippy --all-targets --target wasm32-unknown-unknown -- -D warnings ;;
        doc) RUSTDOCFLAGS="-Dwarnings" cargo doc --no-deps ;;
        test)
            cargo test --all-targets
            cargo test --doc
            ;;
        wasm-test) wasm_test ;;
        build) (release_build_env && trunk build --release) ;;
        size) scripts/size-report.sh ;;
        e2e) e2e ;;
        kernel-trace)
            conformance/record.sh
            git --no-pager diff --stat -- tests/kernel/
            cargo test --test kernel_conformance
            ;;
    esac
}

# Runs the wasm32 tests in headless Chromium and warns when no browser test ran at all (a plain #[test] compiled for
# wasm32 is silently skipped, so a green run with zero browser tests proves nothing). Cargo also cross-runs the
# doctests through the runner (outside a browser); those are not counted as browser tests.
wasm_test() {
    CHROMEDRIVER="$(command -v chromedriver)"
    export CHROMEDRIVER
    local log
    log="$(mktemp)"
    cargo test --target wasm32-unknown-unknown 2>&1 | tee "$log"
    local n_browser
    n_browser="$(awk '
        /Running headless tests in/ { in_browser = 1 }
        /^ +(Running|Doc-tests) / { in_browser = 0 }
        in_browser && /test result: ok\. [0-9]+ passed/ { sum += $4; in_browser = 0 }
        END { print sum + 0 }' "$log")"
    rm -f "$log"
    if [ "$n_browser" -eq 0 ]; then
        echo "WARNING: no wasm-bindgen-test ran in the browser (browser tests go in tests/web.rs, see CONTRIBUTING.md)" >&2
    else
        note "$n_browser browser test(s) passed in headless Chromium"
    fi
}

# The first free port on 127.0.0.1 from 8099 on, for the end-to-end tests' static server (a developer may already
# have something on 8099; Playwright refuses to reuse a server it did not start).
free_port() {
    node -e '
        const net = require("node:net");
        const tryPort = (port) => {
            const server = net.createServer();
            server.once("error", () => (port < 8199 ? tryPort(port + 1) : process.exit(1)));
            server.listen(port, "127.0.0.1", () => server.close(() => console.log(port)));
        };
        tryPort(8099);'
}

e2e() {
    E2E_PORT="${E2E_PORT:-$(free_port)}"
    export E2E_PORT
    note "serving dist/ on http://127.0.0.1:$E2E_PORT/ for Playwright"
    # The whole suite runs, so the screenshots it keeps start from an empty folder: one from a story that has since
    # been removed or renamed would otherwise sit there looking current.
    rm -rf artifacts/screenshots
    playwright test
}

with_setup=true
layers=()
for arg in "$@"; do
    case "$arg" in
        --no-setup) with_setup=false ;;
        --list)
            for layer in "${ALL_LAYERS[@]}"; do printf '%-12s %s\n' "$layer" "$(describe "$layer")"; done
            for layer in "${OPT_IN_LAYERS[@]}"; do printf '%-12s %s (opt-in)\n' "$layer" "$(describe "$layer")"; done
            exit 0
            ;;
        -h | --help)
            sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            if ! describe "$arg" >/dev/null; then
                echo "test.sh: unknown layer '$arg' (layers: ${ALL_LAYERS[*]}; opt-in: ${OPT_IN_LAYERS[*]})" >&2
                exit 2
            fi
            layers+=("$arg")
            ;;
    esac
done
if ((${#layers[@]} == 0)); then layers=("${ALL_LAYERS[@]}"); fi

start=$SECONDS
if $with_setup; then
    scripts/setup.sh --test
fi

n_passed=0
summary=()
for layer in "${layers[@]}"; do
    banner "test [$((n_passed + 1))/${#layers[@]}] $(describe "$layer")"
    layer_start=$SECONDS
    # A subshell of its own with errexit: `if ! (...)` would switch errexit off inside the layer.
    set +e
    (
        set -e
        run_layer "$layer"
    )
    layer_status=$?
    set -e
    if ((layer_status != 0)); then
        banner "FAILED: $layer ($((SECONDS - layer_start)) s)"
        for line in "${summary[@]}"; do echo "$line"; done
        printf '%-12s FAILED\n' "$layer"
        echo "layers: $n_passed passed, 1 failed"
        exit 1
    fi
    n_passed=$((n_passed + 1))
    summary+=("$(printf '%-12s ok  %4d s' "$layer" $((SECONDS - layer_start)))")
done

banner "All ${#layers[@]} layers passed in $((SECONDS - start)) s"
for line in "${summary[@]}"; do echo "$line"; done
echo "layers: $n_passed passed, 0 failed"

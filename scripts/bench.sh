#!/usr/bin/env bash
# The benchmark: installs what is missing (scripts/setup.sh --test), builds the release (trunk build --release),
# snapshots dist/ to artifacts/bench/dist/ and serves it on 127.0.0.1 with gzip (scripts/static-server.mjs) next to a
# static baseline page with the same text (bench/baseline.html: no script, no WebAssembly), then measures both in
# headless Chromium and Lighthouse 12.2.3, prints a table (figure, value, budget, met) and writes
# artifacts/bench/report.json. It also builds two floors, timed beside the app: bench/floor (a Yew counter page, built
# like the app) and the app itself with `--features startup-floor` (its whole start-up, only its controls shown).
# A missed budget is printed, never an error: the exit status is 0 unless the build or the measuring itself failed.
# About 7 minutes on two cores (2 of them autoplay).
#
#   scripts/bench.sh                 setup, build, measure everything
#   scripts/bench.sh --no-setup      skip setup (the tools are known to be there; checks them anyway)
#   scripts/bench.sh --no-build      measure the dist/ that is there
#
# Environment (for development or reruns): BENCH_LOADS (cold loads per figure, 11), BENCH_KEY_STEPS (200),
# BENCH_AUTOPLAY_SECONDS (120), BENCH_AUTOPLAY_THROTTLE (CPU slowdown during autoplay, 1), BENCH_MEMORY_STEPS (10000),
# BENCH_ONLY=loads,keys (sections among: sizes loads compile keys lighthouse autoplay memory axe; the others are kept from
# the previous report.json, which is how to rerun the timing parts after a noisy run; BENCH_ONLY=report only
# prints the table of the last report again). BENCH_NICE=-10 (root only) runs the measuring at a higher CPU priority
# than other work on the machine (other people's builds and tests), which takes most of their noise out of the timings.
set -euo pipefail
# shellcheck source=scripts/env.sh
. "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

do_setup=true
do_build=true
for arg in "$@"; do
    case "$arg" in
        --no-setup) do_setup=false ;;
        --no-build) do_build=false ;;
        -h | --help)
            sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
            exit 0
            ;;
        *)
            echo "bench.sh: unknown argument '$arg' (try --help)" >&2
            exit 2
            ;;
    esac
done

started=$SECONDS
if $do_setup; then
    # --test: Chromium and the devDependencies (Playwright, axe, Lighthouse) come with the test set.
    scripts/setup.sh --test
fi

banner "bench: checking the tools"
missing=()
[ -x /usr/bin/chromium ] || [ -n "${CHROME_PATH:-}" ] || missing+=("/usr/bin/chromium (scripts/setup.sh --test)")
for package in @playwright/test @axe-core/playwright lighthouse; do
    [ -f "node_modules/$package/package.json" ] || missing+=("npm $package (scripts/setup.sh --test, or npm ci)")
done
if $do_build; then
    command -v trunk >/dev/null 2>&1 || missing+=("trunk (scripts/setup.sh)")
fi
if ((${#missing[@]} > 0)); then
    printf 'bench.sh: missing: %s\n' "${missing[@]}" >&2
    exit 1
fi
lighthouse_version="$(node -p 'require("./node_modules/lighthouse/package.json").version')"
if [ "$lighthouse_version" != "12.2.3" ]; then
    echo "bench.sh: node_modules has Lighthouse $lighthouse_version; the benchmark is defined with 12.2.3 (npm ci)." >&2
    exit 1
fi
note "chromium: $(/usr/bin/chromium --version 2>/dev/null | head -n1), lighthouse $lighthouse_version, node $(node --version)"

if $do_build; then
    banner "bench: release build (trunk build --release)"
    # What the build is made of: the commit and how many files under src/ differ from it (others may be editing).
    build_commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    build_dirty="$(git status --porcelain -- src static index.html Cargo.toml Cargo.lock Trunk.toml 2>/dev/null | wc -l)"
    (release_build_env && trunk build --release)
    banner "bench: the framework floor (bench/floor: a Yew counter, the same tools and release profile)"
    # Same target directory as the app, so the shared dependencies are built once.
    (release_build_env && cd bench/floor && CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}" trunk build --release --dist "$ROOT/artifacts/bench/floor")
    banner "bench: the start-up floor (the app with only its controls: --features startup-floor)"
    (release_build_env && trunk build --release --features startup-floor --dist "$ROOT/artifacts/bench/startup-floor")
fi

# Measure a snapshot: other people's builds may replace dist/ while the benchmark runs.
banner "bench: snapshot of dist/ and the baseline page"
snapshot() {
    rm -rf artifacts/bench/dist artifacts/bench/baseline
    mkdir -p artifacts/bench/dist artifacts/bench/baseline
    cp -R dist/. artifacts/bench/dist/
    # Complete when every local file index.html names is there.
    local ref
    for ref in $(grep -oE '(href|src|module_or_path: )["'"'"']\./[^"'"'"']+' artifacts/bench/dist/index.html |
        sed -E 's/.*\.\///' | sort -u); do
        [ -f "artifacts/bench/dist/$ref" ] || return 1
    done
    return 0
}
[ -f dist/index.html ] || {
    echo "bench.sh: dist/index.html is missing: build first (drop --no-build)" >&2
    exit 1
}
tries=0
until snapshot; do
    tries=$((tries + 1))
    if ((tries >= 5)); then
        echo "bench.sh: dist/ kept changing while it was copied (someone else is building); try again" >&2
        exit 1
    fi
    note "dist/ changed while it was copied (another build?), copying again"
    sleep 3
done
css="$(find artifacts/bench/dist -maxdepth 1 -name '*.css' | head -n1)"
cp bench/baseline.html artifacts/bench/baseline/index.html
cp bench/keyfloor.html artifacts/bench/baseline/keyfloor.html
if [ -n "$css" ]; then cp "$css" artifacts/bench/baseline/app.css; else : >artifacts/bench/baseline/app.css; fi
built_at="$(date -u -r dist/index.html '+%Y-%m-%dT%H:%M:%SZ')"
printf '{"commit": "%s", "uncommittedSourceFiles": %s, "builtAt": "%s", "builtHere": %s}\n' \
    "${build_commit:-unknown}" "${build_dirty:-null}" "$built_at" "$do_build" >artifacts/bench/build.json
note "$(find artifacts/bench/dist -type f | wc -l) files in artifacts/bench/dist/ (built $built_at)"

banner "bench: measuring (a missed budget is reported, not an error)"
if [ -n "${BENCH_NICE:-}" ]; then
    note "measuring at nice $BENCH_NICE (other processes: 0), so other work on the machine disturbs the timings less"
    nice -n "$BENCH_NICE" node bench/bench.mjs
else
    node bench/bench.mjs
fi
note "bench done in $((SECONDS - started)) s"

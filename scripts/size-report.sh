#!/usr/bin/env bash
# Prints every file in dist/ (the release build) with its raw size and its size after gzip -9, and the totals,
# largest first; also writes the same table to artifacts/size-report.txt.
#
#   scripts/size-report.sh [DIST_DIR]      (default: dist)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dist="${1:-$ROOT/dist}"
out_dir="$ROOT/artifacts"
out="$out_dir/size-report.txt"

if [ ! -d "$dist" ] || [ -z "$(find "$dist" -type f -print -quit)" ]; then
    echo "size-report: $dist is missing or empty; run 'trunk build --release' first" >&2
    exit 1
fi
mkdir -p "$out_dir"

# Bytes, and the same as KiB with one decimal: "123456 B (120.6 KiB)".
size() {
    awk -v bytes="$1" 'BEGIN { printf "%d B (%.1f KiB)", bytes, bytes / 1024 }'
}

rows="$(mktemp)"
trap 'rm -f "$rows"' EXIT
total_raw=0
total_gz=0
while IFS= read -r -d '' file; do
    raw=$(wc -c <"$file")
    gz=$(gzip -9 -c "$file" | wc -c)
    total_raw=$((total_raw + raw))
    total_gz=$((total_gz + gz))
    printf '%s\t%s\t%s\n' "$raw" "$gz" "${file#"$dist"/}" >>"$rows"
done < <(find "$dist" -type f -print0)

{
    echo "Size report for $(basename "$dist")/ ($(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown))"
    echo
    printf '%24s  %24s  %s\n' "raw" "gzip -9" "file"
    sort -t "$(printf '\t')" -k2,2nr "$rows" | while IFS="$(printf '\t')" read -r raw gz name; do
        printf '%24s  %24s  %s\n' "$(size "$raw")" "$(size "$gz")" "$name"
    done
    printf '%24s  %24s  %s\n' "------------------" "------------------" "-----"
    printf '%24s  %24s  %s\n' "$(size "$total_raw")" "$(size "$total_gz")" "TOTAL"
} | tee "$out"
echo "(written to ${out#"$ROOT"/})"

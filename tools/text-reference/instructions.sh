#!/usr/bin/env bash
# Instructions (valgrind callgrind) for one pass of socialkit's hot text paths over the text
# sets of speed.sh: a measure that does not move with the machine's load, unlike wall time.
# Only the code inside `measured_pass` (benches/text_instructions.rs) is counted, not reading
# the corpus.
#
#   tools/text-reference/instructions.sh                      # every case and set
#   tools/text-reference/instructions.sh x_weighted_length corpus
#   KEEP=1 tools/text-reference/instructions.sh x_weighted_length corpus  # keep callgrind.out.*
#                                                              # for callgrind_annotate
#
#   SPEED_BIN="$(tools/text-reference/text-alone.sh)" tools/text-reference/instructions.sh
#                                                              # the text modules built alone
#
# Builds the bench binary with line tables (CARGO_PROFILE_BENCH_DEBUG=line-tables-only), so
# callgrind_annotate can name source lines.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
cd "$root"
export CARGO_PROFILE_BENCH_DEBUG=line-tables-only
# SPEED_BIN: a text_instructions binary built already (text-alone.sh, or another checkout's).
bin="${SPEED_BIN:-}"
[ -n "$bin" ] || bin="$(cargo bench ${SPEED_CARGO_FLAGS:---no-default-features} --bench text_instructions --no-run \
    --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "text_instructions" and m.get("executable"):
        print(m["executable"])')"
cases=("${1:-x_weighted_length bluesky_facets_graphemes}")
sets=("${2:-corpus posts}")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for c in ${cases[*]}; do
    for s in ${sets[*]}; do
        file="$out/callgrind.out.$c.$s"
        valgrind --tool=callgrind --toggle-collect='*measured_pass*' --callgrind-out-file="$file" \
            "$bin" pass "$c" "$s" 1 >/dev/null 2>"$out/log"
        ir="$(grep -E '^(summary|totals):' "$file" | head -1 | awk '{print $2}')"
        printf '%-28s %-8s %14s instructions\n' "$c" "$s" "$ir"
        if [ -n "${KEEP:-}" ]; then cp "$file" "$root/callgrind.out.$c.$s"; fi
    done
done

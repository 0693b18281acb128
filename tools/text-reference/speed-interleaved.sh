#!/usr/bin/env bash
# The wall-clock ratios of speed.sh, measured so that the machine's load moves them less: the
# references (Node, speed.mjs) and socialkit (benches/text_instructions.rs, `speed` mode: the
# same cases, sets and MB/s) take turns, ROUNDS times, each measurement SECONDS long, and every
# ratio is socialkit's MB/s over the reference's in the same round. Prints each round's ratios
# and their median.
#
#   tools/text-reference/speed-interleaved.sh [rounds, default 5] [seconds, default 2]
#   SPEED_BIN=<text_instructions binary> SPEED_BASE=<another build's> speed-interleaved.sh
#       # both builds in every round too: the ratios before and after a change, side by side
#
# On a shared machine, read it beside instructions.sh (instruction counts, which do not move
# with the load). Targets (issue 13): X weighted length >= 20x parseTweet, Bluesky facets +
# graphemes >= 50x RichText.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
rounds="${1:-5}"
seconds="${2:-2}"
cd "$here"
[ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null
cd "$root"
# SPEED_BIN: a text_instructions binary built already (another checkout's, to compare).
bin="${SPEED_BIN:-}"
[ -n "$bin" ] || bin="$(cargo bench ${SPEED_CARGO_FLAGS:---no-default-features} --bench text_instructions --no-run \
    --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "text_instructions" and m.get("executable"):
        print(m["executable"])')"
results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for r in $(seq "$rounds"); do
    node="$(node "$here/speed.mjs" "$root/tests/data/text" "$seconds")"
    ours="{"
    for key in x_weighted_length/corpus x_weighted_length/posts \
        bluesky_facets_graphemes/corpus bluesky_facets_graphemes/posts; do
        mb="$("$bin" speed "${key%/*}" "${key#*/}" "$((seconds * 1000))" |
            python3 -c 'import json,sys; print(json.load(sys.stdin)["mbPerSecond"])')"
        ours="$ours\"$key\":$mb,"
    done
    base="{"
    if [ -n "${SPEED_BASE:-}" ]; then
        for key in x_weighted_length/corpus x_weighted_length/posts \
            bluesky_facets_graphemes/corpus bluesky_facets_graphemes/posts; do
            mb="$("$SPEED_BASE" speed "${key%/*}" "${key#*/}" "$((seconds * 1000))" |
                python3 -c 'import json,sys; print(json.load(sys.stdin)["mbPerSecond"])')"
            base="$base\"$key\":$mb,"
        done
    fi
    base="${base%,}}"
    echo "{\"round\":$r,\"node\":$node,\"socialkit\":${ours%,}},\"base\":$base}" >> "$results"
done
python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
keys = [k for k in rows[0]["socialkit"]]
print(f"{len(rows)} rounds, references and socialkit in turn (Node {rows[0]['node']['node']})")
print(f"{'bench':<34}{'reference MB/s':>15}{'socialkit MB/s':>16}   ratio per round -> median")
for k in keys:
    ratios = [r["socialkit"][k] / r["node"][k] for r in rows]
    ref = statistics.median(r["node"][k] for r in rows)
    ours = statistics.median(r["socialkit"][k] for r in rows)
    per = " ".join(f"{x:.1f}" for x in ratios)
    print(f"{k:<34}{ref:>15.2f}{ours:>16.2f}   {per} -> {statistics.median(ratios):.1f}x")
if rows[0]["base"]:
    print("the same rounds, SPEED_BASE (the build before the change):")
    for k in keys:
        ratios = [r["base"][k] / r["node"][k] for r in rows]
        ours = statistics.median(r["base"][k] for r in rows)
        per = " ".join(f"{x:.1f}" for x in ratios)
        print(f"{k:<34}{'':>15}{ours:>16.2f}   {per} -> {statistics.median(ratios):.1f}x")
PY

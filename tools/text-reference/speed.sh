#!/usr/bin/env bash
# Speed of socialkit's text rules against the reference implementations, side by side in one
# run on the same texts: the differential corpus (tests/data/text/corpus.jsonl) and 200
# realistic posts (tests/data/text/posts.jsonl), one call per text.
#
#   tools/text-reference/speed.sh [seconds per measurement, default 3]
#   SPEED_CARGO_FLAGS=--no-default-features tools/text-reference/speed.sh   # skip SQLite's build
#
# Runs the references on Node (tools/text-reference/speed.mjs), then `cargo bench ${SPEED_CARGO_FLAGS:-} --bench text`
# (criterion), and prints MB/s of each and the ratio socialkit / reference. Targets (issue 13):
# X weighted length >= 20x parseTweet, Bluesky facets + graphemes >= 50x RichText.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
seconds="${1:-3}"
cd "$here"
[ -d node_modules ] || npm ci --no-audit --no-fund >/dev/null
node_json="$(node speed.mjs "$root/tests/data/text" "$seconds")"
cd "$root"
cargo bench ${SPEED_CARGO_FLAGS:-} --bench text -- --warm-up-time 1 --measurement-time "$seconds" "text/(x_weighted_length|bluesky_facets_graphemes)/" >/dev/null
NODE_JSON="$node_json" python3 - "$root/target/criterion" <<'PY'
import json, os, sys
crit = sys.argv[1]
node = json.loads(os.environ["NODE_JSON"])
print(f"Node {node['node']} (references) vs socialkit (criterion, mean), same texts, one run")
print(f"{'bench':<38}{'reference MB/s':>15}{'socialkit MB/s':>16}{'ratio':>9}")
for key in sorted(k for k in node if "/" in k):
    name, set_ = key.split("/")
    base = os.path.join(crit, "text", f"{name}_{set_}")
    if not os.path.isdir(base):
        base = os.path.join(crit, "text", name, set_)
    est = json.load(open(os.path.join(base, "new", "estimates.json")))
    bench = json.load(open(os.path.join(base, "new", "benchmark.json")))
    nanos = est["mean"]["point_estimate"]
    nbytes = bench["throughput"]["Bytes"]
    ours = nbytes / (nanos / 1e9) / 1e6
    print(f"{key:<38}{node[key]:>15.2f}{ours:>16.2f}{ours / node[key]:>8.1f}x")
PY

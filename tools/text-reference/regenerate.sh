#!/usr/bin/env bash
# Regenerates the differential test data of socialkit's text rules (tests/data/text/) and the
# emoji table derived from twitter-text's emoji regex (src/text/x_emoji_table.rs).
#
#   tools/text-reference/regenerate.sh            # corpora, emoji table, answers
#   tools/text-reference/regenerate.sh answers    # only the answers (after a reference bump)
#
# Needs Node (20 or later) and the npm registry; installs the pinned references with `npm ci`.
# After bumping a reference in package.json (`npm install --save-exact pkg@version`), run it
# and then `cargo test --test text_reference_agreement`. Note that the answers also depend on
# Node's own Unicode data (grapheme segmentation and NFC come from its ICU): the versions that
# answered are written to tests/data/text/*.meta.json.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
data="$here/../../tests/data/text"
cd "$here"
npm ci --no-audit --no-fund >/dev/null
mkdir -p "$data"
if [ "${1:-all}" != answers ]; then
  node generate-corpus.mjs --seed 1 --count 6000 --out "$data/corpus.jsonl"
  node generate-corpus.mjs --seed 2 --count 2000 --out "$data/holdout.jsonl"
  node emoji-table.mjs "$here/../../src/text/x_emoji_table.rs"
fi
node answer.mjs "$data/corpus.jsonl" "$data/answers.jsonl"
node answer.mjs "$data/holdout.jsonl" "$data/holdout-answers.jsonl"

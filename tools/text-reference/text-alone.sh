#!/usr/bin/env bash
# Builds benches/text_instructions.rs against the text modules alone (src/text: X, Bluesky
# and what they use), without the rest of the crate, and prints the binary's path. A release
# build of the whole crate takes 10-20 minutes on a busy machine; this one about a minute,
# with the same code for the measured paths (line tables on, for callgrind_annotate).
#
#   bin="$(tools/text-reference/text-alone.sh)"
#   SPEED_BIN="$bin" tools/text-reference/instructions.sh
#   SPEED_BIN="$bin" SPEED_BASE=<another build> tools/text-reference/speed-interleaved.sh
#
# The crate is written to text-alone/ in CARGO_TARGET_DIR (by default the repository's
# target/), where the build goes too, so dependencies are built once; the binary reads the
# text sets through it (tests/ is linked there).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
target="${CARGO_TARGET_DIR:-$root/target}"
crate="$target/text-alone"
mkdir -p "$crate/src"
ln -sfn "$root/tests" "$crate/tests"
cp "$root/Cargo.lock" "$crate/"
cat > "$crate/Cargo.toml" <<TOML
[package]
name = "socialkit"
version = "0.1.0"
edition = "2024"

[workspace]

[dependencies]
serde = { version = "1", features = ["derive"] }
serde_json = "1"
icu_normalizer = "2"
icu_properties = "2"

[[bench]]
name = "text_instructions"
path = "$root/benches/text_instructions.rs"
harness = false

[profile.bench]
debug = "line-tables-only"
TOML
{
    echo '#![allow(dead_code, unused_imports)]'
    echo 'pub mod text {'
    for m in bluesky extract x; do
        echo "    #[path = \"$root/src/text/$m.rs\"] pub mod $m;"
    done
    for m in chars graphemes tlds x_emoji x_emoji_table x_url; do
        echo "    #[path = \"$root/src/text/$m.rs\"] mod $m;"
    done
    echo '    pub use extract::IndexUnit;'
    echo '}'
} > "$crate/src/lib.rs"
cd "$crate"
CARGO_TARGET_DIR="$target" cargo bench --bench text_instructions --no-run \
    --message-format=json 2>/dev/null | python3 -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "text_instructions" and m.get("executable"):
        print(m["executable"])'

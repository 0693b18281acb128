#!/bin/sh
# Fuzzes one target for a while and keeps what it found, minimised, in corpus/<target>:
#
#   fuzz/run.sh adapter_x 300
#
# New inputs land in a scratch directory; afterwards `-set_cover_merge=1` keeps a small set of inputs that keeps every
# coverage feature of the committed corpus and the new finds, so the corpora stay small.
set -eu
cd "$(dirname "$0")"
# Answers may name URLs: any request that is not to loopback goes to a closed loopback port.
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9
export NO_PROXY=127.0.0.1,localhost
t="$1"; secs="${2:-180}"
BIN=target/x86_64-unknown-linux-gnu/release
mkdir -p "corpus/$t" "seeds/$t" artifacts
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
"$BIN/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t-" "$scratch" "corpus/$t" "seeds/$t"
merged="$(mktemp -d)"
"$BIN/$t" -set_cover_merge=1 "$merged" "corpus/$t" "$scratch" > /dev/null 2>&1
rm -rf "corpus/$t" && mv "$merged" "corpus/$t"
echo "corpus/$t: $(ls "corpus/$t" | wc -l) inputs, $(du -sk "corpus/$t" | cut -f1) KiB"

#!/bin/sh
# Fuzzes one target for a while and keeps what it found, minimised, in corpus/<target>.tar.gz:
#
#   fuzz/run.sh adapter_x 300
#
# New inputs land in a scratch directory; afterwards `-set_cover_merge=1` keeps a small set of
# inputs with every coverage feature of the committed corpus and the new finds, packed as one
# archive per target so the repository holds 15 files, not thousands.
set -eu
cd "$(dirname "$0")"
# Answers may name URLs: any request that is not to loopback goes to a closed loopback port.
export HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 ALL_PROXY=http://127.0.0.1:9
export NO_PROXY=127.0.0.1,localhost
t="$1"; secs="${2:-180}"
BIN=target/x86_64-unknown-linux-gnu/release
mkdir -p corpus "seeds/$t" artifacts
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/old" "$work/new" "$work/pack/$t"
if [ -f "corpus/$t.tar.gz" ]; then
    tar -xzf "corpus/$t.tar.gz" -C "$work/old" --strip-components=1
fi
"$BIN/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="artifacts/$t-" "$work/new" "$work/old" "seeds/$t"
"$BIN/$t" -set_cover_merge=1 "$work/pack/$t" "$work/old" "$work/new" > /dev/null 2>&1
tar -czf "corpus/$t.tar.gz" -C "$work/pack" "$t"
echo "corpus/$t.tar.gz: $(ls "$work/pack/$t" | wc -l) inputs, $(du -k "corpus/$t.tar.gz" | cut -f1) KiB"

#!/bin/sh
# Builds every fuzz target with libFuzzer's coverage instrumentation on stable Rust (no
# nightly, no sanitizer): the SanitizerCoverage pass with inline 8-bit counters, the PC
# table and comparison tracing, as cargo-fuzz passes them, plus `--cfg fuzzing`,
# debug assertions and overflow checks. `--target` keeps the flags off build scripts and
# proc macros. Binaries: fuzz/target/x86_64-unknown-linux-gnu/release/<target>.
set -eu
cd "$(dirname "$0")"
export RUSTFLAGS="-Cpasses=sancov-module \
 -Cllvm-args=-sanitizer-coverage-level=4 \
 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
 -Cllvm-args=-sanitizer-coverage-pc-table \
 -Cllvm-args=-sanitizer-coverage-trace-compares \
 --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
exec cargo build --release --target x86_64-unknown-linux-gnu --bins "$@"

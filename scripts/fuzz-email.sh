#!/usr/bin/env bash
# Fuzzes the email intake path (parse + classifiers + threading keys + quote split) for
# a bounded time, seeded with the real-world corpus in fixtures/email.
#
# Needs a nightly toolchain and cargo-fuzz (`rustup toolchain install nightly`,
# `cargo install cargo-fuzz`). It is a benchmark-style command, NOT part of CI.
#
# Usage: scripts/fuzz-email.sh [SECONDS] [extra cargo-fuzz flags]   (default 60)
#
# It builds with -O (release, no debug assertions), as production runs: mail-parser
# 0.11 has a debug_assert! that hostile input reaches (crates/channels/tests/it/
# fixtures/mail-parser-debug-assert.eml). In debug builds `parse` catches it and
# returns ParseError::Malformed, but libFuzzer aborts on every panic, so with `-a`
# (debug assertions and overflow checks) the run stops at that known finding.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
seed_dir="fuzz/corpus/email_intake"
mkdir -p "$seed_dir"
for file in fixtures/email/*; do
  [ -e "$seed_dir/$(basename "$file")" ] || cp "$file" "$seed_dir/"
done

cd fuzz
exec cargo +nightly fuzz run -O "$@" email_intake "corpus/email_intake" -- \
  -max_total_time="$seconds" -max_len=262144

#!/usr/bin/env sh
# The `caac-lint-rust` pre-commit hook (.pre-commit-hooks.yaml): build caac
# from the clone of this repository that pre-commit keeps in its cache, with
# `--locked` so the dependency versions are exactly Cargo.lock's, then run it
# with the hook's arguments in the user's repository (pre-commit's working
# directory). The first run compiles (minutes); later runs find the build
# up to date. pre-commit's own `language: rust` cannot pass `--locked` to
# `cargo install`, which is why this is a script hook.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
if ! command -v cargo >/dev/null 2>&1; then
  echo "caac-lint-rust: cargo is not on PATH; install Rust (https://rustup.rs) or use the caac-lint hook" >&2
  exit 2
fi
export CARGO_TARGET_DIR="$here/target"
cargo build --quiet --release --locked --manifest-path "$here/Cargo.toml" --bin caac >&2
exec "$here/target/release/caac" "$@"

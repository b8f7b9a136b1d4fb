#!/usr/bin/env bash
# Turn samples/lakeside-churn/ into a throwaway git repository (build/lakeside-churn) with a
# little history, so `make demo` can scan it like a client's repository.
set -euo pipefail
src="$(cd "$(dirname "$0")" && pwd)/lakeside-churn"
dest="${1:-build/lakeside-churn}"
rm -rf "$dest"
mkdir -p "$dest"
export GIT_AUTHOR_NAME="Marta Keller" GIT_AUTHOR_EMAIL="marta.keller@lakeside.example"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME" GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"
export GIT_CONFIG_NOSYSTEM=1 HOME="${TMPDIR:-/tmp}"
g() { git -C "$dest" "$@"; }
g init -q -b main
cp -r "$src/." "$dest/"
mv "$dest/models" "$dest/.models-later"
g add -A
GIT_AUTHOR_DATE="2026-03-02T10:00:00Z" GIT_COMMITTER_DATE="2026-03-02T10:00:00Z" \
    g commit -q -m "Churn model: DVC pipeline, MLflow tracking, CI tests"
g tag "churn@v1.2.0"
mv "$dest/.models-later" "$dest/models"
g add -A
GIT_AUTHOR_EMAIL="jonas.weber@lakeside.example" GIT_AUTHOR_NAME="Jonas Weber" \
GIT_AUTHOR_DATE="2026-10-14T16:30:00Z" GIT_COMMITTER_DATE="2026-10-14T16:30:00Z" \
    g commit -q -m "Keep the March model for rollback"
g tag "churn@v1.3.0"
echo "$dest"

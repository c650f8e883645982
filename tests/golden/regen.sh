#!/usr/bin/env bash
# Records again every output compared by tests/golden.rs (the commands are in commands.txt).
# Run it only when a change is meant to alter outputs, then read `git diff tests/golden` before
# committing: every changed byte is a change a manager will see.
set -euo pipefail
cd "$(dirname "$0")/../.."
CASELOAD_BLESS=1 cargo test --release --test it "${@:-golden::}"
git status --short tests/golden | head -50

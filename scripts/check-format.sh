#!/usr/bin/env bash
# Fails when a C++ file of the project differs from what clang-format (.clang-format) makes of it.
set -euo pipefail
cd "$(dirname "$0")/.."
find core sdk plugins tests -name '*.cpp' -o -name '*.h' | sort | xargs clang-format --dry-run --Werror

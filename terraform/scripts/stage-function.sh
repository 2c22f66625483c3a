#!/usr/bin/env bash
# Builds the function and stages exactly what Cloud Build needs (package.json, package-lock.json, dist/)
# into terraform/.build/function-source, the folder function_source_dir points at.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo/terraform/.build/function-source"

cd "$repo"
npm ci
npm run build

rm -rf "$out"
mkdir -p "$out"
cp package.json package-lock.json "$out/"
cp -R dist "$out/dist"
echo "Staged the function source in $out"

#!/usr/bin/env bash
# Builds the function and stages exactly what Cloud Build needs (package.json, package-lock.json, dist/)
# into terraform/.build/function-source, the folder function_source_dir points at.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$repo/terraform/.build/function-source"

cd "$repo"
# The functions run on the module's runtime (nodejs22 by default, or nodejs24), within package.json's engines;
# building needs a Node.js at least as new as that floor.
node -e '
  const wanted = Number(/(\d+)/.exec(require("./package.json").engines.node)[1]);
  const have = Number(process.versions.node.split(".")[0]);
  if (have < wanted) {
    console.error(`Node.js ${wanted} or later is needed to stage the function (package.json engines); this is ${process.version}.`);
    process.exit(1);
  }
'
npm ci
npm run build

rm -rf "$out"
mkdir -p "$out"
cp package.json package-lock.json "$out/"
cp -R dist "$out/dist"
echo "Staged the function source in $out"

#!/usr/bin/env bash
# Builds the function and zips exactly what Cloud Build needs (package.json, package-lock.json, dist/) into
# terraform/.build/function-source.zip, the file function_source_zip points at.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
zip="$repo/terraform/.build/function-source.zip"

cd "$repo"
# The functions run on the module's runtime (nodejs22 by default, or nodejs24), within package.json's engines;
# building needs a Node.js at least as new as that floor.
# shellcheck disable=SC2016 # JavaScript's template literal, not the shell's.
node -e '
  const wanted = Number(/(\d+)/.exec(require("./package.json").engines.node)[1]);
  const have = Number(process.versions.node.split(".")[0]);
  if (have < wanted) {
    console.error(`Node.js ${wanted} or later is needed to stage the function (package.json engines); this is ${process.version}.`);
    process.exit(1);
  }
'
if ! command -v python3 >/dev/null; then
  echo "Python 3 (python3) is needed to write the function's zip; see terraform/README.md, Deploy, Prerequisites." >&2
  exit 1
fi
npm ci
# From a clean dist/, so the zip holds no output of a source file since deleted.
rm -rf dist
npm run build

mkdir -p "$(dirname "$zip")"
# The same build gives the same bytes, so the same object name (its MD5) and no redeploy of the functions.
python3 terraform/scripts/zip-source.py "$zip" package.json package-lock.json dist
md5="$(python3 -c 'import hashlib, sys; print(hashlib.md5(open(sys.argv[1], "rb").read()).hexdigest())' "$zip")"
echo "Wrote $zip; Terraform uploads it as function-source-$md5.zip"

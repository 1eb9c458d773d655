#!/usr/bin/env bash
# Fails on an import against the layers' allowed arrows (docs/architecture.md, .dependency-cruiser.cjs).
# dependency-cruiser reads the TypeScript and .mjs imports; it does not parse .astro files, so their
# imports are checked here with the same rule for the site: nothing from jobs/, sim/, tests/ or bench/.
set -euo pipefail
cd "$(dirname "$0")/.."
dirs=(); for d in crawler db jobs site registration federation guide sim lib; do [ -d "$d" ] && dirs+=("$d"); done
npx depcruise "${dirs[@]}" astro.config.mjs --config .dependency-cruiser.cjs
bad=$(grep -rnE "^\s*import\b.*from\s+['\"][./]*(\.\./)+(jobs|sim|tests|bench)/" --include='*.astro' site || true)
if [ -n "$bad" ]; then
  echo "check-imports: .astro files import from a layer the site may not use (docs/architecture.md):" >&2
  echo "$bad" >&2
  exit 1
fi
echo "check-imports: .astro imports respect the layers"

#!/usr/bin/env bash
# Regenerates test/fixtures/golden/*.json from the official workbook (see README.md here).
# Needs LibreOffice Calc and python3-uno from Debian:
#   apt-get update && apt-get install -y --no-install-recommends libreoffice-calc python3-uno
set -euo pipefail
cd "$(dirname "$0")/../.."
workbook=${1:-../shared/reference/lke-zi-form.xlsx}
input=$(mktemp --suffix=.json)
trap 'rm -f "$input"' EXIT
npx tsx scripts/golden/answer-sets.ts >"$input"
/usr/bin/python3 scripts/golden/recalc.py "$input" "$workbook" test/fixtures/golden

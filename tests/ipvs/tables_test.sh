#!/usr/bin/env bash
# src/ipvs/ipvs_tables.hpp is nlpp-gen's output for specs/ipvs.yaml, checked
# in (the ipvs layer must not depend on the generator, which the s390x and
# sanitizer configurations do not build): regenerated here and compared.
#   tables_test.sh NLPP_GEN SOURCE_DIR
set -euo pipefail
gen=$1 src=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
"$gen" --spec "$src/specs/ipvs.yaml" --tables "$out/ipvs_tables.hpp" --namespace nlpp::ipvs::tables
if ! diff -u "$src/src/ipvs/ipvs_tables.hpp" "$out/ipvs_tables.hpp"; then
  echo "FAIL: src/ipvs/ipvs_tables.hpp is not nlpp-gen's output for specs/ipvs.yaml; regenerate it (from the project):"
  echo "  $gen --spec specs/ipvs.yaml --tables src/ipvs/ipvs_tables.hpp --namespace nlpp::ipvs::tables"
  exit 1
fi
echo "ipvs tables: 1 passed, 0 failed"

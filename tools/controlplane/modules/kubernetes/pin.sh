#!/bin/sh
# Pins this wrapper module to another Kubernetes release, e.g. `./pin.sh v1.36.3`.
# k8s.io/kubernetes points its k8s.io/* staging modules at ./staging/..., so each of them is replaced
# by its published release (v1.MINOR.PATCH is published as v0.MINOR.PATCH). The list is read from the
# release's own go.mod, so staging modules added or removed upstream are picked up.
set -eu

version="${1:?usage: $0 v1.MINOR.PATCH}"
staging_version="v0.${version#v1.}"
cd "$(dirname "$0")"
export GOWORK=off GOFLAGS=-mod=mod

upstream_go_mod="$(go mod download -json "k8s.io/kubernetes@$version" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p')"
staging_modules="$(sed -n 's/^[[:space:]]*\(k8s\.io\/[^[:space:]]*\) => \.\/staging\/.*/\1/p' "$upstream_go_mod")"

edits="-require=k8s.io/kubernetes@$version"
# Keep the release's default GODEBUG settings (single-line `godebug key=value` directives upstream).
for setting in $(sed -n 's/^godebug[[:space:]]\{1,\}\([^[:space:]]*=[^[:space:]]*\).*/\1/p' "$upstream_go_mod"); do
  edits="$edits -godebug=$setting"
done
for module in $(go mod edit -json | sed -n 's/^[[:space:]]*"Path": "\(k8s\.io\/[^"]*\)",*$/\1/p' | sort -u); do
  edits="$edits -dropreplace=$module"
done
# shellcheck disable=SC2086 # word splitting of the edit flags is intended
go mod edit $edits
# One replace block, in the upstream order, rather than go mod edit's one directive per module.
{
  echo 'replace ('
  for module in $staging_modules; do
    printf '\t%s => %s %s\n' "$module" "$module" "$staging_version"
  done
  echo ')'
} >>go.mod
go mod edit -fmt
go mod tidy
echo "pinned k8s.io/kubernetes $version with $(echo "$staging_modules" | wc -l) staging modules at $staging_version"

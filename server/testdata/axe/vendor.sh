#!/bin/sh
# vendor.sh copies axe-core's browser build from its npm package into this folder,
# for the accessibility browser tests (server/browser_axe_test.go), which inject it
# into each page. The copy is committed, so tests need no network or npm. Run from
# the module root (make vendor-axe) or from anywhere: paths are taken relative to
# this script. axe-core is MPL-2.0: its licence travels with it (LICENSE, and the
# header at the top of axe.min.js).
set -eu

AXE_VERSION=${AXE_VERSION:-4.14.1}

here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null)
tar -xzf "$tmp"/axe-core-"$AXE_VERSION".tgz -C "$tmp"
pkg="$tmp/package"

cp "$pkg/axe.min.js" "$here/axe.min.js"
cp "$pkg/LICENSE" "$here/LICENSE"
printf 'axe-core %s from the npm package axe-core@%s (axe.min.js and LICENSE), by server/testdata/axe/vendor.sh\n' \
	"$AXE_VERSION" "$AXE_VERSION" >"$here/VERSION"
echo "vendored axe-core $AXE_VERSION into $here"

#!/bin/sh
# vendor.sh copies Leaflet from its npm package into static/vendor/leaflet/, so the
# pages work with no network at run time. Run from the module root (make vendor) or
# from anywhere: paths are taken relative to this script.
set -eu

LEAFLET_VERSION=1.9.4

here=$(cd "$(dirname "$0")" && pwd)
dest="$here/vendor/leaflet"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

(cd "$tmp" && npm pack --silent "leaflet@$LEAFLET_VERSION" >/dev/null)
tar -xzf "$tmp"/leaflet-"$LEAFLET_VERSION".tgz -C "$tmp"
pkg="$tmp/package"

rm -rf "$dest"
mkdir -p "$dest/images"
cp "$pkg/dist/leaflet.js" "$pkg/dist/leaflet.css" "$dest/"
cp "$pkg"/dist/images/* "$dest/images/"
cp "$pkg/LICENSE" "$dest/LICENSE"
printf 'leaflet %s from the npm package leaflet@%s (dist/ and LICENSE), by static/vendor.sh\n' \
	"$LEAFLET_VERSION" "$LEAFLET_VERSION" >"$dest/VERSION"
echo "vendored leaflet $LEAFLET_VERSION into $dest"

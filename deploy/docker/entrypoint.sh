#!/bin/sh
# Container entrypoint (runs under tini). `start` runs the role named by RADIUS_MFA_ROLE with
# the config at RADIUS_MFA_CONFIG; anything else is passed to the radius-mfa CLI unchanged.
# `exec` replaces the shell so signals from tini reach Node directly.
set -eu
app_dir=${RADIUS_MFA_APP_DIR:-/app}
cli="$app_dir/services/cli/bin/radius-mfa.js"
if [ "$#" -eq 0 ] || [ "$1" = start ]; then
  [ "$#" -gt 0 ] && shift
  exec node "$cli" start --role "${RADIUS_MFA_ROLE:-all}" --config "${RADIUS_MFA_CONFIG:-/etc/radius-mfa/config.yaml}" "$@"
fi
exec node "$cli" "$@"

#!/bin/sh
# Container entrypoint (runs under tini). `start` runs the role named by RADIUS_MFA_ROLE with
# the config at RADIUS_MFA_CONFIG; anything else is passed to the radius-mfa CLI unchanged.
# `exec` replaces the shell so signals from tini reach Node directly.
# RADIUS_MFA_NODE_FLAGS: Node/V8 flags of a role process, default --max-semi-space-size=16 (a
# 16 MB young generation: V8 grows it to 64 MB under load, and each collection of it paused a
# role for 15-30 ms, the p99 of a login at half the peak; docs/benchmarks.md). Set it empty to
# run with Node's defaults. Flags in NODE_OPTIONS are read before these: these win.
set -eu
app_dir=${RADIUS_MFA_APP_DIR:-/app}
cli="$app_dir/services/cli/bin/radius-mfa.js"
if [ "$#" -eq 0 ] || [ "$1" = start ]; then
  [ "$#" -gt 0 ] && shift
  # shellcheck disable=SC2086 # several flags, split on spaces
  exec node ${RADIUS_MFA_NODE_FLAGS---max-semi-space-size=16} "$cli" start --role "${RADIUS_MFA_ROLE:-all}" --config "${RADIUS_MFA_CONFIG:-/etc/radius-mfa/config.yaml}" "$@"
fi
exec node "$cli" "$@"

#!/usr/bin/env bash
# Installs promtool into .tools/promtool for the alert-rule tests (promtool check/test rules).
# Debian's prometheus package carries it; we only download and unpack the .deb (no daemon
# is installed or started). apt verifies the package signature; the version is pinned to
# the bookworm major/minor we test against. Idempotent: skips when .tools/promtool runs.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=.tools/promtool
WANT_VERSION='2.42.'

if [ -x "$TARGET" ] && "$TARGET" --version 2>&1 | grep -q "version $WANT_VERSION"; then
  echo "promtool already installed: $("$TARGET" --version 2>&1 | head -1)"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 0777 "$work" # apt-get download runs as _apt where it can
(cd "$work" && { apt-get download prometheus >/dev/null 2>&1 || { apt-get update -qq && apt-get download prometheus; }; })
dpkg -x "$work"/prometheus_*.deb "$work/root"
"$work/root/usr/bin/promtool" --version 2>&1 | grep -q "version $WANT_VERSION" || {
  echo "unexpected promtool version: $("$work/root/usr/bin/promtool" --version 2>&1 | head -1)" >&2
  exit 1
}
mkdir -p .tools
install -m 0755 "$work/root/usr/bin/promtool" "$TARGET"
echo "promtool installed: $("$TARGET" --version 2>&1 | head -1)"

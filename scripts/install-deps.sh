#!/bin/sh
# Install the Debian packages seqsent needs to build and test, only when missing
# (libopencc-dev: --t2s; python3-jieba: the default Chinese dictionary, its dict.txt;
# python3-numpy: the Python module's numpy path, tested by tests/cli_python.sh).
# Idempotent and quiet: prints nothing when everything is already there.
set -e
PKGS="build-essential pkg-config libutf8proc-dev libcjson-dev libopenblas-dev zlib1g-dev libmicrohttpd-dev libopencc-dev python3-jieba python3-numpy zsh libopenmpi-dev openmpi-bin groff-base"
[ -n "$SEQSENT_EXTRA_PKGS" ] && PKGS="$PKGS $SEQSENT_EXTRA_PKGS"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null

#!/bin/sh
# Install the Debian packages the userspace build and tests need, only when
# one of them is absent.  The kernel check installs its own (kernel/kernel.mk).
set -e
pkgs="gcc make libcmocka-dev pkg-config python3"
# `install-deps.sh bench`: also what `make bench` needs to draw its plot.
[ "${1:-}" = bench ] && pkgs="$pkgs gnuplot-nox"
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "run as root to install:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq $missing

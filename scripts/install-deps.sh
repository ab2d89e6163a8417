#!/bin/sh
# Install the Debian packages the userspace build and tests need, only when
# one of them is absent.  The kernel check installs its own (kernel/kernel.mk).
# Arguments name extra packages a target needs (make coverage: gcovr).
set -e
pkgs="gcc make libcmocka-dev pkg-config python3"
# `install-deps.sh bench`: also what `make bench` needs to draw its plot;
# other arguments are extra packages (make coverage: gcovr).
if [ "${1:-}" = bench ]; then
	shift
	pkgs="$pkgs gnuplot-nox"
fi
pkgs="$pkgs $*"
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

#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the devmig kernel-check initramfs (busybox sh).
#
# Kernel command line (read from /proc/cmdline):
#   devmig.mode=test|bench|probe
#   devmig.spm0=ADDR devmig.spm1=ADDR   special-purpose memory for test_hmm's
#                                        device-coherent devices (memmap= hole)
#   devmig.hugepages=N                   hugetlb pages for the hugetlbfs tests
#
# Results go to the second serial port (/dev/ttyS1), which the host keeps
# in a file of its own, so kernel messages never interleave with them.
# Every line the host parses starts with "DEVMIG ".

/bin/busybox --install -s /bin
export PATH=/bin

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug

out=/dev/ttyS1
[ -c "$out" ] || out=/dev/console

say() {
	echo "DEVMIG $*"
	echo "DEVMIG $*" >"$out"
}

# The kernel has no ACPI, so "power off" is a reset, which QEMU's -no-reboot
# turns into an exit.
finish() {
	say "DONE"
	sync
	reboot -f
}

param() {
	for word in $(cat /proc/cmdline); do
		case "$word" in
		"devmig.$1="*) echo "${word#*=}"; return ;;
		esac
	done
	echo "$2"
}

mode=$(param mode test)
spm0=$(param spm0 0)
spm1=$(param spm1 0)
hugepages=$(param hugepages 16)

say "KERNEL $(uname -r) $(uname -v)"
if [ "$mode" = probe ]; then
	say "PROBE-OK"
	finish
fi

if ! insmod /test_hmm.ko spm_addr_dev0="$spm0" spm_addr_dev1="$spm1"; then
	say "ERROR insmod test_hmm failed"
	finish
fi
major=$(awk '$2 == "HMM_DMIRROR" { print $1 }' /proc/devices)
if [ -z "$major" ]; then
	say "ERROR HMM_DMIRROR not in /proc/devices"
	finish
fi
# devtmpfs normally has them already; make any that are missing.
for minor in 0 1 2 3; do
	node=/dev/hmm_dmirror$minor
	[ -c "$node" ] || mknod "$node" c "$major" "$minor"
done
echo "$hugepages" >/proc/sys/vm/nr_hugepages
say "SETUP major=$major spm0=$spm0 spm1=$spm1" \
	"hugepages=$(cat /proc/sys/vm/nr_hugepages)"

thp=/sys/kernel/mm/transparent_hugepage/enabled

case "$mode" in
test)
	for policy in madvise always; do
		echo "$policy" >"$thp"
		say "BEGIN thp=$policy ($(cat "$thp"))"
		rc=0
		/hmm-tests >"$out" 2>&1 || rc=$?
		say "END thp=$policy rc=$rc"
	done
	;;
bench)
	echo madvise >"$thp"
	say "BEGIN bench thp=madvise"
	rc=0
	/hmm-bench -n "$(param runs 5)" >"$out" 2>&1 || rc=$?
	say "END bench rc=$rc"
	;;
*)
	say "ERROR unknown mode $mode"
	;;
esac
finish

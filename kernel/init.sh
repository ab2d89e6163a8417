#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the devmig kernel-check initramfs (busybox sh).
#
# Kernel command line (read from /proc/cmdline):
#   devmig.mode=test|bench|scenarios|probe
#   devmig.spm0=ADDR devmig.spm1=ADDR   special-purpose memory for test_hmm's
#                                        device-coherent devices (memmap= hole)
#   devmig.hugepages=N                   hugetlb pages for the hugetlbfs tests
#   devmig.scentimeout=S                 seconds one scenario may take
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
# To the results port only: per-scenario lines would double the console.
mark() {
	echo "DEVMIG $*" >"$out"
}

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
kh=/sys/kernel/mm/transparent_hugepage/khugepaged

# khugepaged collapses small pages into THPs behind a program's back, when
# it likes: a transcript would depend on its timing.  Collapse only ranges
# with every PTE present (max_ptes_*=0), scan one PMD per pass and sleep for
# weeks between passes.  It is woken only when its list of mms goes from
# empty to non-empty, or when a THP policy change restarts it: the parked
# process (kernel/park-khugepaged.c) stays first on that list and takes
# every pass.  Each script's pages_collapsed delta is reported.
khugepaged_collapsed() {
	cat "$kh/pages_collapsed"
}

quiet_khugepaged() {
	local knob

	for knob in max_ptes_none max_ptes_swap max_ptes_shared; do
		echo 0 >"$kh/$knob"
	done
	echo 1 >"$kh/pages_to_scan"
	echo 4294967295 >"$kh/scan_sleep_millisecs"
	echo 4294967295 >"$kh/alloc_sleep_millisecs"
	echo madvise >"$thp"
	/park-khugepaged &
	say "KHUGEPAGED parked; pages_collapsed=$(khugepaged_collapsed)"
}

# A kernel oops leaves locks held (a mirror's mutex, an mm's lock): later
# scripts would hang on them, and the script that oopsed may never finish
# exiting.  Watch the kernel log; on an oops, say which script did it and
# reboot at once.  The host boots again to run the scripts after it
# (devmig.after=NAME).
oops_watchdog() {
	while sleep 1; do
		dmesg >/tmp/kmsg-watch
		if grep -q -E "$oops_pattern" /tmp/kmsg-watch; then
			report_oops /tmp/kmsg-watch "$(cat /tmp/current)" partial
		fi
	done
}

# The kernel log $1 has an oops of script $2: say where (the first RIP line
# after the oops, which DIFFERENCES entries oops@FUNCTION match) and reboot.
# From the watchdog ($3 = partial), the steps the script had written first.
report_oops() {
	if [ "${3:-}" = partial ]; then
		cat /tmp/transcript >"$out"
		[ -z "$(tail -c 1 /tmp/transcript)" ] || echo >"$out"
	fi
	mark "SCEN-KMSG OOPS-$(awk -v p="$oops_pattern" '$0 ~ p { o = 1 }
		o && /RIP:/ { print; exit }' "$1")"
	mark "SCEN-OOPS $2"
	sync
	reboot -f
}

oops_pattern='Oops|BUG:|kernel BUG|Kernel panic'

# make kernel-diff: every script under /scenarios through the linux backend,
# each in a fresh process (the interpreter first sets THP to "never", where
# every script starts in both worlds), in sorted order from the one after
# devmig.after.  Each transcript goes to the results port between
# SCEN-BEGIN and SCEN-END; kernel warnings a script provoked follow as
# SCEN-KMSG lines.  A script that hangs is killed after devmig.scentimeout.
run_scenarios() {
	local limit n=0 script name rc line before collapsed after

	limit=$(param scentimeout 60)
	after=$(param after "")
	quiet_khugepaged
	dmesg -c >/dev/null
	echo "(none yet)" >/tmp/current
	oops_watchdog &
	say "BEGIN scenarios $(find /scenarios -type f | wc -l)${after:+ after $after}"
	for script in $(cd /scenarios && find . -type f | sort); do
		name=${script#./}
		if [ -n "$after" ]; then
			[ "$name" = "$after" ] && after=""
			continue
		fi
		echo "$name" >/tmp/current
		: >/tmp/transcript
		mark "SCEN-BEGIN $name"
		before=$(khugepaged_collapsed)
		rc=0
		# From /scenarios, so a message naming the script names it as
		# the model's run (from the host's copy of the tree) does.
		(cd /scenarios && timeout "$limit" /devmig run --backend linux \
			"$name" >/tmp/transcript 2>/tmp/stderr) || rc=$?
		# A transcript cut short must not run into the next marker.
		cat /tmp/transcript >"$out"
		[ -z "$(tail -c 1 /tmp/transcript)" ] || echo >"$out"
		while IFS= read -r line; do
			mark "SCEN-STDERR $line"
		done </tmp/stderr
		dmesg -c >/tmp/kmsg
		grep -E 'WARNING|BUG|Oops|Call Trace|leak' /tmp/kmsg |
			while IFS= read -r line; do
				mark "SCEN-KMSG $line"
			done
		if grep -q -E "$oops_pattern" /tmp/kmsg; then
			report_oops /tmp/kmsg "$name"
		fi
		collapsed=$(khugepaged_collapsed)
		[ "$collapsed" = "$before" ] ||
			mark "SCEN-KMSG khugepaged collapsed $((collapsed - before)) THPs during this script"
		mark "SCEN-END $name rc=$rc"
		n=$((n + 1))
	done
	say "END scenarios ran=$n; pages_collapsed=$(khugepaged_collapsed)"
}

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
scenarios)
	run_scenarios
	;;
*)
	say "ERROR unknown mode $mode"
	;;
esac
finish

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# devmig kernel check: build Debian's linux-source-6.12 twice, as shipped
# ("stock") and with our mm/migrate_device.c ("ours"), boot both under QEMU
# and run the kernel's HMM selftests (check) or our benchmark (bench).
#
#   kernel/kcheck.sh check    per-test table; non-zero exit if ours fails a
#                             test that stock passes, or ours cannot be built
#   kernel/kcheck.sh bench    ns per 4 KiB page, ours/stock ratios
#   kernel/kcheck.sh scenarios  (for make kernel-diff) run every script of
#                             $DEVMIG_SCEN_DIR with $DEVMIG_SCEN_BIN in one
#                             boot per kernel; the transcripts land in
#                             $cache/runs/<kernel>-scenarios/transcripts/
#
# Environment (all optional):
#   DEVMIG_KCACHE    cache directory (sources, builds, logs)
#                    default ~/.cache/devmig-kernel
#   DEVMIG_SUBJECT   the migrate_device.c to test, default mm/migrate_device.c
#   DEVMIG_JOBS      make -j, default 2
#   DEVMIG_ACCEL     auto | kvm | tcg, default auto (probe KVM, else TCG)
#   DEVMIG_TIMEOUT   seconds a test boot may take, default 900
#   DEVMIG_BENCH_TIMEOUT  seconds a benchmark boot may take, default 1800
#   DEVMIG_BENCH_RUNS     best of N in the benchmark, default 5
#   DEVMIG_SCEN_BIN  the static scenario interpreter (linux backend)
#   DEVMIG_SCEN_DIR  the scripts to run (a directory tree)
#   DEVMIG_SCEN_TIMEOUT  seconds one script may take in the guest, default 60
#   DEVMIG_SCEN_TREES    the kernels to boot for scenarios, default "stock ours"

set -euo pipefail

action=${1:-check}
repo=$(cd "$(dirname "$0")/.." && pwd)
kdir=$repo/kernel
cache=${DEVMIG_KCACHE:-$HOME/.cache/devmig-kernel}
subject=${DEVMIG_SUBJECT:-$repo/mm/migrate_device.c}
jobs=${DEVMIG_JOBS:-2}
accel=${DEVMIG_ACCEL:-auto}
test_timeout=${DEVMIG_TIMEOUT:-900}
bench_timeout=${DEVMIG_BENCH_TIMEOUT:-1800}
bench_runs=${DEVMIG_BENCH_RUNS:-5}
scen_bin=${DEVMIG_SCEN_BIN:-}
scen_dir=${DEVMIG_SCEN_DIR:-}
scen_timeout=${DEVMIG_SCEN_TIMEOUT:-60}
scen_trees=${DEVMIG_SCEN_TREES:-stock ours}

tarball=/usr/src/linux-source-6.12.tar.xz
fragment=$kdir/devmig.config
packages="linux-source-6.12 qemu-system-x86 busybox-static flex bison bc
	libelf-dev libssl-dev cpio ccache gcc libc6-dev make xz-utils"

# Guest memory layout: 2 GiB of RAM with a 512 MiB hole at 1 GiB reserved by
# memmap=, handed to test_hmm as two 256 MiB special-purpose ranges for the
# device-coherent devices.
guest_mem=2G
spm0=0x40000000
spm1=0x50000000
memmap=512M\$0x40000000

ours_status=""		# empty when ours is built, else why not
extra_append=""		# more kernel command line for the next boot

say() { printf '== %s\n' "$*"; }
die() { printf 'kernel-check: %s\n' "$*" >&2; exit 1; }
now() { date +%s; }

install_deps() {
	local missing="" pkg

	for pkg in $packages; do
		if ! dpkg-query -W -f='${Status}\n' "$pkg" 2>/dev/null |
			grep -q 'install ok installed'; then
			missing="$missing $pkg"
		fi
	done
	[ -z "$missing" ] && return 0
	say "installing:$missing"
	[ "$(id -u)" = 0 ] || die "need root to install:$missing"
	apt-get update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing
}

source_version() {
	dpkg-query -W -f='${Version}' linux-source-6.12
}

# Unpack the Debian tarball once into $cache/stock.  The "ours" tree is a
# hard-linked copy of it in which only the files we replace are new files.
prepare_trees() {
	local version
	version=$(source_version)

	mkdir -p "$cache/logs" "$cache/guest"
	if [ "$(cat "$cache/stock/.devmig-extracted" 2>/dev/null)" != "$version" ]; then
		say "extracting $tarball ($version) into $cache/stock"
		rm -rf "$cache/stock" "$cache/ours" "$cache/src.tmp"
		mkdir -p "$cache/src.tmp"
		tar -xf "$tarball" -C "$cache/src.tmp"
		mv "$cache/src.tmp/linux-source-6.12" "$cache/stock"
		rmdir "$cache/src.tmp"
		echo "$version" >"$cache/stock/.devmig-extracted"
	fi
	if [ "$(cat "$cache/ours/.devmig-linked" 2>/dev/null)" != "$version" ]; then
		say "making the ours tree (hard links to stock)"
		rm -rf "$cache/ours"
		mkdir -p "$cache/ours"
		find "$cache/stock" -mindepth 1 -maxdepth 1 \
			! -name obj ! -name .devmig-extracted \
			-exec cp -al {} "$cache/ours/" \;
		echo "$version" >"$cache/ours/.devmig-linked"
	fi
}

# Put $1 at $2 as a new file (never writing through a hard link), but only
# when the content differs or $1 is newer, so that kbuild sees a change
# exactly when there is one.
install_file() {
	local src=$1 dst=$2

	if cmp -s "$src" "$dst" && ! [ "$src" -nt "$dst" ]; then
		return 0
	fi
	cp "$src" "$dst.devmig-new"
	mv -f "$dst.devmig-new" "$dst"
	say "updated ${dst#"$cache"/}"
}

# Our file in the ours tree.  The seed names migrate_device_coherent_page(),
# which 6.12's mm/internal.h does not declare: add the declaration next to
# migrate_device_coherent_folio() when our file defines it.
install_subject() {
	local stock_h=$cache/stock/mm/internal.h
	local tmp=$cache/ours/mm/internal.h.devmig-gen
	local anchor='^int migrate_device_coherent_folio(struct folio \*folio);$'

	install_file "$subject" "$cache/ours/mm/migrate_device.c"
	if grep -q 'migrate_device_coherent_page *(' "$subject" &&
		! grep -q 'migrate_device_coherent_page' "$stock_h"; then
		grep -q "$anchor" "$stock_h" ||
			die "mm/internal.h: no declaration of migrate_device_coherent_folio to add ours beside"
		sed "/$anchor/a int migrate_device_coherent_page(struct page *page);" \
			"$stock_h" >"$tmp"
	else
		cp "$stock_h" "$tmp"
	fi
	if cmp -s "$tmp" "$cache/ours/mm/internal.h"; then
		rm -f "$tmp"
	else
		mv -f "$tmp" "$cache/ours/mm/internal.h"
		say "updated ours/mm/internal.h"
	fi
}

kmake() {
	local tree=$1
	shift
	make -C "$cache/$tree" O="$cache/$tree/obj" \
		CC="ccache gcc" HOSTCC="ccache gcc" \
		KBUILD_BUILD_USER=devmig KBUILD_BUILD_HOST=devmig "$@"
}

# allnoconfig + our fragment, then olddefconfig; redone only when the
# fragment changed.  Every option of the fragment must survive.
configure() {
	local tree=$1 obj=$cache/$1/obj line sym bad=0

	mkdir -p "$obj"
	if ! cmp -s "$fragment" "$obj/devmig.config" || [ ! -e "$obj/.config" ]; then
		say "[$tree] configuring: allnoconfig + kernel/devmig.config"
		rm -f "$obj/devmig.config"
		kmake "$tree" -s KCONFIG_ALLCONFIG="$fragment" allnoconfig
		kmake "$tree" -s olddefconfig
	fi
	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*)
			grep -qxF "$line" "$obj/.config" && continue
			sym=${line%%=*}
			;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }
			sym=${sym%% *}
			grep -q "^$sym=" "$obj/.config" || continue
			;;
		*)
			continue
			;;
		esac
		printf 'kernel-check: devmig.config asks for "%s" but after olddefconfig the .config has "%s"\n' \
			"$line" "$(grep -E "^(# )?${sym}[= ]" "$obj/.config" || echo "no $sym at all")" >&2
		bad=1
	done <"$fragment"
	[ "$bad" = 0 ] || die "[$tree] options were dropped (a dependency is missing from kernel/devmig.config)"
	cp "$fragment" "$obj/devmig.config"
}

# Incremental kbuild with its progress lines shown, counted and logged.
build() {
	local tree=$1 log=$cache/logs/build-$1.log t0 rc=0 ncc

	t0=$(now)
	say "[$tree] building bzImage and modules (make -j$jobs, ccache)"
	kmake "$tree" -j"$jobs" bzImage modules 2>&1 | tee "$log" |
		awk -v t="$tree" '{ printf "[%s %4d] %s\n", t, NR, $0; fflush() }' ||
		rc=$?
	if [ "$rc" != 0 ]; then
		say "[$tree] BUILD FAILED after $(($(now) - t0)) s; log: $log"
		grep -E -A3 'error:|Error [0-9]+' "$log" | head -60 || true
		return 1
	fi
	ncc=$(grep -c -E '^ +CC( \[M\])? ' "$log" || true)
	say "[$tree] built in $(($(now) - t0)) s: $ncc C files compiled," \
		"vmlinux relinked: $(grep -q -E '^ +LD +vmlinux$' "$log" && echo yes || echo no)"
	if [ "$ncc" -gt 0 ] && [ "$ncc" -le 10 ]; then
		say "[$tree] compiled: $(awk '$1 == "CC" { printf "%s ", $NF }' "$log")"
	fi
}

# hmm-tests and hmm-bench, static, from the stock source tree.
build_userland() {
	local src=$cache/stock g=$cache/guest
	local hmm=$src/tools/testing/selftests/mm/hmm-tests.c

	if ! [ "$g/hmm-tests" -nt "$hmm" ]; then
		say "building hmm-tests (static) from the kernel source"
		gcc -static -O2 -Wall -I"$src" -I"$src/tools/testing/selftests" \
			-o "$g/hmm-tests" "$hmm" -lpthread
	fi
	if ! [ "$g/hmm-bench" -nt "$kdir/hmm-bench.c" ]; then
		say "building hmm-bench (static)"
		gcc -static -O2 -Wall -Wextra -I"$src" \
			-o "$g/hmm-bench" "$kdir/hmm-bench.c"
	fi
	if [ "$action" = scenarios ] &&
		! [ "$g/park-khugepaged" -nt "$kdir/park-khugepaged.c" ]; then
		say "building park-khugepaged (static)"
		gcc -static -O2 -Wall -Wextra \
			-o "$g/park-khugepaged" "$kdir/park-khugepaged.c"
	fi
}

# An uncompressed cpio: busybox, our /init, the two programs and the
# kernel's own test_hmm.ko.
make_initramfs() {
	local tree=$1 root=$cache/guest/root-$1 img=$cache/guest/initramfs-$1.cpio

	rm -rf "$root"
	mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
	cp /bin/busybox "$root/bin/busybox"
	cp "$kdir/init.sh" "$root/init"
	cp "$cache/guest/hmm-tests" "$cache/guest/hmm-bench" "$root/"
	cp "$cache/$tree/obj/lib/test_hmm.ko" "$root/"
	if [ "$action" = scenarios ]; then
		cp "$scen_bin" "$root/devmig"
		cp "$cache/guest/park-khugepaged" "$root/"
		cp -r "$scen_dir" "$root/scenarios"
	fi
	chmod 755 "$root/init"
	(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$img"
}

kernel_image() { echo "$cache/$1/obj/arch/x86/boot/bzImage"; }

# QEMU arguments common to every boot of kernel $1, in the array qargs.
qemu_base() {
	qargs=(-m "$guest_mem" -smp 1 -nodefaults -display none -no-reboot
		-kernel "$(kernel_image "$1")"
		-initrd "$cache/guest/initramfs-$1.cpio")
}

# KVM is used when /dev/kvm can really boot a guest; a nested hypervisor may
# offer /dev/kvm and still run nothing, so boot the stock kernel in probe
# mode (its /init powers off at once) and give it a few seconds.
choose_accel() {
	local dir=$cache/runs/kvm-probe

	case "$accel" in
	kvm) accel_args=(-accel kvm -cpu host); accel_name=kvm; return ;;
	tcg) accel_args=(-accel tcg); accel_name=tcg; return ;;
	esac
	accel_args=(-accel tcg)
	accel_name="tcg"
	if ! [ -w /dev/kvm ]; then
		accel_why="no usable /dev/kvm"
		return
	fi
	rm -rf "$dir"
	mkdir -p "$dir"
	qemu_base stock
	(
		timeout -k 2 8 qemu-system-x86_64 "${qargs[@]}" \
			-accel kvm -cpu host \
			-append "console=ttyS0 panic=-1 devmig.mode=probe" \
			-serial "file:$dir/console.log" \
			-serial "file:$dir/results.log" || true
	) >"$dir/qemu.log" 2>&1
	if grep -q 'DEVMIG PROBE-OK' "$dir/results.log" 2>/dev/null; then
		accel_args=(-accel kvm -cpu host)
		accel_name=kvm
	elif [ -s "$dir/qemu.log" ]; then
		accel_why="KVM probe failed: $(head -1 "$dir/qemu.log")"
	else
		accel_why="KVM probe: no guest output within 8 s"
	fi
}

# Boot one kernel; $3 is the timeout, the rest extra QEMU arguments.
boot() {
	local tree=$1 mode=$2 limit=$3 dir=$cache/runs/$1-$2 t0 rc=0
	shift 3

	rm -rf "$dir"
	mkdir -p "$dir"
	t0=$(now)
	qemu_base "$tree"
	timeout -k 10 "$limit" qemu-system-x86_64 "${qargs[@]}" "$@" \
		-append "console=ttyS0 loglevel=5 panic=-1 memmap=$memmap devmig.mode=$mode devmig.spm0=$spm0 devmig.spm1=$spm1 devmig.runs=$bench_runs devmig.scentimeout=$scen_timeout${extra_append:+ $extra_append}" \
		-serial "file:$dir/console.log" -serial "file:$dir/results.log" \
		>"$dir/qemu.log" 2>&1 || rc=$?
	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		say "[$tree] TIMEOUT: the guest did not finish within $limit s;" \
			"console log kept: $dir/console.log"
		return 1
	fi
	if ! grep -q '^DEVMIG DONE' "$dir/results.log" 2>/dev/null; then
		say "[$tree] the guest stopped before finishing (qemu exit $rc);" \
			"console log kept: $dir/console.log"
		tail -20 "$dir/console.log" | sed 's/^/    /'
		return 1
	fi
	say "[$tree] $mode boot finished in $(($(now) - t0)) s;" \
		"console log: $dir/console.log"
	grep '^DEVMIG ERROR' "$dir/results.log" && return 1
	return 0
}

# Build stock, and ours when our file exists and compiles.
build_kernels() {
	configure stock
	build stock || die "the stock kernel does not build"
	if [ ! -f "$subject" ]; then
		ours_status="$subject does not exist yet"
	else
		install_subject
		configure ours
		if ! build ours; then
			ours_status="$subject does not compile in the kernel (errors above; log: $cache/logs/build-ours.log)"
		fi
	fi
	build_userland
	make_initramfs stock
	[ -n "$ours_status" ] || make_initramfs ours
	if [ -n "$ours_status" ]; then
		say "OURS NOT BUILT: $ours_status"
	fi
}

# The result log of a boot, or nothing when there was none.
result_log() {
	local f=$cache/runs/$1-$2/results.log

	if [ -s "$f" ]; then
		echo "$f"
	fi
}

run_check() {
	local trees=stock rc=0 t

	[ -n "$ours_status" ] || trees="stock ours"
	accel_why=""
	choose_accel
	say "accelerator: $accel_name${accel_why:+ ($accel_why)}"
	for t in $trees; do
		say "[$t] booting: hmm-tests with THP madvise, then always"
		boot "$t" test "$test_timeout" "${accel_args[@]}" || true
	done
	awk -f "$kdir/table.awk" -v ours_status="$ours_status" \
		-v stock="$(result_log stock test)" \
		-v ours="$(result_log ours test)" || rc=$?
	return "$rc"
}

run_bench() {
	local trees=stock rc=0 t

	[ -n "$ours_status" ] || trees="stock ours"
	say "accelerator: tcg with -icount shift=0,sleep=off (guest time counts guest instructions)"
	for t in $trees; do
		say "[$t] booting: hmm-bench, best of $bench_runs"
		boot "$t" bench "$bench_timeout" -accel tcg \
			-icount shift=0,sleep=off || rc=1
	done
	awk -f "$kdir/bench.awk" -v ours_status="$ours_status" \
		-v stock="$(result_log stock bench)" \
		-v ours="$(result_log ours bench)" || rc=1
	return "$rc"
}

# Split a scenarios boot's results log into one transcript per script:
# $dir/transcripts/<script path>, plus <script path>.status with the exit
# status, what the interpreter wrote to stderr and the kernel warnings.
split_transcripts() {
	local dir=$1

	rm -rf "$dir/transcripts"
	mkdir -p "$dir/transcripts"
	awk -v root="$dir/transcripts" '
		{ sub(/\r+$/, "") }
		/^DEVMIG SCEN-BEGIN / {
			name = substr($0, 19)
			file = root "/" name
			d = file; sub(/\/[^\/]*$/, "", d)
			system("mkdir -p \"" d "\"")
			printf "" > file
			printf "" > (file ".status")
			next
		}
		/^DEVMIG SCEN-END / {
			print "exit " substr($0, match($0, / rc=[0-9]+$/) + 4) >> (file ".status")
			close(file); close(file ".status")
			file = ""
			next
		}
		/^DEVMIG SCEN-(STDERR|KMSG) / {
			if (file != "")
				print substr($0, 13) >> (file ".status")
			next
		}
		/^DEVMIG SCEN-OOPS / {
			if (file != "") {
				print "exit oops" >> (file ".status")
				close(file); close(file ".status")
			}
			file = ""
			next
		}
		/^DEVMIG / { next }
		file != "" { print >> file }
	' "$dir/results.log"
}

run_scenarios() {
	local trees=stock rc=0 t dir n limit

	[ -n "$ours_status" ] || trees=$scen_trees
	accel_why=""
	choose_accel
	say "accelerator: $accel_name${accel_why:+ ($accel_why)}"
	n=$(find "$scen_dir" -type f | wc -l)
	# A boot runs every script: allow 3 s each beyond the usual limit.
	limit=${DEVMIG_TIMEOUT:-$((test_timeout + 3 * n))}
	# Each guest has one CPU and the kernels share nothing but the
	# scripts, so with a CPU for each they run side by side: half the
	# time of a big GEN run.
	if [ "$(nproc)" -ge 2 ]; then
		local pids=() pid
		for t in $trees; do
			(boot_scenarios "$t" "$n" "$limit" || exit 1) &
			pids+=("$!")
		done
		for pid in "${pids[@]}"; do
			wait "$pid" || rc=1
		done
		return "$rc"
	fi
	for t in $trees; do
		boot_scenarios "$t" "$n" "$limit" || rc=1
	done
	return "$rc"
}

# While kernel $1 runs its $2 scripts: every 30 s, how many are done (the
# boots before, in $3, and the current one, in $4) and the time left at the
# rate so far.
scen_progress() {
	local t=$1 n=$2 all=$3 log=$4 t0 done spent

	t0=$(now)
	while sleep 30; do
		done=$(cat "$all/results.log" "$log" 2>/dev/null |
			grep -c '^DEVMIG SCEN-END') || true
		[ "${done:-0}" -gt 0 ] || continue
		spent=$(($(now) - t0))
		say "[$t] $done of $n scripts run, $spent s, about $((spent * (n - done) / done)) s left"
	done
}

# Boot kernel $1 until all its $2 scripts have run: when one oopses the
# kernel, the guest reboots (kernel/init.sh) and the next boot starts after
# it.  The logs of every boot are joined into results.log; each boot's
# console log is kept as console-N.log.
boot_scenarios() {
	local t=$1 n=$2 limit=$3 dir=$cache/runs/$1-scenarios part=1 rc=0
	local all=$cache/runs/$1-scenarios.all oopsed progress

	rm -rf "$all"
	mkdir -p "$all"
	extra_append=""
	scen_progress "$t" "$n" "$all" "$dir/results.log" &
	progress=$!
	while :; do
		say "[$t] booting: $n scenarios${extra_append:+ ($extra_append)}"
		boot "$t" scenarios "$limit" "${accel_args[@]}" || rc=1
		cat "$dir/results.log" >>"$all/results.log" 2>/dev/null || true
		cp "$dir/console.log" "$all/console-$part.log" 2>/dev/null || true
		oopsed=$(sed -n 's/^DEVMIG SCEN-OOPS //p' "$dir/results.log" 2>/dev/null |
			tr -d '\r' | tail -1)
		# Each boot starts after the script that oopsed the last one, so
		# there are at most as many boots as scripts (a big GEN run on
		# stock oopses about once every 25 scripts).
		[ -n "$oopsed" ] && [ "$part" -le "$n" ] || break
		say "[$t] $oopsed oopsed the kernel (console log: $all/console-$part.log); rebooting for the scripts after it"
		extra_append="devmig.after=$oopsed"
		part=$((part + 1))
		rc=0
	done
	kill "$progress" 2>/dev/null || true
	wait "$progress" 2>/dev/null || true
	extra_append=""
	rm -rf "$dir"
	mv "$all" "$dir"
	if [ -s "$dir/results.log" ]; then
		split_transcripts "$dir"
		say "[$t] transcripts: $dir/transcripts"
	fi
	return "$rc"
}

main() {
	local t0 rc=0 mode

	t0=$(now)
	ulimit -c 0	# a crashing QEMU must not leave a core file behind
	case "$action" in
	check|bench) ;;
	scenarios)
		[ -x "$scen_bin" ] || die "DEVMIG_SCEN_BIN: no interpreter at '$scen_bin'"
		[ -d "$scen_dir" ] || die "DEVMIG_SCEN_DIR: no directory '$scen_dir'"
		;;
	*) die "usage: kcheck.sh check|bench|scenarios" ;;
	esac
	install_deps
	mkdir -p "$cache"
	exec 9>"$cache/lock"
	if ! flock -n 9; then
		say "waiting for another kernel-check using $cache"
		flock 9
	fi
	if [ -z "${CCACHE_DIR:-}" ]; then
		export CCACHE_DIR=$cache/ccache
		mkdir -p "$CCACHE_DIR"
		ccache -M 4G >/dev/null
	fi
	prepare_trees
	# Runs of an earlier invocation must not be mistaken for this one's.
	case "$action" in
	check) mode=test ;;
	*) mode=$action ;;
	esac
	rm -rf "$cache/runs/stock-$mode" "$cache/runs/ours-$mode"
	build_kernels
	case "$action" in
	check) run_check || rc=$? ;;
	bench) run_bench || rc=$? ;;
	scenarios) run_scenarios || rc=$? ;;
	esac
	[ -z "$ours_status" ] || rc=1
	say "kernel-$action: $( [ "$rc" = 0 ] && echo PASS || echo FAIL )" \
		"in $(($(now) - t0)) s"
	return "$rc"
}

main

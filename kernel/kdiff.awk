# SPDX-License-Identifier: GPL-2.0
#
# make kernel-diff's table: for every script, the model's transcript and
# ours's against stock's, one row each, with the first differing step.
#
#   awk -f kdiff.awk -v list=FILE -v model=DIR -v stock=DIR -v ours=DIR \
#       -v differences=FILE -v disagree=FILE
#
# A world's result for script NAME is DIR/NAME (the transcript, one line
# per step) followed by DIR/NAME.status ("STDERR ..." lines, "exit N");
# the guest's status also has "KMSG ..." lines, the kernel's log of
# warnings, which are reported but not compared (they carry addresses),
# and the model's "STDERR WARNING..." lines likewise: whether a step warned
# is compared, as the transcript's "WARN" flag.  Missing files mean the
# world never ran the script.
#
# DIFFERENCES lists "NAME KIND REASON", the differences that are meant:
#   ours    our migrate_device.c differs from 6.12's on purpose: stock may
#           differ, but the model and ours must agree with each other;
#   kernel  6.12 is defective outside mm/migrate_device.c (lib/test_hmm.c
#           oopses, say), which the model does not reproduce: the model may
#           differ from stock, ours must agree with it.
# NAME may also be oops@FUNCTION: every script on which stock oopses in
# FUNCTION (the guest's "RIP: ...FUNCTION+" line), kind kernel; generated
# scripts cannot be listed by name.  Likewise stale@dmirror: every script
# whose first difference between the model and stock comes at or after a
# step where the model noted ("FILE:LINE: note (step N): ...", not
# compared) that lib/test_hmm.c would use a stale device page-table entry;
# ours may then differ from stock from that step on too (both read freed
# pages, whose bytes differ between boots).
# A listed script that agrees with stock is a stale entry.  Exit status 1
# on any disagreement, stale entry or missing run.  The names of the
# disagreeing scripts go to @disagree.

function load(dir, name, arr,    f, line, n, r) {
	n = 0
	kmsg[dir, name] = 0
	warns[dir, name] = 0
	noted[dir, name] = 0
	f = dir "/" name
	r = getline line < f
	if (r < 0)
		return -1
	while (r > 0) {
		sub(/\r+$/, "", line)
		arr[++n] = line
		r = getline line < f
	}
	close(f)
	f = f ".status"
	while ((getline line < f) > 0) {
		sub(/\r+$/, "", line)
		if (line ~ /^KMSG /) {
			if (line ~ /^KMSG OOPS-.*RIP: /) {
				rip[dir, name] = line
				sub(/.*RIP: [0-9a-f]+:/, "", rip[dir, name])
				sub(/\+.*/, "", rip[dir, name])
			}
			kmsg[dir, name]++
			if (kmsg[dir, name] <= 3)
				kmsgs[dir, name, kmsg[dir, name]] = substr(line, 6)
			continue
		}
		# The warning's text is reported; its step is in the transcript.
		if (line ~ /^STDERR (backtrace:|  #)/)
			continue
		if (line ~ /^STDERR .*: note \(step [0-9]+\): /) {
			if (!noted[dir, name]) {
				noted[dir, name] = line
				sub(/.*: note \(step /, "", noted[dir, name])
				sub(/\).*/, "", noted[dir, name])
			}
			continue
		}
		if (line ~ /^STDERR WARNING/) {
			warns[dir, name]++
			if (warns[dir, name] == 1)
				warn1[dir, name] = substr(line, 8)
			continue
		}
		arr[++n] = line
	}
	close(f)
	return n
}

# "agree", or where @a and @b first differ, into diffmsg.
function compare(na, a, nb, b, wa, wb,    i, n, sa, sb) {
	n = na > nb ? na : nb
	for (i = 1; i <= n; i++) {
		sa = i <= na ? a[i] : "(nothing)"
		sb = i <= nb ? b[i] : "(nothing)"
		if (sa != sb)
			break
	}
	if (i > n)
		return "agree"
	diffline = i
	diffmsg = sprintf("    %s vs %s, line %d:\n      %-6s %s\n      %-6s %s",
			  wa, wb, i, wa ":", sa, wb ":", sb)
	return "DIFF"
}

function row(name, m, o, note) {
	printf "%-50s %-11s %-11s%s\n", name, m, o, note
}

BEGIN {
	while ((getline line < differences) > 0) {
		if (line ~ /^[ \t]*(#|$)/)
			continue
		split(line, w, /[ \t]+/)
		reason = line
		sub(/^[^ \t]+[ \t]+[^ \t]+[ \t]+/, "", reason)
		if (w[2] != "ours" && w[2] != "kernel") {
			printf "DIFFERENCES: %s: kind '%s' is neither ours nor kernel\n", w[1], w[2]
			bad++
			continue
		}
		deliberate[w[1]] = reason
		kind[w[1]] = w[2]
	}
	close(differences)

	printf "%-50s %-11s %-11s\n", "script", "model", "ours"
	printf "%-50s %-11s %-11s\n", "", "vs stock", "vs stock"
	while ((getline name < list) > 0) {
		total++
		delete M; delete S; delete O
		nm = load(model, name, M)
		ns = load(stock, name, S)
		no = load(ours, name, O)
		details = ""
		if (ns < 0) {
			row(name, "-", "-", "  <-- stock never ran it")
			bad++
			print name > disagree
			continue
		}
		listed = (name in deliberate)
		seen_listed[name] = 1
		oops_fn = "oops@" rip[stock, name]
		if (!listed && S[ns] == "exit oops" && (oops_fn in deliberate)) {
			name_key = oops_fn
			seen_listed[oops_fn] = 1
			listed = 1
		} else {
			name_key = name
		}

		if (nm < 0) {
			mres = "not run"
		} else {
			mres = compare(ns, S, nm, M, "stock", "model")
			if (mres == "DIFF")
				details = details "\n" diffmsg
			if (!listed && mres == "DIFF" && noted[model, name] &&
			    diffline >= noted[model, name] + 0 &&
			    ("stale@dmirror" in deliberate)) {
				name_key = "stale@dmirror"
				seen_listed[name_key] = 1
				listed = 1
			}
		}
		if (no < 0) {
			ores = "not run"
		} else {
			ores = compare(ns, S, no, O, "stock", "ours")
			if (ores == "DIFF")
				details = details "\n" diffmsg
			# Bytes of a freed page differ between any two boots,
			# also where the script goes on to oops test_hmm.
			if (ores == "DIFF" && listed && noted[model, name] &&
			    ("stale@dmirror" in deliberate) &&
			    diffline >= noted[model, name] + 0)
				ores = "kernel-bug"
		}
		note = ""
		failed = 0
		if (listed && kind[name_key] == "ours") {
			if (mres == "agree" && ores == "agree") {
				note = "  <-- listed in DIFFERENCES but agrees with stock"
				failed = 1
			} else if (nm >= 0 && no >= 0 &&
				   compare(nm, M, no, O, "model", "ours") != "agree") {
				note = "  <-- deliberate difference, but model and ours differ"
				details = details "\n" diffmsg
				failed = 1
			} else {
				if (mres == "DIFF")
					mres = "deliberate"
				if (ores == "DIFF")
					ores = "deliberate"
				note = "  (ours: " deliberate[name_key] ")"
			}
		} else if (listed) {
			if (mres == "agree") {
				note = "  <-- listed in DIFFERENCES but agrees with stock"
				failed = 1
			} else if (mres == "DIFF") {
				mres = "kernel-bug"
				note = "  (6.12: " deliberate[name_key] ")"
			}
		}
		if (mres == "DIFF" || mres == "not run" || ores == "DIFF" ||
		    ores == "not run")
			failed = 1
		if (no >= 0 && kmsg[ours, name] > kmsg[stock, name]) {
			note = note "  <-- ours: kernel warnings"
			for (k = 1; k <= kmsg[ours, name] && k <= 3; k++)
				details = details "\n      kernel: " kmsgs[ours, name, k]
			failed = 1
		}
		if (kmsg[stock, name] > 0)
			note = note "  (stock: " kmsg[stock, name] " kernel warnings)"
		# The WARN flags are compared; the text helps read a difference.
		if (nm >= 0 && warns[model, name] > 0) {
			note = note "  (model: " warns[model, name] " warnings)"
			if (mres != "agree")
				details = details "\n      model: " warn1[model, name]
		}
		row(name, mres, ores, note)
		if (details != "")
			print substr(details, 2)
		magree += (mres == "agree")
		oagree += (ores == "agree")
		mdelib += (mres == "deliberate" || mres == "kernel-bug")
		odelib += (ores == "deliberate" || ores == "kernel-bug")
		if (failed) {
			bad++
			print name > disagree
		}
	}
	for (name in deliberate)
		if (!(name in seen_listed)) {
			printf "DIFFERENCES lists %s, which was not run\n", name
			bad++
		}
	printf "\nmodel agrees with stock on %d/%d scripts (%d deliberate differences)\n",
	       magree, total, mdelib
	printf "ours  agrees with stock on %d/%d scripts (%d deliberate differences)\n",
	       oagree, total, odelib
	if (bad)
		printf "%d scripts disagree\n", bad
	else
		print "every script agrees"
	exit bad ? 1 : 0
}

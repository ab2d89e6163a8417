# SPDX-License-Identifier: GPL-2.0
#
# Per-test table of two hmm-tests runs (stock and ours), each with THP in
# madvise and in always mode, read from the guests' result logs.
#
#   awk -f table.awk -v stock=FILE -v ours=FILE [-v ours_status=TEXT]
#
# Exit status 1 when a test that passes on stock does not pass on ours (in
# the same THP mode), when a run is missing or incomplete.

function parse(tree, file,    line, sec, name, st, n) {
	sec = ""
	while ((getline line < file) > 0) {
		sub(/\r+$/, "", line)
		if (line ~ /^DEVMIG BEGIN thp=/) {
			sec = substr(line, 18)
			sub(/ .*/, "", sec)
			began[tree, sec] = 1
			continue
		}
		if (line ~ /^DEVMIG END thp=/) {
			ended[tree, substr(line, 16, index(substr(line, 16), " ") - 1)] = 1
			continue
		}
		if (sec != "" && line ~ /^1\.\.[0-9]+$/) {
			if (substr(line, 4) + 0 > planned)
				planned = substr(line, 4) + 0
			continue
		}
		if (sec == "" || line !~ /^(not )?ok [0-9]+ /)
			continue
		n = split(line, f, " ")
		if (f[1] == "not") {
			name = f[4]
			st = "FAIL"
		} else {
			name = f[3]
			st = (line ~ /# SKIP/) ? "skip" : "ok"
		}
		if (!(name in seen)) {
			seen[name] = 1
			order[++ntests] = name
		}
		res[tree, sec, name] = st
	}
	close(file)
}

function cell(tree, sec, name) {
	if ((tree, sec, name) in res)
		return res[tree, sec, name]
	return "-"
}

BEGIN {
	if (stock != "")
		parse("stock", stock)
	have_ours = (ours != "")
	if (have_ours)
		parse("ours", ours)
	split("madvise always", secs, " ")
	split("stock ours", trees, " ")

	width = 40
	for (i = 1; i <= ntests; i++)
		if (length(order[i]) > width)
			width = length(order[i])
	row = "%-" width "s  %-8s %-8s   %-8s %-8s%s\n"
	printf "\n" row, "THP mode:", "madvise", "", "always", "", ""
	printf row, "test", "stock", "ours", "stock", "ours", ""
	regressions = 0
	for (i = 1; i <= ntests; i++) {
		name = order[i]
		mark = ""
		for (s = 1; s <= 2; s++) {
			if (cell("stock", secs[s], name) == "ok" && have_ours &&
			    cell("ours", secs[s], name) != "ok") {
				mark = mark (mark == "" ? "  <-- ours broke it:" : "") \
				       " " secs[s]
				regressions++
			}
		}
		printf row, name,
		       cell("stock", "madvise", name), cell("ours", "madvise", name),
		       cell("stock", "always", name), cell("ours", "always", name),
		       mark
	}
	printf "\n"
	total = (planned > ntests) ? planned : ntests
	bad = 0
	for (t = 1; t <= 2; t++) {
		tree = trees[t]
		if (tree == "ours" && !have_ours) {
			printf "%-5s  not run: %s\n", tree, \
			       (ours_status != "" ? ours_status : "no result log")
			continue
		}
		for (s = 1; s <= 2; s++) {
			sec = secs[s]
			ok = fail = skip = 0
			for (i = 1; i <= ntests; i++) {
				c = cell(tree, sec, order[i])
				if (c == "ok")
					ok++
				else if (c == "skip")
					skip++
				else if (c == "FAIL")
					fail++
			}
			missing = total - ok - fail - skip
			state = ""
			if (!((tree, sec) in began))
				state = "  (NOT RUN)"
			else if (!((tree, sec) in ended))
				state = "  (INCOMPLETE: the guest stopped during this run)"
			if (state != "")
				bad = 1
			printf "%-5s  THP %-7s  %2d/%d ok, %d fail, %d skip%s%s\n",
			       tree, sec, ok, total, fail, skip,
			       missing ? ", " missing " not reported" : "", state
		}
	}
	if (ntests == 0) {
		print "no test results at all"
		bad = 1
	}
	if (regressions)
		printf "\n%d test instance(s) pass on stock but not on ours\n",
		       regressions
	else if (have_ours && !bad)
		printf "\nours passes every test that stock passes\n"
	exit (regressions || bad || !have_ours) ? 1 : 0
}

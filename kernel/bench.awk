# SPDX-License-Identifier: GPL-2.0
#
# Side-by-side table of two hmm-bench runs (stock and ours):
#
#   awk -f bench.awk -v stock=FILE -v ours=FILE [-v ours_status=TEXT]
#
# Input lines: BENCH <layout> <KiB> <operation> <ns-per-page> <pages-moved>

function parse(tree, file,    line, f, key) {
	while ((getline line < file) > 0) {
		sub(/\r+$/, "", line)
		if (line ~ /^DEVMIG END bench rc=/)
			rc[tree] = substr(line, 21)
		if (line !~ /^BENCH /)
			continue
		split(line, f, " ")
		key = f[2] SUBSEP f[3] SUBSEP f[4]
		if (!(key in seen)) {
			seen[key] = 1
			order[++n] = key
		}
		ns[tree, key] = f[5]
		moved[tree, key] = f[6]
	}
	close(file)
}

function show(tree, key) {
	return ((tree, key) in ns) ? sprintf("%12.1f", ns[tree, key]) \
				   : sprintf("%12s", "-")
}

BEGIN {
	if (stock != "")
		parse("stock", stock)
	if (ours != "")
		parse("ours", ours)
	printf "\nhmm-bench: ns per 4 KiB page, best of N, guest time under -icount\n"
	printf "%-7s %9s  %-10s %12s %12s %10s\n", "layout", "size", "operation",
	       "stock", "ours", "ours/stock"
	for (i = 1; i <= n; i++) {
		split(order[i], k, SUBSEP)
		ratio = "-"
		if ((("stock", order[i]) in ns) && (("ours", order[i]) in ns) &&
		    ns["stock", order[i]] > 0)
			ratio = sprintf("%.3f", ns["ours", order[i]] / ns["stock", order[i]])
		note = ""
		if ((("stock", order[i]) in moved) && (("ours", order[i]) in moved) &&
		    moved["stock", order[i]] != moved["ours", order[i]])
			note = sprintf("  (pages moved: stock %d, ours %d)",
				       moved["stock", order[i]], moved["ours", order[i]])
		if (k[1] == "memcpy")
			note = note "  (roofline)"
		printf "%-7s %5d KiB  %-10s %s %s %10s%s\n", k[1], k[2], k[3],
		       show("stock", order[i]), show("ours", order[i]), ratio, note
	}
	if (n == 0)
		print "no benchmark results"
	if (ours == "")
		printf "ours not run: %s\n", (ours_status != "" ? ours_status : "no result log")
	for (t in rc)
		if (rc[t] != "0")
			printf "%s: hmm-bench exited with %s\n", t, rc[t]
	exit (n == 0) ? 1 : 0
}

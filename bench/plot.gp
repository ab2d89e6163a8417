# SPDX-License-Identifier: GPL-2.0
# Plot bench.csv (make bench): ns per page against size, one line per path,
# the median with min-max bars.
#   gnuplot -e "datafile='build/bench/bench.csv'; outfile='build/bench/bench.png'" bench/plot.gp
set datafile separator ","
set terminal pngcairo size 1100,700 noenhanced
set output outfile
set title "devmig: migration cost per 4 KiB page in the model"
set xlabel "size (MiB)"
set ylabel "ns per page (median, bars: min-max)"
set logscale x 2
set logscale y
set key outside right
set grid
paths = "memcpy kapi-to-dev kapi-to-sys kapi-fault nocopy-to-dev nocopy-to-sys nocopy-fault mirror-to-dev mirror-to-sys mirror-fault"
plot for [i = 1:words(paths)] datafile \
	using ((strcol(1) eq word(paths, i)) ? $3 / 1048576 : NaN):6:7:8 \
	with yerrorlines title word(paths, i) lw (i == 1 ? 3 : 1.5)

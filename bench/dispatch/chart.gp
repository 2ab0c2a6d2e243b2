# SPDX-License-Identifier: MIT
# bench/dispatch/chart.gp - bench/results/dispatch.svg: for each op, ns per
# call (bar: median, error bar: min and max) above instructions per call,
# one bar per variant, from report.sh's WORK/chart.OP.dat files.
#
#   gnuplot -e "datadir='WORK'; outfile='x.svg'; when='DATE'" chart.gp
set terminal svg size 1500,840 dynamic noenhanced font "sans,11" background "white"
set output outfile
set multiplot layout 2,4 title sprintf("async_std: one call, bound eight ways (make bench-dispatch, %s)\n" . \
	"grey: internal function called directly   blue: static link   green: dynamic link (stub or LD_PRELOAD)   orange: function table", when)
# Colours by kind (column 6 of the data: 0 direct, 1 static, 2 dynamic, 3 table).
set linetype 10 lc rgb "#999999"
set linetype 11 lc rgb "#4477aa"
set linetype 12 lc rgb "#228833"
set linetype 13 lc rgb "#ee7733"
set style fill solid 0.75 border -1
set boxwidth 0.7
set xtics rotate by 40 right nomirror font ",10"
set ytics nomirror
set grid ytics
set key off
set offsets 0.5, 0.5, 0, 0
ops = "self now yield recv"
# Whole numbers above 100, so the recv labels do not run into each other.
fmt_value(v) = v >= 100 || v == int(v) ? sprintf("%.0f", v) : sprintf("%.1f", v)
# Values sit on their bar, over the min-max line, on an opaque box.
set style textbox opaque noborder margins 0.2, 0.2
# Every panel starts at 0, so a bar's height is the cost, not a magnified
# difference: the dispatch is seen next to the op's own work.
set yrange [0:*]
do for [i = 1:4] {
	op = word(ops, i)
	f = sprintf("%s/chart.%s.dat", datadir, op)
	set title sprintf("%s: ns per call (median; min-max)", op)
	plot f using 0:2:($6 + 10):xtic(1) with boxes lc variable, \
	     f using 0:3:(0):($4 - $3) with vectors nohead lc rgb "#222222", \
	     f using 0:2:(fmt_value($2)) with labels boxed offset 0,0.8 font ",8"
}
do for [i = 1:4] {
	op = word(ops, i)
	f = sprintf("%s/chart.%s.dat", datadir, op)
	set title sprintf("%s: instructions per call (callgrind)", op)
	plot f using 0:5:($6 + 10):xtic(1) with boxes lc variable, \
	     f using 0:5:(fmt_value($5)) with labels boxed offset 0,0.8 font ",8"
}
unset multiplot

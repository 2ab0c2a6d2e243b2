# SPDX-License-Identifier: MIT
# bench/peers/chart.gp - one clustered bar chart of bench/peers (issue 7):
# one cluster per cell, one bar per system, from a whitespace-separated
# file whose first row names the systems ("-" marks a missing value).
#
#   gnuplot -e "data='f.dat'; out='x.svg'; ttl='...'; ylab='...'; logy=0; ncols=6;
#               colours='#1f4e9c #5b9bd5 ...'" chart.gp     (one colour per system)

set terminal svg size 960,440 dynamic noenhanced font "sans,12" background rgb "white"
set output out
set title ttl
set ylabel ylab
set datafile missing "-"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb "#333333"
set boxwidth 0.95
set key outside right top vertical noautotitle
set grid ytics lc rgb "#dddddd"
set xtics nomirror
set ytics nomirror
set border 3
if (logy) {
	set logscale y 10
	set yrange [1:*]
} else {
	set yrange [0:*]
}
plot for [i=2:ncols] data using i:xtic(1) title columnheader(i) lc rgb word(colours, i-1)

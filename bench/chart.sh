#!/bin/bash
# chart.sh - draws scaling.sh's CSV as one PNG of four panels (gnuplot,
# Debian's gnuplot-nox):
#  1. the master's CPU per empty task as workers grow (flat is the goal);
#  2. apply_async's rate as the backlog grows, per mode and worker count;
#  3. 10 ms CPU-bound tasks: seconds on 2 workers and on 7 (8 processes on
#     2 cores), per mode;
#  4. 10 MiB results: MB/s per mode.
# A part missing from the CSV leaves its panel empty.
#
#   bash bench/chart.sh CSV [PNG]   (default PNG: CSV with .png)
set -eu
csv=${1:?usage: chart.sh CSV [PNG]}
png=${2:-${csv%.csv}.png}
[ -s "$csv" ] || { echo "chart.sh: $csv: no such CSV" >&2; exit 2; }
command -v gnuplot >/dev/null ||
  { echo "chart.sh: gnuplot not found (apt-get install gnuplot-nox)" >&2; exit 2; }
head -1 "$csv" | grep -q '^part,mode,workers,workload,tasks,seconds,tasks_per_s,master_cpu_us_per_task,ratio$' ||
  { echo "chart.sh: $csv: not a CSV of bench/scaling.sh" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# One file per series, named after it: gnuplot plots each as a line.
awk -F, -v d="$dir" 'NR > 1 {
  if ($1 == "empty")     { print $3, $8 >(d "/1 " $4); }
  if ($1 == "backlog")   { print $5, $7 / 1e6 >(d "/2 " $2 ", " $3 " worker(s)"); }
  if ($1 == "spin")      { print $3, $6 >(d "/3 " $2); }
  if ($1 == "bandwidth") { print $2, $7 / 1e6 >(d "/4 bandwidth"); }
}' "$csv"

# plot N: the plot command of panel N (an empty panel when it has no
# series).
plot() {
  local sep="plot" f
  for f in "$dir/$1 "*; do
    [ -e "$f" ] || { echo "unset key; plot [0:1] [0:1] 1/0 notitle"; return; }
    if [ "$1" = 4 ]; then
      printf '%s "%s" using 0:2:xtic(1) with boxes notitle' "$sep" "$f"
    else
      printf '%s "%s" using 1:2 with linespoints title "%s"' "$sep" "$f" "${f#"$dir/$1 "}"
    fi
    sep=","
  done
  echo
}

gnuplot <<EOF
set terminal pngcairo noenhanced size 1200,900 font ",10"
set output "$png"
set multiplot layout 2,2 title "mpipool scaling ($(basename "$csv"))"
set grid
set key top left
set logscale x 2
set xlabel "workers"
set ylabel "master CPU per task (us)"
set yrange [0:*]
set title "1. empty tasks under mpirun: the master's CPU per task"
$(plot 1)
set logscale x 10
set xlabel "tasks outstanding before the first wait"
set ylabel "M tasks/s"
set title "2. apply_async as the backlog grows"
$(plot 2)
unset logscale x
set xrange [1:8]
set xlabel "workers (2 cores)"
set ylabel "seconds"
set title "3. CPU-bound tasks of 10 ms: 2 workers and 7"
set key bottom right
$(plot 3)
set xrange [-0.5:1.5]
set xlabel "mode"
set ylabel "MB/s"
set style fill solid 0.5
set boxwidth 0.5
set title "4. results of 10 MiB each, 2 workers"
$(plot 4)
unset multiplot
EOF
echo "chart.sh: $png"

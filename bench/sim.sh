#!/usr/bin/env bash
# Benchmark: the crisis simulator (internal/sim) on the bundled scenario, simulated
# run-days per second on one worker and on two, beside the random draws alone (the
# floor) on one worker and on two, all in the same runs. A run-day is one day of one
# run, both arms stepped; the floor makes every day's draws of a run to the horizon
# and nothing else.
#
#   bash bench/sim.sh [REPEATS]     # default 10
#
# The benchmark binary runs REPEATS times; each figure is the best of the repeats
# (the run least disturbed by anything else on the machine), and the ratios are
# between those bests.
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${1:-10}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go test -c -o "$out/sim.test" ./internal/sim/
cd internal/sim
for ((i = 0; i < repeats; i++)); do
  "$out/sim.test" -test.run '^$' -test.bench . -test.benchtime 20x
done | awk '
  /^Benchmark/ { for (i = 1; i <= NF; i++) if ($(i+1) == "run-days/s" && $i > best[$1]) best[$1] = $i }
  END {
    s1 = best["BenchmarkSimulate/workers=1-2"]; s2 = best["BenchmarkSimulate/workers=2-2"]
    f1 = best["BenchmarkFloor/workers=1-2"]; f2 = best["BenchmarkFloor/workers=2-2"]
    printf "| what | run-days/s (best of '"$repeats"') | ns/run-day |\n|---|---|---|\n"
    printf "| simulate, 1 worker | %.1f M | %.1f |\n", s1 / 1e6, 1e9 / s1
    printf "| simulate, 2 workers | %.1f M | %.1f |\n", s2 / 1e6, 1e9 / s2
    printf "| floor (draws alone), 1 worker | %.1f M | %.1f |\n", f1 / 1e6, 1e9 / f1
    printf "| floor (draws alone), 2 workers | %.1f M | %.1f |\n", f2 / 1e6, 1e9 / f2
    printf "\nsimulate 2/1 workers: %.2fx; floor 2/1 workers: %.2fx; simulate / floor (1 worker): %.2fx the time\n", s2 / s1, f2 / f1, f1 / s1
  }'

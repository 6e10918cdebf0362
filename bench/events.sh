#!/usr/bin/env bash
# Benchmark: GDELT 2.0 parse + normalize on one core, beside `wc -l` on the same
# file (the floor: reading and splitting lines) and pandas read_csv (Debian's
# python3-pandas), all in the same run, on the same file, with the page cache warm.
# Memory: peak RSS of `backchannel events stats` on a file of ~100 MB and ~400 MB.
#
#   bash bench/events.sh            # needs ../shared/data; installs python3-pandas and time if missing
#
# Everything runs pinned to CPU 0 (taskset) and Go with GOMAXPROCS=1.
set -euo pipefail
cd "$(dirname "$0")/.."
src=../shared/data/gdelt2/20191024143000.export.CSV
[ -f "$src" ] || { echo "needs $src (../shared/data beside the project)" >&2; exit 1; }
if ! /usr/bin/python3 -c 'import pandas' 2>/dev/null || [ ! -x /usr/bin/time ]; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pandas time >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/backchannel" ./cmd/backchannel

make_file() { # $1: target MB, $2: path
  local n=$(( ($1 * 1024 * 1024) / $(stat -c %s "$src") + 1 ))
  for ((i = 0; i < n; i++)); do cat "$src"; done > "$2"
}
make_file 100 "$out/g100.CSV"
make_file 400 "$out/g400.CSV"
size=$(stat -c %s "$out/g100.CSV")
rows=$(wc -l < "$out/g100.CSV")
cat "$out/g100.CSV" "$out/g400.CSV" > /dev/null   # warm the page cache

best() { # best wall time in seconds of 3 runs of "$@"
  local b=
  for _ in 1 2 3; do
    local t0 t1
    t0=$(date +%s.%N); "$@" > /dev/null; t1=$(date +%s.%N)
    b=$(echo "$t0 $t1 ${b:-1e9}" | awk '{d=$2-$1; print (d<$3)?d:$3}')
  done
  echo "$b"
}
pin() { taskset -c 0 "$@"; }
cat > "$out/pandas_read.py" <<'PY'
import sys, csv, pandas as pd
df = pd.read_csv(sys.argv[1], sep="\t", header=None, quoting=csv.QUOTE_NONE, low_memory=False)
print(len(df))
PY

t_wc=$(best pin wc -l "$out/g100.CSV")
t_bc=$(best pin env GOMAXPROCS=1 "$out/backchannel" events stats --format gdelt2 --json "$out/g100.CSV")
t_pd=$(best pin /usr/bin/python3 "$out/pandas_read.py" "$out/g100.CSV")
rss() { /usr/bin/time -f %M taskset -c 0 env GOMAXPROCS=1 "$out/backchannel" events stats --format gdelt2 --json "$1" 2>&1 >/dev/null | tail -1; }
m100=$(rss "$out/g100.CSV"); m400=$(rss "$out/g400.CSV")

mb=$(echo "$size" | awk '{print $1/1e6}')
row() { awk -v label="$1" -v t="$2" -v mb="$mb" -v rows="$rows" 'BEGIN { printf "| %s | %.3f s | %.1f MB/s | %.0f rows/s |\n", label, t, mb/t, rows/t }'; }
echo "file: $(printf '%.1f' "$mb") MB, $rows GDELT 2.0 rows (the 15-minute export of ../shared/data repeated)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(go version | cut -d' ' -f3)"
echo
echo "| what (one core) | time (best of 3) | throughput | rows |"
echo "|---|---|---|---|"
row "wc -l (floor)" "$t_wc"
row "backchannel events stats (parse+normalize)" "$t_bc"
row "pandas read_csv (python3-pandas $(/usr/bin/python3 -c 'import pandas; print(pandas.__version__)'))" "$t_pd"
echo
echo "$t_pd $t_bc $t_wc" | awk '{printf "backchannel vs pandas: %.1fx faster; backchannel takes %.1fx the time of wc -l\n", $1/$2, $2/$3}'
echo "peak RSS of backchannel events stats: ${m100} KiB on 100 MB, ${m400} KiB on 400 MB"

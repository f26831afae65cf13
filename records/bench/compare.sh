#!/usr/bin/env bash
# compare.sh: time adding 200 photos of 2 MB each to a new library against
# copying the same files with cp (and with cp followed by an fsync of each
# copy, the honest comparison: the library fsyncs every add), and report
# the add's peak memory. Issue #2 target: add <= 3x cp, peak RSS < 150 MB.
#
# Usage: records/bench/compare.sh [runs]   (from anywhere in the repo)
set -euo pipefail
runs=${1:-1}
cd "$(dirname "$0")/.."            # records/
tmp=${TMPDIR:-/tmp}
photos=$tmp/secondopinion-bench-photos
bin=$tmp/secondopinion-records-bench.test

if [ ! -x /usr/bin/time ]; then
	echo "installing GNU time for peak memory (apt-get install time)" >&2
	apt-get install -y time >/dev/null
fi

go test -c -o "$bin" .
# Make the photos first (cached), so neither side pays for them.
SO_BENCH_PREPARE_ONLY=1 "$bin" -test.run '^$' -test.bench 'Add200Photos' -test.benchtime 1x >/dev/null

now() { date +%s.%N; }
dest=$(mktemp -d "$tmp/secondopinion-cp.XXXXXX")
trap 'rm -rf "$dest"' EXIT

best() { sort -g | head -1; }
cp_times=(); cps_times=()
for ((i = 0; i < runs; i++)); do
	rm -f "$dest"/*
	t0=$(now); cp "$photos"/IMG_*.jpg "$dest"/; t1=$(now)
	cp_times+=("$(echo "$t1 - $t0" | bc)")
	rm -f "$dest"/*
	t0=$(now); cp "$photos"/IMG_*.jpg "$dest"/ && sync "$dest"/IMG_*.jpg; t1=$(now)
	cps_times+=("$(echo "$t1 - $t0" | bc)")
done
cp_s=$(printf '%s\n' "${cp_times[@]}" | best)
cps_s=$(printf '%s\n' "${cps_times[@]}" | best)

out=$(/usr/bin/time -v "$bin" -test.run '^$' -test.bench 'Add200Photos' -test.benchtime "${runs}x" 2>&1)
ns=$(echo "$out" | awk '/^BenchmarkAdd200Photos/ {print $3}')
rss_kb=$(echo "$out" | awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}')
ours_s=$(echo "scale=3; $ns / 1000000000" | bc)

printf 'machine: %s, %s cores, load average %s\n' "$(uname -m)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf 'photos:                 200 x 2 MB (%s)\n' "$(du -sh "$photos" | cut -f1)"
printf 'cp:                     %6.2f s\n' "$cp_s"
printf 'cp + fsync each copy:   %6.2f s\n' "$cps_s"
printf 'Second Opinion add:     %6.2f s  (one document and one transaction per photo; mean of %d run(s))\n' "$ours_s" "$runs"
printf 'ratio to cp:            %6.1fx\n' "$(echo "scale=2; $ours_s / $cp_s" | bc)"
printf 'ratio to cp + fsync:    %6.1fx   (target: <= 3x)\n' "$(echo "scale=2; $ours_s / $cps_s" | bc)"
printf 'peak RSS of the add:    %6.1f MB (target: < 150 MB; whole test process)\n' "$(echo "scale=1; $rss_kb / 1024" | bc)"

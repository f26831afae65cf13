#!/usr/bin/env bash
# compare.sh: time our packet export against ImageMagick + qpdf doing the
# same work, in one go, on this machine.
#
#   export/bench/compare.sh [WORKDIR]
#
# Inputs (made once by the Go test binary, kept in WORKDIR): 60 camera-like
# 12-megapixel JPEGs (half stored sideways with EXIF orientation 6) and 40
# PDFs with 400 pages in all.
#
# Ours: BenchmarkWritePacket/first, one export of a fresh library holding the
#   100 documents (building the library is outside the timed part, but inside
#   the peak RSS, which is for the whole process).
# Theirs: `convert -auto-orient -resize 2000x2000 -quality 85` of every photo
#   (the pixel size our compact packet gives them on A4), as many at a time
#   as there are cores, then `qpdf --empty --pages ... --` merging the PDFs.
#   Theirs makes no packet: no cover, index, footers or bookmarks.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-${TMPDIR:-/tmp}/secondopinion-bench}
mkdir -p "$work"
convert=/usr/bin/convert
for tool in "$convert" qpdf /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing (apt-get install imagemagick qpdf time)" >&2; exit 2; }
done

cd "$root"
GOFLAGS=-mod=mod go test -c -o "$work/export.test" ./export
echo "== inputs in $work (made once)"
BENCH_DIR="$work" "$work/export.test" -test.run '^TestBenchFixtures$' -test.count 1 >/dev/null
du -sh "$work/photos" "$work/pdfs"

echo "== ours: export.WritePacket, first export of the library"
/usr/bin/time -v -o "$work/ours.time" env BENCH_DIR="$work" "$work/export.test" \
  -test.run '^$' -test.bench '^BenchmarkWritePacket/first$' -test.benchtime 1x -test.v >"$work/ours.txt"
grep -E 'first export:|ns/op' "$work/ours.txt" | sed 's/^ *//'
ours_ns=$(grep -Eo '[0-9]+ ns/op' "$work/ours.txt" | head -1 | cut -d' ' -f1)
ours_cpu=$(grep -Eo '[0-9.]+ cpu-s' "$work/ours.txt" | head -1 | cut -d' ' -f1)
ours_rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/ours.time")

echo "== ours again: later export (print versions kept in the library)"
BENCH_DIR="$work" "$work/export.test" -test.run '^$' -test.bench '^BenchmarkWritePacket/again$' -test.benchtime 3x \
  | grep -E 'ns/op' | sed 's/^ *//'

echo "== theirs: ImageMagick resize + qpdf merge"
rm -rf "$work/im" && mkdir -p "$work/im"
cat >"$work/theirs.sh" <<EOS
set -e
cd "$work/photos"
ls *.jpg | xargs -P "\$(nproc)" -I{} $convert {} -auto-orient -resize 2000x2000 -quality 85 ../im/{}
cd "$work"
qpdf --empty --pages pdfs/*.pdf -- im/merged.pdf
EOS
start=$(date +%s%N)
/usr/bin/time -v -o "$work/theirs.time" bash "$work/theirs.sh"
theirs_ns=$(( $(date +%s%N) - start ))
theirs_rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/theirs.time")
theirs_cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$work/theirs.time")
echo "photos: $(ls "$work/im"/*.jpg | wc -l), merged PDF pages: $(qpdf --show-npages "$work/im/merged.pdf")"

echo "== memory: a packet of about 1,000 pages (60 photos, 40 PDFs with 900 pages)"
big="$work/big" && mkdir -p "$big"
[ -e "$big/photos" ] || ln -s "$work/photos" "$big/photos"
/usr/bin/time -v -o "$work/big.time" env BENCH_DIR="$big" BENCH_PDF_PAGES=900 "$work/export.test" \
  -test.run '^$' -test.bench '^BenchmarkWritePacket/first$' -test.benchtime 1x -test.v >"$work/big.txt"
grep -E 'first export:' "$work/big.txt" | sed 's/^ *//'
echo "peak RSS $(( $(awk -F': ' '/Maximum resident/ {print $2}' "$work/big.time") / 1024 )) MB (whole test process)"

echo "== result (load average now: $(cut -d' ' -f1-3 /proc/loadavg); the machine is shared, so CPU time is the steadier figure)"
awk -v o="$ours_ns" -v t="$theirs_ns" -v oc="$ours_cpu" -v tc="$theirs_cpu" -v orss="$ours_rss" -v trss="$theirs_rss" 'BEGIN {
  printf "ours   %6.2f s wall, %6.2f s CPU  (peak RSS %d MB, whole test process)\n", o/1e9, oc, orss/1024
  printf "theirs %6.2f s wall, %6.2f s CPU  (peak RSS %d MB, largest single process)\n", t/1e9, tc, trss/1024
  printf "ratio ours/theirs = %.2f wall, %.2f CPU\n", o/t, oc/tc
}'

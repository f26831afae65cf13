#!/usr/bin/env bash
# compare.sh: time our first packet export against the tools a user would
# otherwise pick for the same work, in interleaved rounds on this machine.
#
#   export/bench/compare.sh [WORKDIR] [ROUNDS]     (ROUNDS defaults to 3)
#
# Inputs (made once by the Go test binary, kept in WORKDIR): 60 camera-like
# 12-megapixel JPEGs (half stored sideways with EXIF orientation 6) and 40
# PDFs with 400 pages in all.
#
# Ours: BenchmarkWritePacket/first, one export of a fresh library holding the
#   100 documents (building the library is outside the timed part, but inside
#   the peak RSS, which is for the whole process).
# Theirs, the fair peer: ImageMagick told the size each photo will be printed
#   at, so libjpeg decodes it scaled (`-define jpeg:size=WxH`, W×H the photo
#   fitted to the A4 print box at 200 dpi, in its stored orientation), then
#   `-auto-orient`, quality 85, metadata stripped: the work we do (a scaled
#   decode, a turn, an encode), with no resampling after the decode, as we
#   do none. (`-resize` to the box as well doubles its CPU time: that would
#   flatter us.) One photo per core (xargs -P, one thread each); `img2pdf`
#   puts the photos on A4 pages and `qpdf` merges them with the 40 PDFs.
#   The size hints are worked out before the clock starts. Theirs makes no
#   packet: no cover, index, footers or bookmarks.
#
# Each round runs ours then theirs (the next round theirs first), so a
# machine that slows down mid-run slows both; the ratios are per round, and
# the medians are quoted.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=${1:-${TMPDIR:-/tmp}/secondopinion-bench}
rounds=${2:-3}
mkdir -p "$work"
convert=/usr/bin/convert # the real ImageMagick, not a stand-in earlier on PATH
identify=/usr/bin/identify
for tool in "$convert" "$identify" img2pdf qpdf /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool is missing (apt-get install imagemagick img2pdf qpdf time)" >&2; exit 2; }
done
cores=$(nproc)

# The A4 print box at 200 dpi: 174 × 243 mm (export/layout.go's image area).
boxW=1370 boxH=1913

cd "$root"
GOFLAGS=-mod=mod go test -c -o "$work/export.test" ./export
echo "== inputs in $work (made once)"
BENCH_DIR="$work" "$work/export.test" -test.run '^TestBenchFixtures$' -test.count 1 >/dev/null
du -sh "$work/photos" "$work/pdfs"

# Each photo with its size hint: its upright size fitted to the box, turned
# back to the stored orientation.
(cd "$work/photos" && "$identify" -format '%f %w %h %[EXIF:Orientation]\n' *.jpg 2>/dev/null) |
  awk -v bw=$boxW -v bh=$boxH '{
    o = ($4 == "" ? 1 : $4); w = $2; h = $3
    uw = (o >= 5 ? h : w); uh = (o >= 5 ? w : h)
    f = bw / uw; if (bh / uh < f) f = bh / uh
    fw = int(uw * f + 0.5); fh = int(uh * f + 0.5)
    if (o >= 5) { t = fw; fw = fh; fh = t }
    printf "%s %dx%d\n", $1, fw, fh
  }' >"$work/hints.txt"
echo "size hints: $(head -2 "$work/hints.txt" | tr '\n' ' ')..."

cat >"$work/theirs.sh" <<EOS
set -e
rm -rf "$work/im" && mkdir -p "$work/im"
cd "$work/photos"
MAGICK_THREAD_LIMIT=1 xargs -P $cores -L 1 sh -c '$convert -define jpeg:size=\$1 "\$0" -auto-orient -strip -quality 85 ../im/"\$0"' <"$work/hints.txt"
cd "$work"
img2pdf --pagesize A4 --fit into -o im/photos.pdf im/*.jpg
qpdf --empty --pages im/photos.pdf pdfs/*.pdf -- im/merged.pdf
EOS

ours() { # appends "wall-s cpu-s rss-kB" to ours.runs
  /usr/bin/time -v -o "$work/ours.time" env BENCH_DIR="$work" "$work/export.test" \
    -test.run '^$' -test.bench '^BenchmarkWritePacket/first$' -test.benchtime 1x -test.v >"$work/ours.txt"
  local ns cpu rss
  ns=$(grep -Eo '[0-9]+ ns/op' "$work/ours.txt" | head -1 | cut -d' ' -f1)
  cpu=$(grep -Eo '[0-9.]+ cpu-s' "$work/ours.txt" | head -1 | cut -d' ' -f1)
  rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$work/ours.time")
  echo "$(awk -v n="$ns" 'BEGIN {printf "%.3f", n/1e9}') $cpu $rss" >>"$work/ours.runs"
  grep -E 'first export:' "$work/ours.txt" | sed 's/^ */  ours:   /'
}
theirs() { # appends "wall-s cpu-s rss-kB" to theirs.runs
  local start end
  start=$(date +%s%N)
  /usr/bin/time -v -o "$work/theirs.time" bash "$work/theirs.sh"
  end=$(date +%s%N)
  awk -F': ' -v ns=$((end - start)) '/User time|System time/ {s += $2} /Maximum resident/ {r = $2}
    END {printf "%.3f %.2f %d\n", ns/1e9, s, r}' "$work/theirs.time" >>"$work/theirs.runs"
  echo "  theirs: $(ls "$work/im"/*.jpg | wc -l) photos, $(qpdf --show-npages "$work/im/merged.pdf") pages, $(du -m "$work/im/merged.pdf" | cut -f1) MB in $(tail -1 "$work/theirs.runs" | cut -d' ' -f1) s (CPU $(tail -1 "$work/theirs.runs" | cut -d' ' -f2) s)"
}

echo "== $rounds interleaved rounds: first export (ours) against ImageMagick with size hints + img2pdf + qpdf (theirs)"
: >"$work/ours.runs"
: >"$work/theirs.runs"
for r in $(seq "$rounds"); do
  echo "round $r (load average $(cut -d' ' -f1 /proc/loadavg))"
  if [ $((r % 2)) -eq 1 ]; then ours; theirs; else theirs; ours; fi
done

echo "== ours again: later export (print versions kept in the library)"
BENCH_DIR="$work" "$work/export.test" -test.run '^$' -test.bench '^BenchmarkWritePacket/again$' -test.benchtime 3x \
  | grep -E 'ns/op' | sed 's/^ *//'

echo "== memory: a packet of about 1,000 pages (60 photos, 40 PDFs with 900 pages)"
big="$work/big" && mkdir -p "$big"
[ -e "$big/photos" ] || ln -s "$work/photos" "$big/photos"
/usr/bin/time -v -o "$work/big.time" env BENCH_DIR="$big" BENCH_PDF_PAGES=900 "$work/export.test" \
  -test.run '^$' -test.bench '^BenchmarkWritePacket/first$' -test.benchtime 1x -test.v >"$work/big.txt"
grep -E 'first export:' "$work/big.txt" | sed 's/^ *//'
echo "peak RSS $(( $(awk -F': ' '/Maximum resident/ {print $2}' "$work/big.time") / 1024 )) MB (whole test process)"

echo "== result: medians of $rounds rounds (load average now $(cut -d' ' -f1-3 /proc/loadavg); a shared machine: the ratios are the figures to quote)"
paste -d' ' "$work/ours.runs" "$work/theirs.runs" | awk '
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  { n++; ow[n] = $1; oc[n] = $2; orss[n] = $3; tw[n] = $4; tc[n] = $5; trss[n] = $6; rw[n] = $1 / $4; rc[n] = $2 / $5
    printf "round %d: ours %6.2f s wall %6.2f s CPU | theirs %6.2f s wall %6.2f s CPU | ratio %.2f wall %.2f CPU\n", n, $1, $2, $4, $5, $1 / $4, $2 / $5 }
  END {
    printf "ours   %6.2f s wall, %6.2f s CPU  (peak RSS %d MB, whole test process)\n", median(ow, n), median(oc, n), median(orss, n) / 1024
    printf "theirs %6.2f s wall, %6.2f s CPU  (peak RSS %d MB, largest single process)\n", median(tw, n), median(tc, n), median(trss, n) / 1024
    printf "ratio ours/theirs (median of the rounds) = %.2f wall, %.2f CPU\n", median(rw, n), median(rc, n)
  }'

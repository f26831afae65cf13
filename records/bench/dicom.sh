#!/usr/bin/env bash
# dicom.sh: the key image of a 512×512 16-bit CT slice drawn by Second
# Opinion (in process, and in its sandbox child) against dcmtk's dcmj2pnm
# drawing the same slice with the same window to a PNG, the tool a user
# would otherwise run. Issue #13 target: a key image in under 100 ms.
#
# Usage: records/bench/dicom.sh [runs]   (from anywhere in the repo)
set -euo pipefail
runs=${1:-20}
cd "$(dirname "$0")/../.."         # the repository
tmp=${TMPDIR:-/tmp}
slice=$tmp/secondopinion-bench-ct512.dcm

go test -run '^$' -bench 'RenderCT512' -benchtime "${runs}x" ./records/dicom/ | grep Benchmark
go test -run '^$' -bench 'RenderDICOM' -benchtime "${runs}x" ./records/sandbox/ | grep Benchmark

if ! command -v dcmj2pnm >/dev/null; then
	echo "dcmj2pnm (dcmtk) is not installed: no comparison" >&2
	exit 0
fi
out=$(mktemp -d "$tmp/secondopinion-dcmj2pnm.XXXXXX")
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
for i in $(seq "$runs"); do
	dcmj2pnm +on +Wi 1 "$slice" "$out/slice.png"
done
end=$(date +%s.%N)
awk -v s="$start" -v e="$end" -v n="$runs" 'BEGIN { printf "dcmj2pnm +on +Wi 1 (PNG)   %8.1f ms/op\n", (e - s) * 1000 / n }'

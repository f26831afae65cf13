package records_test

// Benchmarks for issue #2's "Speed and memory" targets. They are not run by
// plain `go test` (only with -bench). Inputs are made once and cached in the
// temporary folder ($TMPDIR, else /tmp) so repeated runs are quick:
//
//	secondopinion-bench-photos/       200 distinct 2 MB JPEGs (~2 MP noisy
//	                                  pictures at quality 98, each with its
//	                                  own JPEG comment, so every file has
//	                                  distinct bytes and passes media.Inspect)
//	secondopinion-bench-10k.sqlite    a library of 10,000 documents holding
//	                                  2 GB of file bytes, built through the
//	                                  real Store API (AddDocument): 1,000
//	                                  documents with a distinct 2 MB PDF each
//	                                  and 9,000 with a distinct small PDF,
//	                                  all with searchable text
//
// Delete them to rebuild. records/bench/compare.sh runs the photo benchmark
// against cp.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"secondopinion/records"
)

const (
	benchPhotos    = 200
	benchPhotoSize = 2 << 20
	bench10kDocs   = 10000
	bench10kBig    = 1000 // documents with a 2 MB file
)

// benchPhotoPaths returns the 200 photos, making them if needed.
func benchPhotoPaths(b *testing.B) []string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "secondopinion-bench-photos")
	paths := make([]string, benchPhotos)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("IMG_%04d.jpg", i+1))
	}
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return paths
	}
	b.Logf("making %d photos in %s", benchPhotos, dir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	// Find a picture size whose JPEG is just under 2 MB, then pad each copy
	// with a comment to exactly 2 MB.
	var base []byte
	for side := 1200; ; side += 50 {
		j := makeJPEG(side, side, 1, 98)
		if len(j) > benchPhotoSize-4096 {
			break
		}
		base = j
	}
	for i, p := range paths {
		comment := fmt.Sprintf("Second Opinion benchmark photo %d ", i+1)
		comment += strings.Repeat(".", benchPhotoSize-len(base)-4*(benchPhotoSize/65533+1)-len(comment))
		if err := os.WriteFile(p, withComment(base, comment), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return paths
}

// peakRSSMB reads the process's peak resident memory (VmHWM) in MB.
func peakRSSMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseFloat(f[1], 64)
			return kb / 1024
		}
	}
	return 0
}

// benchPDFPaths returns 200 distinct 2 MB PDFs (cheap to inspect), making
// them if needed: the same add without the cost of decoding photos.
func benchPDFPaths(b *testing.B) []string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), "secondopinion-bench-pdfs")
	paths := make([]string, benchPhotos)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("scan-%04d.pdf", i+1))
	}
	if _, err := os.Stat(filepath.Join(dir, "complete")); err == nil {
		return paths
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		b.Fatal(err)
	}
	for i, p := range paths {
		data := makePDF(fmt.Sprintf("scan %d", i), 0, 0)
		data = makePDF(fmt.Sprintf("scan %d", i), benchPhotoSize-len(data)-30, uint64(i))
		if err := os.WriteFile(p, data, 0o600); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "complete"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return paths
}

// BenchmarkAdd200Photos adds 200 distinct 2 MB photos, one document each
// (one transaction and fsync each), to a new library. Target: at most 3x
// the time of cp of the same files, peak memory under 150 MB.
// SO_BENCH_PREPARE_ONLY=1 only makes the photos (for compare.sh).
func BenchmarkAdd200Photos(b *testing.B) {
	paths := benchPhotoPaths(b)
	if os.Getenv("SO_BENCH_PREPARE_ONLY") != "" {
		b.Skip("photos prepared")
	}
	benchAdd(b, paths)
}

// BenchmarkAddPageSize compares adding the 200 photos to libraries of
// SQLite's default 4 KiB pages and of the 64 KiB pages new libraries get,
// in one run (the machine is shared: only the ratio means much).
func BenchmarkAddPageSize(b *testing.B) {
	paths := benchPhotoPaths(b)
	defer func(v int) { records.PageSize = v }(records.PageSize)
	for _, size := range []int{4096, 65536} {
		b.Run(fmt.Sprintf("page=%dKiB", size/1024), func(b *testing.B) {
			records.PageSize = size
			benchAdd(b, paths)
		})
	}
}

// BenchmarkAdd200PDFs is BenchmarkAdd200Photos with 2 MB PDFs, whose
// inspection is cheap: it shows what the store itself costs.
func BenchmarkAdd200PDFs(b *testing.B) {
	paths := benchPDFPaths(b)
	if os.Getenv("SO_BENCH_PREPARE_ONLY") != "" {
		b.Skip("PDFs prepared")
	}
	benchAdd(b, paths)
}

func benchAdd(b *testing.B, paths []string) {
	ctx := context.Background()
	var total int64
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			b.Fatal(err)
		}
		total += st.Size()
	}
	b.SetBytes(total)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		s, err := records.Open(ctx, filepath.Join(dir, "library.sqlite"))
		if err != nil {
			b.Fatal(err)
		}
		p := records.Person{FullName: "Mary Example"}
		if err := s.SavePerson(ctx, &p); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		for _, path := range paths {
			d := records.Document{PersonID: p.ID, Kind: records.KindImaging}
			if err := s.AddDocument(ctx, &d, []string{path}, records.AddOptions{}); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		if st, err := s.Stats(ctx); err != nil || st.Files != benchPhotos || st.FileBytes != total {
			b.Fatalf("Stats() = %+v, %v, want %d files, %d bytes", st, err, benchPhotos, total)
		}
		s.Close()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
}

var benchWords = []string{"chest", "abdomen", "pelvis", "biopsy", "histology", "lymph", "node", "margin", "tumour",
	"benign", "malignant", "follow", "review", "scan", "contrast", "fracture", "cardiology", "echo", "valve", "renal",
	"liver", "thyroid", "ultrasound", "oncology", "radiotherapy", "chemotherapy", "surgery", "consent", "referral", "discharge"}

var benchSources = []string{"St Elsewhere Hospital", "Royal Infirmary", "City Clinic", "Müller Klinik", "General Practice",
	"Regional Cancer Centre", "University Hospital", "Imaging Partners"}

// bench10kPath returns the cached 10,000-document library, building it
// (a few minutes, once) when it is missing or incomplete.
func bench10kPath(b *testing.B) string {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(os.TempDir(), "secondopinion-bench-10k.sqlite")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	b.Logf("building %s (10,000 documents, 2 GB; once)", path)
	start := time.Now()
	tmp := path + ".building"
	for _, ext := range []string{"", "-wal", "-shm"} {
		os.Remove(tmp + ext)
	}
	s, err := records.Open(ctx, tmp)
	if err != nil {
		b.Fatal(err)
	}
	mary := records.Person{FullName: "Mary Example"}
	john := records.Person{FullName: "John Other"}
	for _, p := range []*records.Person{&mary, &john} {
		if err := s.SavePerson(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
	dir := b.TempDir()
	word := func(i, k int) string { return benchWords[(i*7+k*13)%len(benchWords)] }
	for i := 0; i < bench10kDocs; i++ {
		// Every document's PDF text holds a unique word (tok<i>) and three
		// common ones; titles, sources and tags vary.
		text := fmt.Sprintf("Report %d: %s %s %s. Reference tok%05d.", i, word(i, 0), word(i, 1), word(i, 2), i)
		pad := 0
		if i < bench10kBig {
			pad = 2<<20 - 700
		}
		file := filepath.Join(dir, fmt.Sprintf("report-%05d.pdf", i))
		if err := os.WriteFile(file, makePDF(text, pad, uint64(i)), 0o600); err != nil {
			b.Fatal(err)
		}
		person := mary.ID
		if i%5 == 4 {
			person = john.ID
		}
		d := records.Document{
			PersonID: person,
			Kind:     records.Kinds[i%len(records.Kinds)],
			Title:    fmt.Sprintf("%s %s report %d", strings.ToUpper(word(i, 3)[:1])+word(i, 3)[1:], word(i, 4), i),
			Date:     records.Date{Year: 2010 + i%17, Month: 1 + i%12, Day: (1 + i%28) * (i % 3 % 2)},
			Source:   benchSources[i%len(benchSources)],
			Notes:    "Follow-up: " + word(i, 5),
			Tags:     []string{word(i, 6)},
		}
		if err := s.AddDocument(ctx, &d, []string{file}, records.AddOptions{}); err != nil {
			b.Fatalf("document %d: %v", i, err)
		}
		os.Remove(file)
		if i%1000 == 999 {
			b.Logf("%d documents, %v", i+1, time.Since(start).Round(time.Second))
		}
	}
	st, err := s.Stats(ctx)
	if err != nil || st.Documents != bench10kDocs || st.FileBytes < 2<<30-50<<20 {
		b.Fatalf("built library Stats() = %+v, %v", st, err)
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	b.Logf("built in %v", time.Since(start).Round(time.Second))
	return path
}

func open10k(b *testing.B) (*records.Store, records.Person) {
	b.Helper()
	ctx := context.Background()
	s, err := records.Open(ctx, bench10kPath(b))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	p, err := s.PersonByName(ctx, "Mary Example")
	if err != nil {
		b.Fatal(err)
	}
	return s, p
}

// BenchmarkOpen10k opens the 10,000-document library (target: under
// 200 ms).
func BenchmarkOpen10k(b *testing.B) {
	ctx := context.Background()
	path := bench10kPath(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		s, err := records.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		s.Close()
		b.StartTimer()
	}
}

// BenchmarkList10k lists documents of the 10,000-document library
// (target: under 50 ms).
func BenchmarkList10k(b *testing.B) {
	ctx := context.Background()
	s, mary := open10k(b)
	tests := []struct {
		name   string
		filter records.DocumentFilter
		min    int
	}{
		{"all", records.DocumentFilter{}, bench10kDocs},
		{"one person", records.DocumentFilter{PersonID: mary.ID}, 8000},
		{"one kind", records.DocumentFilter{PersonID: mary.ID, Kind: records.KindPathology}, 500},
		{"one year", records.DocumentFilter{PersonID: mary.ID, From: records.MustDate("2020"), To: records.MustDate("2020")}, 400},
		// What a screen asks for: the rows it shows (a virtual list pages).
		{"first page of 100", records.DocumentFilter{PersonID: mary.ID, Limit: 100}, 100},
		{"last page of 100", records.DocumentFilter{PersonID: mary.ID, Limit: 100, Offset: 7900}, 100},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			var n int
			for i := 0; i < b.N; i++ {
				docs, err := s.Documents(ctx, tt.filter)
				if err != nil || len(docs) < tt.min {
					b.Fatalf("Documents(%s) = %d, %v, want at least %d", tt.name, len(docs), err, tt.min)
				}
				n = len(docs)
			}
			b.ReportMetric(float64(n), "docs")
		})
	}
}

// BenchmarkSearch10k searches the 10,000-document library (target: under
// 50 ms).
// BenchmarkCount10k is what a virtual list asks first: how many rows.
func BenchmarkCount10k(b *testing.B) {
	ctx := context.Background()
	s, mary := open10k(b)
	for i := 0; i < b.N; i++ {
		n, err := s.CountDocuments(ctx, records.DocumentFilter{PersonID: mary.ID})
		if err != nil || n != 8000 {
			b.Fatalf("CountDocuments(one person) = %d, %v, want 8000", n, err)
		}
	}
}

func BenchmarkSearch10k(b *testing.B) {
	ctx := context.Background()
	s, mary := open10k(b)
	tests := []struct {
		name, text string
		min, max   int
	}{
		{"word only in one PDF", "tok04242", 1, 1},
		{"common word", "biopsy", 500, bench10kDocs},
		{"prefix", "chemo", 500, bench10kDocs},
		{"two words", "margin liver", 1, bench10kDocs},
		{"source", "royal infirmary", 1000, bench10kDocs},
		{"no match", "appendicitis", 0, 0},
		{"common word, first page of 100", "biopsy", 100, 100},
	}
	for _, tt := range tests {
		b.Run(tt.name, func(b *testing.B) {
			var n int
			limit := 0
			if strings.Contains(tt.name, "page of 100") {
				limit = 100
			}
			for i := 0; i < b.N; i++ {
				docs, err := s.Documents(ctx, records.DocumentFilter{PersonID: mary.ID, Search: tt.text, Limit: limit})
				if err != nil || len(docs) < tt.min || len(docs) > tt.max {
					b.Fatalf("Documents(Search %q) = %d, %v, want %d..%d", tt.text, len(docs), err, tt.min, tt.max)
				}
				n = len(docs)
			}
			b.ReportMetric(float64(n), "docs")
		})
	}
}

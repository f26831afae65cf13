package export

import (
	"context"
	"runtime"
	"sync"

	"secondopinion/records"
)

// PreparePrint makes and keeps in the library the print version of every
// picture in the given documents, so that exporting them later is mostly
// assembly (decoding a 12-megapixel photo is most of an export's time).
// The app calls it in the background after files are added. Pictures are
// made one per core, as the export makes them. A picture that cannot be
// prepared is left for the readiness check to report.
func PreparePrint(ctx context.Context, s *records.Store, documentIDs []string, paper records.Paper, q records.Quality) error {
	if paper == "" {
		paper = records.DefaultPaper()
	}
	if q == "" {
		q = records.QualityCompact
	}
	var files []records.File
	for _, id := range documentIDs {
		d, err := s.Document(ctx, id)
		if err != nil {
			return err
		}
		for _, f := range d.Files {
			if f.IsImage() && f.Pages <= 1 {
				files = append(files, f)
			}
		}
	}
	feed := make(chan records.File)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range feed {
				_, _, _, _ = printVersion(ctx, s, f, paper, q)
			}
		}()
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		feed <- f
	}
	close(feed)
	wg.Wait()
	return ctx.Err()
}

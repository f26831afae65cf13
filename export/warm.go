package export

import (
	"context"

	"secondopinion/records"
)

// PreparePrint makes and keeps in the library the print version of every
// picture in the given documents, so that exporting them later is mostly
// assembly (decoding a 12-megapixel photo is most of an export's time).
// The app calls it in the background after files are added. A picture that
// cannot be prepared is left for the readiness check to report.
func PreparePrint(ctx context.Context, s *records.Store, documentIDs []string, paper records.Paper, q records.Quality) error {
	if paper == "" {
		paper = records.DefaultPaper()
	}
	if q == "" {
		q = records.QualityCompact
	}
	for _, id := range documentIDs {
		d, err := s.Document(ctx, id)
		if err != nil {
			return err
		}
		for _, f := range d.Files {
			if err := ctx.Err(); err != nil {
				return err
			}
			if f.IsImage() && f.Pages <= 1 {
				_, _, _, _ = printVersion(ctx, s, f, paper, q)
			}
		}
	}
	return ctx.Err()
}

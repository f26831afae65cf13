package export

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/api"

	"secondopinion/records"
)

// Readiness checks, before an export, that every document can go into the
// packet: each PDF is prepared and merged into a scratch document, each
// photo's print version is made (and kept in the library, so the export
// that follows is quick). It returns the documents that cannot go in, each
// with a sentence saying why; the user can leave them out (Options.Exclude)
// or replace them. opt.Progress is called as files are checked.
func Readiness(ctx context.Context, s *records.Store, opt Options) ([]Issue, error) {
	p, err := load(ctx, s, opt)
	if err != nil {
		return nil, err
	}
	prog := &progress{fn: opt.Progress}
	_, issues, err := prepareAll(ctx, s, p, false, prog)
	if err != nil {
		return nil, fail("readiness check", err)
	}
	return issues, nil
}

// WritePacket writes the second-opinion packet to out, replacing any file
// there only once the new one is complete (a temporary file in the same
// folder is synced and renamed). A document that cannot go in is left out
// and reported in Result.Skipped; run Readiness first so the user decides.
// When opt.CaseID is set the export is added to the case's packet log.
func WritePacket(ctx context.Context, s *records.Store, out string, opt Options) (Result, error) {
	opt.enclosed = false
	return writePacket(ctx, s, out, opt)
}

// writePacket is WritePacket, also for an enclosure (opt.enclosed).
func writePacket(ctx context.Context, s *records.Store, out string, opt Options) (Result, error) {
	if err := CheckTarget(s, out); err != nil {
		return Result{}, err
	}
	if opt.Password != "" {
		if err := CheckPassword(opt.Password); err != nil {
			return Result{}, err
		}
	}
	p, err := load(ctx, s, opt)
	if err != nil {
		return Result{}, err
	}
	prog := &progress{fn: opt.Progress, total: 4}
	prepared, issues, err := prepareAll(ctx, s, p, true, prog)
	if err != nil {
		return Result{}, fail("packet", err)
	}
	var res Result
	if opt.ForEmail || opt.Password != "" {
		files, pl, notes, err := writeParts(ctx, s, out, opt, p, prepared, prog)
		if err != nil {
			return Result{}, err
		}
		res = Result{Path: files[0].Path, Pages: pl.total, Documents: len(pl.docs), Skipped: issues, Files: files, Notes: notes,
			Encrypted: opt.Password != ""}
		for _, f := range files {
			res.Bytes += f.Bytes
		}
		res.Cleaned = cleanedOf(pl)
	} else {
		pl, ours, err := layoutPacket(p, prepared, nil)
		if err != nil {
			return Result{}, fail("packet", err)
		}
		prog.total += len(pl.pdfParts)
		prog.step(1)
		n, err := writeAtomic(ctx, s, out, func(w io.Writer) error {
			dest, err := assemble(ctx, ours, p, pl, prog)
			if err == nil {
				err = api.WriteContext(dest, w)
			}
			if err != nil {
				return fail("packet", err)
			}
			return nil
		})
		if err != nil {
			return Result{}, err
		}
		res = Result{Path: out, Pages: pl.total, Bytes: n, Documents: len(pl.docs), Skipped: issues, Cleaned: cleanedOf(pl),
			Files: []Written{{Path: out, Pages: pl.total, FirstPage: 1, Bytes: n}}}
	}
	prog.step(prog.total - prog.done)
	to := ""
	if p.kase != nil {
		to = doctorText(p.kase.SecondDoctor)
	}
	if !opt.enclosed { // the enclosure logs itself
		logExport(ctx, s, opt, "packet", to, res)
	}
	return res, nil
}

// cleanedOf lists the packet's documents whose PDFs lost something.
func cleanedOf(pl *plan) []Cleaned {
	var out []Cleaned
	for _, pr := range pl.docs {
		if pr.removed.Any() {
			out = append(out, Cleaned{DocumentID: pr.doc.ID, Title: pr.doc.Title, Removed: pr.removed})
		}
	}
	return out
}

// layoutPacket numbers the pages and draws all of ours: the front matter
// (measured once first, so its page count is known), then the documents'
// dividers, pictures and DICOM lists.
func layoutPacket(p *packet, prepared []*prepared, sp *split) (*plan, []byte, error) {
	draft := newPlan(p, make([]int, len(p.sections)), 0, prepared)
	draft.names, draft.split = p.sections, sp
	sections, front, spots, err := measureFront(p, draft)
	if err != nil {
		return nil, nil, err
	}
	var pl *plan
	var d *doc
	// The measured page count holds unless page numbers changed a line
	// break; a second round settles it.
	for range 3 {
		pl = newPlan(p, sections, front, prepared)
		pl.names, pl.split, pl.spots = p.sections, sp, spots
		d = newDoc(p, footerText(p))
		d.total = pl.total
		setMetadata(d, p, "Second opinion packet")
		got := drawFront(d, p, pl)
		if d.pdf.PageNo() == front && slices.Equal(got, sections) && maps.Equal(d.spots, spots) {
			break
		}
		sections, front, spots = got, d.pdf.PageNo(), d.spots
		d = nil
	}
	if d == nil {
		return nil, nil, fmt.Errorf("front matter does not settle at %d pages", front)
	}
	drawDocuments(d, pl)
	if d.pdf.PageNo() != pl.total {
		return nil, nil, fmt.Errorf("drew %d pages, planned %d", d.pdf.PageNo(), pl.total)
	}
	ours, err := d.output()
	if err != nil {
		return nil, nil, err
	}
	return pl, ours, nil
}

// measureFront draws the front matter of pl once, without footers, and
// returns the first page of each front section, how many pages it takes
// and where each imaging study's block is.
func measureFront(p *packet, pl *plan) (sections []int, pages int, spots map[string]spot, err error) {
	d := newDoc(p, footerText(p))
	d.pdf.SetFooterFunc(nil)
	d.measuring = true
	sections = drawFront(d, p, pl)
	return sections, d.pdf.PageNo(), d.spots, d.pdf.Error()
}

func setMetadata(d *doc, p *packet, what string) {
	d.pdf.SetTitle(clean(what+": "+p.person.FullName), true)
	d.pdf.SetAuthor(clean(p.author()), true)
	subject := "Medical records prepared for a second opinion"
	if p.kase != nil && p.kase.Title != "" {
		subject += ": " + p.kase.Title
	}
	d.pdf.SetSubject(clean(subject), true)
	d.pdf.SetKeywords("second opinion, medical records", true)
}

// Estimate guesses the packet's pages and size for the Packet screen,
// from what the library already knows, without reading any file: pages
// are exact unless a document cannot go in, a document's PDF loses
// scripts or attachments (it then gets a divider to say so), or a
// document's first page is too large to share its sheet with the band
// (a divider again); the size is within a factor of about two.
func Estimate(ctx context.Context, s *records.Store, opt Options) (pages int, bytes int64, err error) {
	p, err := load(ctx, s, opt)
	if err != nil {
		return 0, 0, err
	}
	pages = frontPages(p)
	bytes = 150 << 10 // fonts and our own pages
	for _, doc := range p.docs {
		own, dicom := 0, 0
		for _, f := range doc.Files {
			switch {
			case f.IsPDF():
				own += len(f.Shown())
				bytes += f.Size * int64(len(f.Shown())) / int64(max(f.Pages, 1))
			case f.IsImage():
				own++
				bytes += photoBytes(f, p.paper, p.quality)
			case p.studyFiles[f.ID]:
				// No page: the study is in the Imaging section.
			case f.IsDICOM():
				dicom++
			}
		}
		own += (dicom + dicomRows - 1) / dicomRows
		if own == 0 && len(doc.Files) > 0 {
			continue // a document of imaging studies only: no pages, no blank back
		}
		if p.duplex && pages%2 == 1 {
			pages++ // a blank back, so that the document starts on a right-hand page
		}
		if len(doc.Files) > 0 && doc.Missing != "" {
			pages++
		}
		pages += own
	}
	// Key images of the Imaging section: a 768-pixel grey JPEG of a CT
	// or MR slice measured 40 to 110 KB.
	for _, st := range p.studies {
		for _, se := range st.Series {
			if se.NoPreview == "" {
				bytes += 90 << 10
			}
		}
	}
	return pages, bytes, nil
}

// photoBytes guesses a photo's share of the packet. Compact print versions
// of camera photos measured about 0.11 bytes per pixel at JPEG quality 85.
//
// For e-mail (150 dpi, letters in grey at quality 75) sixty 12-megapixel
// photos of letters with sensor noise measured 0.26 MB each, 0.2 bytes per
// pixel, a third of their compact size; 0.15 of the box's pixels (with the
// same 30% allowance) errs towards saying a packet is larger than it is.
func photoBytes(f records.File, paper records.Paper, q records.Quality) int64 {
	if q == records.QualityOriginal || f.Width <= 0 || f.Height <= 0 {
		return f.Size
	}
	if q == qualityEmail {
		bw, bh := boxAt(paper, emailDPI)
		px := min(int64(f.Width)*int64(f.Height), int64(bw)*int64(bh)*13/10)
		return min(f.Size, px*15/100+2<<10)
	}
	bw, bh := printBox(paper)
	px := min(int64(f.Width)*int64(f.Height), int64(bw)*int64(bh)*13/10)
	return min(f.Size, px*11/100+2<<10)
}

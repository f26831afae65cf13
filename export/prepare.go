package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"secondopinion/records"
	"secondopinion/records/media"
	"secondopinion/records/sandbox"
)

type partKind int

const (
	partPDF   partKind = iota // pages of a PDF, merged as they are
	partImage                 // one picture, placed on a page of its own
	partDICOM                 // a run of DICOM files, listed on a page
	partDisc                  // DICOM files of imaging studies: no page, they are described in the Imaging section
)

// part is a run of pages one document contributes, in page order.
type part struct {
	kind  partKind
	file  records.File
	pages int
	pdf   []byte       // partPDF: the prepared PDF, cleaned, ready to merge
	rm    Removed      // partPDF: what cleaning took out
	sizes [][2]float64 // partPDF: each page's size as seen (after /Rotate), in points
	jpg   []byte       // partImage: the print version, upright, no metadata
	w, h  int          // partImage: pixel size of jpg
	// text is what OCR read from the file's pages, by page number: the
	// invisible text layer over photos and scans (textlayer.go).
	text  map[int]records.PageText
	dicom []dicomEntry // partDICOM
}

type dicomEntry struct {
	name                   string
	size                   int64
	modality, description  string
	frames, width, height  int
	patient, studyDate     string // studyDate as stored: YYYYMMDD
	accession, institution string
}

// size is page j's size as seen, in points (A4 when unknown).
func (pt *part) size(j int) (w, h float64) {
	if j < len(pt.sizes) {
		return pt.sizes[j][0], pt.sizes[j][1]
	}
	return 595.28, 841.89
}

// dicomRows is how many DICOM files one listing page holds.
const dicomRows = 24

// prepared is one document made ready for the packet.
type prepared struct {
	doc     records.Document
	parts   []part
	divider bool    // starts with a divider page (its first page has no room for the band, or the divider must say what was left out)
	pages   int     // pages it takes in the packet, divider included
	removed Removed // what cleaning took out of its PDFs, said on the divider
	issue   *Issue
	// studies are the imaging studies whose files the document holds,
	// described in the Imaging section; a document of nothing else has no
	// pages of its own (see inImaging).
	studies []records.Study
}

// inImaging reports whether the document is only imaging studies: it has
// no pages among the documents, and its place is its first study's block
// in the Imaging section.
func (pr *prepared) inImaging() bool { return pr.pages == 0 && len(pr.studies) > 0 }

// fileResult is the outcome of preparing one file.
type fileResult struct {
	part part
	err  error // a user sentence (records.Problem) or cancellation
}

// prepareAll prepares every file of every document, two files at a time on
// a two-core machine: photos are the slow part and each needs one core.
// With keep false (the readiness check) the prepared bytes are dropped as
// soon as each file is known to be good; photo print versions are kept in
// the library either way, so the export after a readiness check is mostly
// assembly. A document with any file that cannot go in becomes an Issue.
func prepareAll(ctx context.Context, s *records.Store, p *packet, keep bool, prog *progress) ([]*prepared, []Issue, error) {
	type job struct{ doc, file int }
	var jobs []job
	out := make([]*prepared, len(p.docs))
	results := make([][]fileResult, len(p.docs))
	for i, d := range p.docs {
		out[i] = &prepared{doc: d}
		results[i] = make([]fileResult, len(d.Files))
		for j, f := range d.Files {
			if p.studyFiles[f.ID] {
				// Described by its study: nothing to read.
				results[i][j] = fileResult{part: part{kind: partDisc, file: f}}
				continue
			}
			jobs = append(jobs, job{i, j})
		}
	}
	prog.total += len(jobs)

	setupPDFCPU()
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	feed := make(chan job)
	doneCh := make(chan struct{}, len(jobs))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(len(jobs), 1))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for jb := range feed {
				f := p.docs[jb.doc].Files[jb.file]
				pt, err := prepareFile(wctx, s, f, p.paper, p.quality, keep)
				results[jb.doc][jb.file] = fileResult{part: pt, err: err}
				doneCh <- struct{}{}
			}
		}()
	}
	go func() {
		defer close(feed)
		for _, jb := range jobs {
			select {
			case feed <- jb:
			case <-wctx.Done():
				return
			}
		}
	}()
	// Progress is reported from this goroutine only, as the caller expects.
	for range jobs {
		select {
		case <-doneCh:
			prog.step(1)
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
	}
	cancel()
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, stopped(err)
	}

	var issues []Issue
	for i, pr := range out {
		if len(pr.doc.Files) == 0 {
			pr.issue = &Issue{DocumentID: pr.doc.ID, Title: pr.doc.Title, Problem: "This document has no pages. Add its file again, or leave it out."}
			issues = append(issues, *pr.issue)
			continue
		}
		for j, r := range results[i] {
			if r.err != nil {
				msg := records.Explain(r.err)
				if len(pr.doc.Files) > 1 {
					msg = fmt.Sprintf("Page %d of %d: %s", j+1, len(pr.doc.Files), msg)
				}
				pr.issue = &Issue{DocumentID: pr.doc.ID, Title: pr.doc.Title, Problem: msg}
				issues = append(issues, *pr.issue)
				break
			}
			if n := len(pr.parts); r.part.kind == partDICOM && n > 0 && pr.parts[n-1].kind == partDICOM {
				pr.parts[n-1].dicom = append(pr.parts[n-1].dicom, r.part.dicom...)
				continue
			}
			if r.part.kind == partDisc {
				// Not a page: the study's block in the Imaging section.
				pr.studies = studiesOf(p, pr.doc.ID)
				continue
			}
			pr.parts = append(pr.parts, r.part)
		}
		if pr.issue != nil {
			pr.parts = nil
			continue
		}
		for _, pt := range pr.parts {
			pr.removed.add(pt.rm)
		}
		// A document's band sits above its first page, as for photos,
		// unless that page would have to shrink too far to make room
		// (bandFits). The divider is also where the packet says what was
		// left out of a document, so a document that lost something has
		// one whatever comes first.
		pr.divider = len(pr.parts) > 0 && (pr.removed.Any() || pr.doc.Missing != "")
		if len(pr.parts) > 0 && pr.parts[0].kind == partPDF {
			w, h := pr.parts[0].size(0)
			if !bandFits(geometryFor(p.paper), w, h) {
				pr.divider = true
			}
		}
		if pr.divider {
			pr.pages = 1
		}
		for k := range pr.parts {
			pt := &pr.parts[k]
			if pt.kind == partDICOM {
				pt.pages = (len(pt.dicom) + dicomRows - 1) / dicomRows
			}
			pr.pages += pt.pages
		}
	}
	if keep {
		if err := loadKeyImages(ctx, s, p, prog); err != nil {
			return nil, nil, err
		}
	}
	return out, issues, nil
}

// prepareFile makes one stored file ready for the packet. Its errors are
// user sentences naming what is wrong, or a cancellation.
func prepareFile(ctx context.Context, s *records.Store, f records.File, paper records.Paper, q records.Quality, keep bool) (part, error) {
	if err := ctx.Err(); err != nil {
		return part{}, err
	}
	switch {
	case f.IsPDF():
		data, pages, sizes, rm, err := preparePDF(ctx, s, f)
		if err != nil {
			return part{}, err
		}
		if !keep {
			data = nil
		} else if q == qualityEmail {
			data = scansForEmail(ctx, data)
		}
		return part{kind: partPDF, file: f, pages: pages, pdf: data, rm: rm, sizes: sizes, text: ocrPages(ctx, s, f)}, nil
	case f.IsImage():
		if f.Pages > 1 {
			// Go's TIFF decoder reads only the first page; placing it
			// alone would silently drop the rest.
			return part{}, &records.Problem{Msg: fmt.Sprintf("%s holds %d pages in one picture file, and only the first can be placed in a packet. Save it as a PDF (or each page as a picture) and add that instead, or leave it out.", f.Name, f.Pages)}
		}
		if turn := f.Turn(1); turn != 0 {
			// The user's turn is folded into the EXIF orientation, so
			// every road (pass-through, libjpeg-turbo, the sandbox) turns
			// the picture once; printVersion keeps it under its own kind.
			f.Orientation = turnedOrientation(f.Orientation, turn)
		}
		jpg, w, h, err := printVersion(ctx, s, f, paper, q)
		if err != nil {
			return part{}, err
		}
		if !keep {
			jpg = nil
		}
		return part{kind: partImage, file: f, pages: 1, jpg: jpg, w: w, h: h, text: ocrPages(ctx, s, f)}, nil
	case f.IsDICOM():
		e := dicomEntry{name: f.Name, size: f.Size, frames: f.Pages, width: f.Width, height: f.Height}
		// What the file is (CT, MR...) is a courtesy: a DICOM file we
		// cannot parse is still listed, never refused.
		if info, err := inspectStored(ctx, s, f); err == nil {
			e.modality, e.description = info.Modality, info.Description
			e.patient, e.studyDate = info.PatientName, info.StudyDate
			e.accession, e.institution = info.Accession, info.Institution
			if info.Pages > 0 {
				e.frames = info.Pages
			}
		}
		if err := ctx.Err(); err != nil {
			return part{}, err
		}
		return part{kind: partDICOM, file: f, dicom: []dicomEntry{e}}, nil
	}
	return part{}, &records.Problem{Msg: fmt.Sprintf("%s is not a PDF, a picture or a DICOM file, so it cannot be placed in a packet. Leave it out, or add it again as PDF or JPEG.", f.Name)}
}

// inspectStored reads a stored file's facts again in the limited child
// process (sandbox), through a private temporary copy: the DICOM library
// can still misbehave on a file it accepted once (it also writes stray
// lines of its own), and it must not do so in the app's process.
func inspectStored(ctx context.Context, s *records.Store, f records.File) (media.Info, error) {
	dir, err := records.PrivateTemp("secondopinion-export-")
	if err != nil {
		return media.Info{}, err
	}
	defer os.RemoveAll(dir)
	r, err := s.OpenFile(ctx, f.ID)
	if err != nil {
		return media.Info{}, err
	}
	defer r.Close()
	path := filepath.Join(dir, "file")
	out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return media.Info{}, err
	}
	_, err = io.Copy(out, r)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return media.Info{}, err
	}
	return sandbox.Inspect(ctx, path, f.MediaType)
}

// preparePDF reads a stored PDF, makes it mergeable (media.PreparePDF:
// decrypted, PDF 2.0 declared as 1.7, rewritten by pdfcpu), takes out its
// active content and attachments (cleanPDF) and proves the merge works by
// merging it into a scratch document, because a PDF can read well and
// still fail when merged. It returns the bytes to merge and what cleaning
// took out.
func preparePDF(ctx context.Context, s *records.Store, f records.File) ([]byte, int, [][2]float64, Removed, error) {
	data, pages, err := readPrepared(ctx, s, f)
	if err != nil {
		return nil, 0, nil, Removed{}, err
	}
	var sizes [][2]float64
	data, rm, err := cleanPDF(data)
	if err == nil && f.Changed() {
		data, pages, err = applySettings(data, f)
	}
	if err == nil {
		sizes, err = trialMerge(ctx, data)
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, nil, Removed{}, ctx.Err()
		}
		return nil, 0, nil, Removed{}, damagedPDF(f, err)
	}
	return data, pages, sizes, rm, nil
}

// readPrepared reads a stored PDF through media.PreparePDF.
func readPrepared(ctx context.Context, s *records.Store, f records.File) ([]byte, int, error) {
	r, err := s.OpenFile(ctx, f.ID)
	if err != nil {
		return nil, 0, unreadable(f, err)
	}
	defer r.Close()
	var buf bytes.Buffer
	pages, err := media.PreparePDF(ctx, r, &buf)
	if err != nil {
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		if errors.Is(err, media.ErrPassword) {
			return nil, 0, &records.Problem{Msg: fmt.Sprintf("%s is locked with a password, so it cannot be merged. Open it, save a copy without the password, and add that copy instead, or leave it out.", f.Name), Err: err}
		}
		return nil, 0, damagedPDF(f, err)
	}
	return buf.Bytes(), pages, nil
}

func damagedPDF(f records.File, err error) error {
	return &records.Problem{Msg: fmt.Sprintf("The PDF %s is damaged and cannot be merged. Leave it out, or add a fresh copy.", f.Name), Err: err}
}

func unreadable(f records.File, err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &records.Problem{Msg: fmt.Sprintf("The stored copy of %s cannot be read back from the library. Leave it out, or add a fresh copy.", f.Name), Err: err}
}

// readAll reads a stored file whole (photos are a few megabytes).
func readAll(ctx context.Context, s *records.Store, f records.File) ([]byte, error) {
	r, err := s.OpenFile(ctx, f.ID)
	if err != nil {
		return nil, unreadable(f, err)
	}
	defer r.Close()
	data := make([]byte, r.Size())
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, unreadable(f, err)
	}
	return data, nil
}

package export

import (
	"fmt"
	"math"
	"slices"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
)

// Section titles, in packet order. The contents page, the bookmarks and the
// tests all use these.
const (
	secCover     = "Cover"
	secFront     = "Clinical front sheet"
	secContents  = "Contents"
	secSummary   = "Summary"
	secMeds      = "Medications"
	secQuestions = "Questions for the second doctor"
	secTimeline  = "Timeline"
	secDocuments = "Documents"
)

// The contents page is also the records index: one table lists every
// document with its date, kind, source, pages and the page it starts on.
var frontSections = []string{secCover, secFront, secContents, secSummary, secMeds, secQuestions}

// blankNote is printed on the backs left empty in a duplex packet, so
// nobody wonders whether a page is missing.
const blankNote = "This page is intentionally left blank"

// plan numbers every page of the packet before any is drawn. Document page
// counts are known once the documents are prepared, and the front matter
// is measured by drawing it once, so the contents page and every "Page X of
// Y" are right the first time.
//
// Every page of the packet is drawn by us (gofpdf): the front matter,
// dividers, pictures, DICOM lists, blank backs, and for each page of a
// merged PDF a sheet with its footer (and the document's band, on a first
// page) into which assemble then places the sender's page, scaled.
type plan struct {
	names    []string    // the front sections of this packet (packet.sections)
	sections []int       // first page of each of names
	docs     []*prepared // the documents that go in, in packet order
	start    []int       // first page of each of docs (its divider, or its band)
	total    int         // pages in the packet
	duplex   bool        // every document starts on an odd (right-hand) page
	blanks   []int       // packet pages left blank so that a document starts on an odd page
	merged   []int       // packet page of each merged PDF page, in merge order
	place    []placement // where each merged page sits on its sheet, in merge order
	pdfParts []*part     // the PDF parts, in merge order
	// own are each document's own bookmarks (from its PDFs), by packet
	// page; set by assemble as it merges them.
	own [][]pdfcpu.Bookmark
	// split, when the packet is written in parts for e-mail, says which
	// part (file) holds each of docs; nil for one file.
	split *split
	// spots are where each imaging study's block is in the Imaging
	// section (by study ID): the place of a document that is only
	// imaging studies (prepared.inImaging), which has no pages of its own.
	spots map[string]spot
}

// at is where a reader finds document i: its first page, or for a
// document of imaging studies only, its first study's block in the
// Imaging section (page 0 while the front matter is measured).
func (pl *plan) at(i int) spot {
	if i >= len(pl.docs) || i >= len(pl.start) {
		return spot{}
	}
	if pr := pl.docs[i]; pr.inImaging() {
		return pl.spots[pr.studies[0].ID]
	}
	return spot{page: pl.start[i]}
}

// firstPage is the first page of the documents part of the packet: the
// first page of the first document that has pages of its own (0 when
// every document is in the Imaging section).
func (pl *plan) firstPage() int {
	for i, pr := range pl.docs {
		if !pr.inImaging() && i < len(pl.start) {
			return pl.start[i]
		}
	}
	return 0
}

// where names the part holding document i ("part 2"), or "" for a packet
// in one file.
func (pl *plan) where(i int) string {
	if pl.split == nil || i >= len(pl.split.part) {
		return ""
	}
	return fmt.Sprintf("part %d", pl.split.part[i])
}

// placement is where a merged PDF page is put on its sheet: scaled, never
// enlarged, into the room above the footer (and below the document's band
// on a document's first page), centred across, at the top.
type placement struct {
	doc        int     // index in plan.docs
	band       bool    // the document's band is drawn above it
	land       bool    // the sheet is turned (landscape): the page is wider than tall
	x, y, w, h float64 // the page's box on the sheet, mm from the top left
	scale      float64 // the page's size on the sheet over its own size
}

const ptPerMM = 72 / 25.4

// minBandScale is the smallest scale at which a document's first page
// shares its sheet with the band; below it the band would shrink the
// page too far, and the document gets a divider page instead. An A4 page
// under the band on Letter paper is printed at 78%.
const minBandScale = 0.75

// placeOn works out the placement of a page seen as w x h points (its
// visible box, after its /Rotate) on the packet's paper.
func placeOn(g geometry, w, h float64, band bool) placement {
	pl := placement{band: band, land: w > h}
	sw, sh := g.w, g.h
	if pl.land {
		sw, sh = sh, sw
	}
	w, h = w/ptPerMM, h/ptPerMM
	if w <= 0 || h <= 0 || math.IsNaN(w) || math.IsNaN(h) {
		w, h = sw, sh
	}
	top := 0.0
	if band {
		top = g.top + g.bandH + 2
	}
	room := sh - top - g.footerBand()
	pl.scale = min(sw/w, room/h, 1)
	pl.w, pl.h = w*pl.scale, h*pl.scale
	pl.x, pl.y = (sw-pl.w)/2, top
	return pl
}

// bandFits reports whether a document whose first page is seen as w x h
// points can have its band above that page (see minBandScale).
func bandFits(g geometry, w, h float64) bool {
	return placeOn(g, w, h, true).scale >= minBandScale
}

func newPlan(p *packet, sections []int, front int, docs []*prepared) *plan {
	g := geometryFor(p.paper)
	pl := &plan{sections: sections, duplex: p.duplex}
	n := front
	for _, pr := range docs {
		if pr.issue != nil {
			continue
		}
		if pr.inImaging() {
			// No pages: start is where it would have begun, so that
			// end and the e-mail parts' ranges hold; at says where it is.
			pl.docs = append(pl.docs, pr)
			pl.start = append(pl.start, n+1)
			continue
		}
		if pl.duplex && n%2 == 1 {
			n++
			pl.blanks = append(pl.blanks, n)
		}
		di := len(pl.docs)
		pl.docs = append(pl.docs, pr)
		pl.start = append(pl.start, n+1)
		first := true
		if pr.divider {
			n++
			first = false
		}
		for k := range pr.parts {
			pt := &pr.parts[k]
			if pt.kind == partPDF {
				pl.pdfParts = append(pl.pdfParts, pt)
				for j := range pt.pages {
					n++
					pl.merged = append(pl.merged, n)
					w, h := pt.size(j)
					pc := placeOn(g, w, h, first)
					pc.doc = di
					pl.place = append(pl.place, pc)
					first = false
				}
				continue
			}
			n += pt.pages
			first = false
		}
	}
	pl.total = n
	return pl
}

// end is the last page of document i.
func (pl *plan) end(i int) int {
	if i+1 < len(pl.start) {
		end := pl.start[i+1] - 1
		if slices.Contains(pl.blanks, end) {
			end--
		}
		return end
	}
	return pl.total
}

// frontPages measures the front matter for Estimate by drawing it, with
// each document's pages taken from the library (no file is read): the
// contents table grows with the documents and the questions, and only
// drawing it says by how much.
func frontPages(p *packet) int {
	docs := make([]*prepared, len(p.docs))
	for i, doc := range p.docs {
		pr := &prepared{doc: doc}
		for _, f := range doc.Files {
			if p.studyFiles[f.ID] {
				continue // described in the Imaging section
			}
			pr.pages += max(len(f.Shown()), 1)
		}
		if len(doc.Files) > 0 {
			pr.studies = studiesOf(p, doc.ID)
		}
		docs[i] = pr
	}
	pl := &plan{names: p.sections, sections: make([]int, len(p.sections)), docs: docs}
	_, pages, _, _ := measureFront(p, pl) // an estimate: a drawing error only makes it rougher
	return pages
}

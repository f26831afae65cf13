package export

import "fmt"

// Section titles, in packet order. The contents page, the bookmarks and the
// tests all use these.
const (
	secCover     = "Cover"
	secFront     = "Clinical front sheet"
	secContents  = "Contents"
	secSummary   = "Summary"
	secMeds      = "Medications"
	secIndex     = "Records index"
	secQuestions = "Questions for the second doctor"
	secTimeline  = "Timeline"
	secDocuments = "Documents"
)

var frontSections = []string{secCover, secFront, secContents, secSummary, secMeds, secIndex, secQuestions}

// plan numbers every page of the packet before any is drawn. Document page
// counts are known once the documents are prepared, and the front matter
// is measured by drawing it once, so the contents page, the index and every
// "Page X of Y" are right the first time.
type plan struct {
	names    []string    // the front sections of this packet (packet.sections)
	sections []int       // first page of each of names
	docs     []*prepared // the documents that go in, in packet order
	start    []int       // first page of each of docs
	total    int         // pages in the packet
	ours     []int       // packet page of each page we draw, in drawing order
	merged   []int       // packet page of each merged PDF page, in merge order
	pdfParts []*part     // the PDF parts, in merge order
	order    []int       // order[i]: position of packet page i+1 after merging
	// split, when the packet is written in parts for e-mail, says which
	// part (file) holds each of docs; nil for one file.
	split *split
}

// where names the part holding document i ("part 2"), or "" for a packet
// in one file.
func (pl *plan) where(i int) string {
	if pl.split == nil || i >= len(pl.split.part) {
		return ""
	}
	return fmt.Sprintf("part %d", pl.split.part[i])
}

func newPlan(sections []int, front int, docs []*prepared) *plan {
	pl := &plan{sections: sections}
	n := 0
	for n < front {
		n++
		pl.ours = append(pl.ours, n)
	}
	for _, pr := range docs {
		if pr.issue != nil {
			continue
		}
		pl.docs = append(pl.docs, pr)
		pl.start = append(pl.start, n+1)
		if pr.divider {
			n++
			pl.ours = append(pl.ours, n)
		}
		for k := range pr.parts {
			pt := &pr.parts[k]
			switch pt.kind {
			case partPDF:
				pl.pdfParts = append(pl.pdfParts, pt)
				for range pt.pages {
					n++
					pl.merged = append(pl.merged, n)
				}
			default:
				for range pt.pages {
					n++
					pl.ours = append(pl.ours, n)
				}
			}
		}
	}
	pl.total = n
	pos := make([]int, n+1)
	for i, pg := range pl.ours {
		pos[pg] = i + 1
	}
	for j, pg := range pl.merged {
		pos[pg] = len(pl.ours) + j + 1
	}
	pl.order = pos[1:]
	return pl
}

// end is the last page of document i.
func (pl *plan) end(i int) int {
	if i+1 < len(pl.start) {
		return pl.start[i+1] - 1
	}
	return pl.total
}

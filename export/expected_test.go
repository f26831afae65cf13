package export_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"secondopinion/export"
	"secondopinion/records/sample"
)

// The sample case lacks its pathology report and has asked for it: the
// contents page must say it is not available (and that it was requested),
// list what is enclosed by document number, and the timeline the case asks
// for must be a section with its own bookmark.
func TestPacketSaysWhatIsMissing(t *testing.T) {
	needTools(t, "qpdf", "pdftotext", "pdfinfo")
	ctx := context.Background()
	s, _ := newStore(t)
	p, err := sample.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := s.Cases(ctx, p.ID)
	if err != nil || len(cases) != 1 {
		t.Fatalf("Cases = %d, %v, want 1", len(cases), err)
	}
	out := filepath.Join(t.TempDir(), "packet.pdf")
	opt := export.Options{PersonID: p.ID, CaseID: cases[0].ID, Now: fixedNow}
	res, err := export.WritePacket(ctx, s, out, opt)
	if err != nil {
		t.Fatal(err)
	}
	// The Packet screen's estimate counts the timeline section too.
	if est, _, err := export.Estimate(ctx, s, opt); err != nil || est != res.Pages {
		t.Errorf("Estimate = %d pages, %v; the packet has %d", est, err, res.Pages)
	}
	qpdfCheck(t, out)
	// Every page of the sample person's packet says it is made up. (Our own
	// pages; the footer is stamped on every page, merged ones too.)
	for page := 1; page <= res.Pages; page++ {
		if text := pdfText(t, out, page, page); !strings.Contains(text, "SAMPLE - not a real patient") {
			t.Errorf("page %d of the sample packet does not say it is a sample", page)
		}
	}
	// The sample's dates follow the day it was made: find pages by their
	// headings and dates from the library.
	page := func(heading string) int {
		for i := 1; i <= res.Pages; i++ {
			if strings.HasPrefix(strings.Join(strings.Fields(pdfText(t, out, i, i)), " "), heading) {
				return i
			}
		}
		t.Fatalf("no page starts with %q", heading)
		return 0
	}
	var asked string
	for _, r := range cases[0].Requests {
		if strings.Contains(r.From, "Cellular Pathology") {
			asked = r.RequestedOn.Short()
		}
	}
	timelinePage := page("Timeline Date")
	contents := strings.Join(strings.Fields(pdfText(t, out, page("Contents"), page("Contents"))), " ")
	for _, want := range []string{
		"What is enclosed, and what is not",
		"Pathology / histopathology report Not available in this packet (requested " + asked,
		"Referral letter Enclosed: document 1",
		"Operative report Not applicable: No operation yet",
		fmt.Sprintf("Timeline %d", timelinePage),
	} {
		if !strings.Contains(contents, want) {
			t.Errorf("contents page lacks %q; it reads:\n%s", want, contents)
		}
	}
	if titles := outlineTitles(t, out); !slices.Contains(titles, "Timeline") {
		t.Errorf("bookmarks = %q, want a Timeline section", titles)
	}
	timeline := pdfText(t, out, timelinePage, timelinePage+1)
	if !strings.Contains(timeline, "Stopped Letrozole") || !strings.Contains(timeline, "Second opinion") {
		t.Errorf("timeline page lacks the medicine stop or the second opinion:\n%s", timeline)
	}
	// A one-page letter is one page in the index, although a divider
	// page introduces it in the packet.
	index := strings.Join(strings.Fields(pdfText(t, out, page("Records index"), page("Records index"))), " ")
	mammo := regexp.MustCompile(`2\. Mammogram and ultrasound report · [0-9]{1,2} [A-Z][a-z]{2} [0-9]{4} ([0-9]+)`).FindStringSubmatch(contents)
	if mammo == nil {
		t.Fatalf("contents lists no mammogram report:\n%s", contents)
	}
	if !strings.Contains(index, "Mammogram and Northgate 1 "+mammo[1]) {
		t.Errorf("records index row for the one-page mammogram report is wrong:\n%s", index)
	}
}

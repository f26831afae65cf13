package export_test

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
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
	// The contents (with the records index) take two pages.
	contents := strings.Join(strings.Fields(pdfText(t, out, page("Contents"), page("Contents")+1)), " ")
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
	// A one-page letter is one page in the index, and one page in the
	// packet: its band sits on its own page, with no divider before it.
	mammo := regexp.MustCompile(`Mammogram and ultrasound report Northgate General 1 ([0-9]+)`).FindStringSubmatch(contents)
	if mammo == nil {
		t.Fatalf("records index row for the one-page mammogram report is wrong:\n%s", contents)
	}
	at, _ := strconv.Atoi(mammo[1])
	if text := pdfText(t, out, at, at); !strings.Contains(text, "Document 2 of 6") || !strings.Contains(text, "Breast Imaging Report") {
		t.Errorf("page %d lacks the band of document 2 over the mammogram report's own page:\n%s", at, text)
	}
	if text := pdfText(t, out, at+1, at+1); !strings.Contains(text, "Document 3 of 6") {
		t.Errorf("the one-page mammogram report takes more than page %d; page %d reads:\n%s", at, at+1, text)
	}
}

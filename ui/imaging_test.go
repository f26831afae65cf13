package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/dicom/dicomtest"
)

// corpusDisc is the shared corpus's imaging CD tree, or a skip.
func corpusDisc(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		c := filepath.Join(dir, "shared", "corpus", "dicom", "dicomdir-pcir")
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/corpus not found above the package directory")
		}
		dir = parent
	}
}

// addCorpusDisc adds the corpus disc as a user would: the disc holds
// several patients, so the app asks whose images to add; then, as none is
// the person, whether to add another patient's images anyway.
func addCorpusDisc(t *testing.T, a *App) *imagingScreen {
	t.Helper()
	a.show(secDocuments)
	s := a.documents.imaging
	s.importDisc(corpusDisc(t), records.ImportDiscOptions{})
	top := a.win.Canvas().Overlays().Top()
	if text := dialogText(t, top); !strings.Contains(text, "This disc holds images of") || s.choose == nil || len(s.choose.Options) < 2 {
		t.Fatalf("a disc of several patients asked %q, want a choice of patients", text)
	}
	tapButton(t, top, "Add these images")
	if !strings.Contains(dialogText(t, a.win.Canvas().Overlays().Top()), "Choose one patient first.") {
		t.Error("Add with no patient chosen did not say to choose one")
	}
	s.choose.SetSelected(s.choose.Options[0])
	tapButton(t, top, "Add these images")
	top = a.win.Canvas().Overlays().Top()
	if text := dialogText(t, top); !strings.Contains(text, "This disc is for") || !strings.Contains(text, "you are adding it for Helen Marsh") {
		t.Fatalf("another patient's disc asked %q, want the different-patient question", text)
	}
	if studies, _ := a.store.Studies(a.ctx, a.person.ID); len(studies) != 0 {
		t.Fatalf("%d studies were added before the user answered", len(studies))
	}
	tapButton(t, top, "Add it anyway")
	top = a.win.Canvas().Overlays().Top()
	if text := dialogText(t, top); !strings.Contains(text, "Added 1 imaging study with") && !strings.Contains(text, "imaging studies with") {
		t.Fatalf("after the import the app said %q, want what was added", text)
	}
	tapButton(t, top, "OK")
	return s
}

// TestImagingDisc: a disc is added from the Documents screen; its study
// shows with a thumbnail for each series that has a picture, a tap opens
// the larger view with the series, slice and window; the disc's document
// points to the Imaging tab rather than listing its files.
func TestImagingDisc(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	s := addCorpusDisc(t, a)
	if s.report == nil || s.report.Images == 0 {
		t.Fatalf("the import report = %+v, want images", s.report)
	}
	if len(s.studies) == 0 {
		t.Fatal("the Imaging tab shows no study after the import")
	}
	if !strings.Contains(s.count.Text, "imaging stud") {
		t.Errorf("the Imaging tab says %q", s.count.Text)
	}
	previews := 0
	var first records.Series
	var firstStudy records.Study
	for _, st := range s.studies {
		for _, se := range st.Series {
			if se.NoPreview != "" {
				if !s.tiles[se.ID].Disabled() {
					t.Errorf("%s has no preview (%s) but can be tapped", seriesTitle(se), se.NoPreview)
				}
				continue
			}
			if previews == 0 {
				first, firstStudy = se, st
			}
			previews++
			if s.thumbs[se.ID] == nil {
				t.Errorf("%s has no thumbnail", seriesTitle(se))
			}
		}
	}
	if previews == 0 {
		t.Fatal("no series of the disc has a preview")
	}
	test.Tap(s.tiles[first.ID])
	if s.viewer == nil || s.viewerImage.Resource == nil {
		t.Fatal("tapping a series did not show its key image")
	}
	if got := s.viewerLabel.Text; !strings.HasPrefix(got, seriesTitle(first)) || !strings.Contains(got, "slice ") {
		t.Errorf("the larger view is labelled %q, want the series and slice", got)
	}
	if !strings.Contains(dialogText(t, a.win.Canvas().Overlays().Top()), studyTitle(firstStudy)) {
		t.Error("the larger view does not name the study")
	}
	a.closeDialog(s.viewer)

	// The disc's document: a sentence and a way to the Imaging tab.
	a.documents.tabs.SelectIndex(0)
	a.documents.selectDoc(firstStudy.DocumentID)
	show := findButton(t, a.documents.pages, "Show the imaging")
	if show == nil {
		t.Fatalf("the disc's document shows its files one by one: %q", dialogText(t, a.documents.pages))
	}
	test.Tap(show)
	if a.documents.tabs.SelectedIndex() != 1 {
		t.Error("Show the imaging did not open the Imaging tab")
	}
}

// TestImagingFitsLargeText: with a disc's study shown, the Documents
// screen fits a 1024 x 700 window at 150% text, and so does the larger view.
func TestImagingFitsLargeText(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	s := addCorpusDisc(t, a)
	a.fyne.Settings().SetTheme(readableTheme{scale: 1.5})
	a.win.Resize(fyne.NewSize(1024, 700))
	a.documents.tabs.SelectIndex(1)
	a.show(secDocuments)
	a.win.Resize(fyne.NewSize(1024, 700))
	fit := a.fitted[secDocuments]
	if need, have := fit.Content.MinSize().Width, fit.Size().Width; need > have+0.5 {
		t.Errorf("the Imaging tab needs %.0f px across but has %.0f: it scrolls sideways", need, have)
	}
	if need, have := fit.Content.MinSize().Height, fit.Size().Height; need > have+0.5 {
		t.Errorf("the Imaging tab needs %.0f px down but has %.0f", need, have)
	}
	for _, st := range s.studies {
		for _, se := range st.Series {
			if se.NoPreview == "" {
				s.openViewer(st, se)
				win := a.win.Canvas().Size()
				if min := s.viewer.MinSize(); min.Width > win.Width || min.Height > win.Height {
					t.Errorf("the larger view needs %v in a window of %v", min, win)
				}
				return
			}
		}
	}
}

// TestImagingBadDisc: a folder with no DICOM in it is said in a sentence
// and nothing is added.
func TestImagingBadDisc(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	a.show(secDocuments)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "readme.txt"), []byte("not a scan"), 0o600); err != nil {
		t.Fatal(err)
	}
	a.documents.imaging.importDisc(dir, records.ImportDiscOptions{})
	text := dialogText(t, a.win.Canvas().Overlays().Top())
	if !strings.Contains(text, "Something needs your attention") && !strings.Contains(strings.ToLower(text), "dicom") {
		t.Errorf("a folder without DICOM said %q", text)
	}
	if strings.Contains(text, "records:") {
		t.Errorf("the sentence shows an internal error: %q", text)
	}
	if studies, _ := a.store.Studies(a.ctx, a.person.ID); len(studies) != 0 {
		t.Errorf("%d studies after a folder without DICOM", len(studies))
	}
	if n, _ := a.store.CountDocuments(a.ctx, records.DocumentFilter{PersonID: a.person.ID}); n != 0 {
		t.Errorf("%d documents after a folder without DICOM", n)
	}
}

// TestExportWithOriginals: Export packet with originals... asks zip or
// folder, and the folder it writes holds the packet, the DICOM files under
// a DICOMDIR and README.txt; the Packet screen says what it wrote.
func TestExportWithOriginals(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	addCorpusDisc(t, a)
	a.show(secPacket)
	s := a.packet
	test.Tap(s.originalsBtn)
	if s.originalsAs == nil || s.originalsAs.Selected != originalsZip {
		t.Fatal("Export packet with originals... did not offer a .zip first")
	}
	a.closeDialog(s.originalsDlg)
	out := filepath.Join(t.TempDir(), "for the clinic")
	s.originalsTo(out)
	if !strings.Contains(s.result.Text, "Saved for the clinic") || !strings.Contains(s.result.Text, "in DICOM with a DICOMDIR") {
		t.Fatalf("after the export the Packet screen says %q", s.result.Text)
	}
	for _, name := range []string{export.PacketName, "DICOMDIR", "README.txt", "index.html", "DICOM"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Errorf("the enclosure lacks %s: %v", name, err)
		}
	}
	if s.lastPath != filepath.Join(out, export.PacketName) {
		t.Errorf("Open packet would open %q", s.lastPath)
	}
}

// TestDiscChooser: the disc chooser lists folders and .zip files only;
// "Use this folder" chooses the folder shown, a tap on a .zip chooses it.
func TestDiscChooser(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	dir := t.TempDir()
	for _, name := range []string{"scan.zip", "letter.pdf", "IM000001"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "DICOM"), 0o700); err != nil {
		t.Fatal(err)
	}
	var chosen []string
	c := a.chooseDisc(func(p string) { chosen = append(chosen, p) })
	c.open(dir)
	var names []string
	for _, e := range c.entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, ",") != "DICOM,scan.zip" {
		t.Errorf("the disc chooser lists %v, want the folder and the .zip only", names)
	}
	if c.confirm.Disabled() || c.confirm.Text != "Use this folder" {
		t.Errorf("the chooser's button is %q (disabled %v)", c.confirm.Text, c.confirm.Disabled())
	}
	test.Tap(c.confirm)
	if len(chosen) != 1 || chosen[0] != dir {
		t.Errorf("Use this folder chose %v, want %s", chosen, dir)
	}
	c = a.chooseDisc(func(p string) { chosen = append(chosen, p) })
	c.open(dir)
	c.pickDisc(filepath.Join(dir, "scan.zip"))
	if len(chosen) != 2 || chosen[1] != filepath.Join(dir, "scan.zip") {
		t.Errorf("tapping the .zip chose %v", chosen)
	}
}

// TestImagingImportCancelled: an import stopped before it ends adds
// nothing and says so.
func TestImagingImportCancelled(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	a.show(secDocuments)
	ctx, cancel := context.WithCancel(a.ctx)
	cancel()
	a.ctx = ctx
	a.documents.imaging.importDisc(corpusDisc(t), records.ImportDiscOptions{Patient: "x", DifferentPatientOK: true})
	a.ctx = context.Background()
	if text := dialogText(t, a.win.Canvas().Overlays().Top()); !strings.Contains(text, "nothing was changed") {
		t.Errorf("a cancelled import said %q", text)
	}
	if studies, _ := a.store.Studies(a.ctx, a.person.ID); len(studies) != 0 {
		t.Errorf("%d studies after a cancelled import", len(studies))
	}
}

// TestFindFromImagingTab: Ctrl+F from the Imaging tab goes back to the
// Documents tab, whose search box takes the typing.
func TestFindFromImagingTab(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	a.show(secDocuments)
	a.documents.tabs.SelectIndex(1)
	a.onFind()
	if a.documents.tabs.SelectedIndex() != 0 || a.win.Canvas().Focused() != a.documents.search {
		t.Errorf("Ctrl+F from the Imaging tab: tab %d, focus %v", a.documents.tabs.SelectedIndex(), a.win.Canvas().Focused())
	}
}

// TestDropDisc: a folder dropped on the window is read as an imaging disc
// (the corpus disc asks whose images to add), not added as a file.
func TestDropDisc(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	a.onDropped([]fyne.URI{storage.NewFileURI(corpusDisc(t))})
	if a.documents.tabs.SelectedIndex() != 1 {
		t.Error("a dropped folder did not open the Imaging tab")
	}
	if text := dialogText(t, a.win.Canvas().Overlays().Top()); !strings.Contains(text, "This disc holds images of") {
		t.Errorf("a dropped disc asked %q, want whose images to add", text)
	}
	if a.documents.addDialog != nil {
		t.Error("a dropped folder opened the Add documents window")
	}
}

// TestDiscSummary: what the app says after a disc is added, including a
// disc of reports only (no study is made of it).
func TestDiscSummary(t *testing.T) {
	tests := []struct {
		name string
		rep  records.DiscReport
		want string
	}{
		{"images", records.DiscReport{Studies: 2, Series: 4, Images: 7}, "Added 2 imaging studies with 7 images in 4 series."},
		{"images and a report", records.DiscReport{Studies: 1, Series: 1, Images: 2, Reports: 1},
			"Added 1 imaging study with 2 images in 1 series. 1 report on the disc became 1 document of their own."},
		{"a report only", records.DiscReport{Reports: 1}, "Added 1 report as a document of its own (the disc held no images)."},
		{"two reports only", records.DiscReport{Reports: 2}, "Added 2 reports as documents of their own (the disc held no images)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := discSummary(tt.rep); got != tt.want {
				t.Errorf("discSummary(%+v) = %q, want %q", tt.rep, got, tt.want)
			}
		})
	}
}

// TestImagingDiscProgress: adding a disc of a few hundred files says how
// many of its files have been read, up to all of them, then how much of it
// has been stored.
func TestImagingDiscProgress(t *testing.T) {
	a := withPerson(t, "Helen Marsh")
	a.show(secDocuments)
	dir := filepath.Join(t.TempDir(), "DICOM")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 300; i++ {
		im := dicomtest.CT(8, 8, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("IM%04d", i)), im.Bytes(), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s := a.documents.imaging
	var said []string
	s.onStatus = func(text string) { said = append(said, text) }
	s.importDisc(filepath.Dir(dir), records.ImportDiscOptions{})
	if text := dialogText(t, a.win.Canvas().Overlays().Top()); !strings.Contains(text, "Added 1 imaging study with") {
		t.Fatalf("after the import the app said %q, want what was added", text)
	}
	reading, storing := 0, 0
	for _, text := range said {
		switch {
		case strings.HasPrefix(text, "Reading the disc: "):
			if storing > 0 {
				t.Errorf("the dialog said %q after storing began", text)
			}
			reading++
		case strings.HasPrefix(text, "Storing: "):
			storing++
		default:
			t.Errorf("the dialog said %q, want reading or storing", text)
		}
	}
	if reading < 10 || storing == 0 || said[0] != "Reading the disc: 0 of 300 files" || !slices.Contains(said, "Reading the disc: 300 of 300 files") {
		t.Fatalf("the dialog said %q, want reading from 0 of 300 files up to 300, then storing", said)
	}
	if m := regexp.MustCompile(`^Storing: (.+) of (.+)$`).FindStringSubmatch(said[len(said)-1]); m == nil || m[1] != m[2] {
		t.Errorf("the dialog last said %q, want all of it stored", said[len(said)-1])
	}
}

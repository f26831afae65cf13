package ui

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/sample"
)

// TestBusyLibraryKeepsTyping: while another Second Opinion window or
// command holds the library's write lock, what the user types is kept in
// the form, the header says "Saving…" (no error dialog), and it is saved
// as soon as the library is free.
func TestBusyLibraryKeepsTyping(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "library.sqlite")
	s, err := records.OpenWith(ctx, path, records.OpenOptions{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	a := testAppOn(t, s)
	test.Type(a.welcome.form.name, "Ann Example")
	test.Tap(a.welcome.start)
	a.show(secCase)
	a.delay, a.retryWait = time.Hour, time.Hour // the test runs each save and retry itself

	// Another process writing: a second connection holds the write lock.
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}

	cs := a.caseScreen
	test.Type(cs.decision, "Surgery now or after chemotherapy")
	cs.saver.flush()
	if !a.saving.Visible() {
		t.Error("saving while the library is busy: the header does not say Saving…")
	}
	if top := a.win.Canvas().Overlays().Top(); top != nil {
		t.Error("saving while the library is busy opened a dialog; want the quiet Saving… only")
	}
	if cs.decision.Text != "Surgery now or after chemotherapy" {
		t.Errorf("the typed text changed while waiting: %q", cs.decision.Text)
	}
	// Typing goes on while it waits; the retry saves the latest text.
	test.Type(cs.decision, " - which?")

	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	cs.saver.flush() // the retry, which the app runs a moment later by itself
	c, err := s.Case(ctx, a.kase.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Surgery now or after chemotherapy - which?"; c.Decision != want {
		t.Errorf("stored decision after the library was free = %q, want %q", c.Decision, want)
	}
	if a.saving.Visible() {
		t.Error("Saving… still shown after the save went through")
	}
}

// TestSaveAsNeverEmptiesTheLibrary: choosing the library itself (or any
// file that is not a PDF) as the packet's name in the Save as form says so
// under the form and leaves the file as it was; a new name is used; an
// existing PDF is replaced only after asking.
func TestSaveAsNeverEmptiesTheLibrary(t *testing.T) {
	a := withPerson(t, "Ann Example")
	lib := a.store.Path()
	before, err := os.ReadFile(lib)
	if err != nil {
		t.Fatal(err)
	}
	var chosen []string
	check := func(path string) error { return export.CheckTarget(a.store, path) }
	sa := a.askSavePath("packet.pdf", ".pdf", check, func(path string) { chosen = append(chosen, path) })
	sa.setDir(filepath.Dir(lib))
	// A file that is not a PDF, whatever its name says, is refused.
	notes := filepath.Join(filepath.Dir(lib), "notes.pdf")
	os.WriteFile(notes, []byte("my notes"), 0o600)
	sa.name.SetText("notes.pdf")
	sa.save()
	if !sa.problem.Visible() || !strings.Contains(sa.problem.Text, "not a PDF") {
		t.Errorf("Save as notes.pdf (not a PDF): problem %q (shown %v), want a sentence saying it is not a PDF", sa.problem.Text, sa.problem.Visible())
	}
	if got, _ := os.ReadFile(notes); string(got) != "my notes" {
		t.Error("Save as changed a file that is not a PDF")
	}
	if len(chosen) != 0 {
		t.Fatalf("Save as went on with %q, want it refused", chosen)
	}
	// The library's own name gets .pdf: it is never the library.
	sa.name.SetText(filepath.Base(lib))
	sa.save()
	if len(chosen) != 1 || chosen[0] == lib {
		t.Errorf("Save as %s chose %q, want a new .pdf name", filepath.Base(lib), chosen)
	}
	if after, _ := os.ReadFile(lib); !bytes.Equal(after, before) {
		t.Error("Save as changed the library")
	}
	chosen = nil
	sa.name.SetText("my packet")
	sa.save()
	if want := filepath.Join(filepath.Dir(lib), "my packet.pdf"); len(chosen) != 1 || chosen[0] != want {
		t.Errorf("Save as 'my packet' chose %q, want %q", chosen, want)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(lib), "my packet.pdf")); !os.IsNotExist(err) {
		t.Error("Save as created the file before the export; it must only choose the name")
	}
}

// TestOneBadFileDoesNotSinkABatch: two good photos and an empty file chosen
// as one document add the two photos as its pages, say which page was left
// out and why, and a fixed file can be added to that document later.
func TestOneBadFileDoesNotSinkABatch(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	empty := filepath.Join(dir, "page3.jpg")
	os.WriteFile(empty, nil, 0o600)
	s := a.documents
	a.show(secDocuments)
	s.addPaths([]string{writePNG(t, dir, "page1.png", 1), writePNG(t, dir, "page2.png", 2), empty})
	s.grouping.SetSelected(s.grouping.Options[0]) // one document with 3 pages
	s.onConfirmAdd()
	docs, err := a.store.Documents(a.ctx, records.DocumentFilter{PersonID: a.person.ID})
	if err != nil || len(docs) != 1 || docs[0].Pages != 2 {
		t.Fatalf("after adding 2 good files and an empty one: %d documents (%+v), %v; want one of 2 pages", len(docs), docs, err)
	}
	top := a.win.Canvas().Overlays().Top()
	if top == nil || !strings.Contains(dialogText(t, top), "Page 3") || !strings.Contains(dialogText(t, top), "empty") {
		t.Errorf("no notice names the left-out page and why: %q", dialogText(t, top))
	}
	a.escape()
	// The fixed file goes into the same document.
	s.addGroups([][]string{{writePNG(t, dir, "page3-again.png", 3)}}, records.KindOther, docs[0].ID, nil, records.AddOptions{})
	d, err := a.store.Document(a.ctx, docs[0].ID)
	if err != nil || len(d.Files) != 3 || d.Files[2].Name != "page3-again.png" {
		t.Errorf("after Add pages: %d files, %v; want the fixed file as page 3", len(d.Files), err)
	}
}

// TestSameFileTwiceAsks: adding a file already in the library asks first,
// naming the document that has it; "Add again" adds it.
func TestSameFileTwiceAsks(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	photo := writePNG(t, dir, "letter.png", 7)
	s := a.documents
	a.show(secDocuments)
	s.addGroups([][]string{{photo}}, records.KindClinicLetter, "", nil, records.AddOptions{})
	s.addGroups([][]string{{photo}}, records.KindClinicLetter, "", nil, records.AddOptions{})
	if n, _ := a.store.CountDocuments(a.ctx, records.DocumentFilter{PersonID: a.person.ID}); n != 1 {
		t.Fatalf("the same file added twice made %d documents before the user answered, want 1", n)
	}
	top := a.win.Canvas().Overlays().Top()
	text := dialogText(t, top)
	if !strings.Contains(text, "already in the library as 'letter'") || !strings.Contains(text, "Add it again anyway?") {
		t.Fatalf("the question = %q, want it to name the document and ask", text)
	}
	tapButton(t, top, "Add again")
	if n, _ := a.store.CountDocuments(a.ctx, records.DocumentFilter{PersonID: a.person.ID}); n != 2 {
		t.Errorf("after Add again: %d documents, want 2", n)
	}
}

// dialogText is every label's text in an overlay (a dialog), joined.
func dialogText(t *testing.T, o fyne.CanvasObject) string {
	if o == nil {
		return ""
	}
	var b strings.Builder
	walk(t, o, func(c fyne.CanvasObject) {
		if l, ok := c.(*widget.Label); ok {
			b.WriteString(l.Text + "\n")
		}
	})
	return b.String()
}

// findButton returns the last button inside o whose label starts with
// prefix, or nil.
func findButton(t *testing.T, o fyne.CanvasObject, prefix string) *widget.Button {
	var found *widget.Button
	walk(t, o, func(c fyne.CanvasObject) {
		if b, ok := c.(*widget.Button); ok && strings.HasPrefix(b.Text, prefix) {
			found = b
		}
	})
	return found
}

// tapButton taps the button labelled text in an overlay.
func tapButton(t *testing.T, o fyne.CanvasObject, text string) {
	t.Helper()
	found := findButton(t, o, text)
	if found == nil || found.Text != text {
		t.Fatalf("no %q button in the dialog", text)
	}
	test.Tap(found)
}

// walk visits o and everything inside it, through containers and widgets'
// renderers.
func walk(t *testing.T, o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	fn(o)
	switch c := o.(type) {
	case *fyne.Container:
		for _, x := range c.Objects {
			walk(t, x, fn)
		}
	case fyne.Widget:
		if _, ok := c.(*widget.Label); ok {
			return
		}
		for _, x := range test.TempWidgetRenderer(t, c).Objects() {
			walk(t, x, fn)
		}
	}
}

// TestShortcutsFromAnyField: with the cursor in a one-line field, a
// multi-line field or a field with suggestions, Ctrl+F, Ctrl+N and Ctrl+E
// do what they do elsewhere and never change the field's text (before,
// Ctrl+F did nothing and the search words went into the field).
func TestShortcutsFromAnyField(t *testing.T) {
	a := withPerson(t, "Ann Example")
	ctrl := fyne.KeyModifierShortcutDefault
	fields := map[string]func() fyne.Focusable{
		"one-line field (appointment place)": func() fyne.Focusable { a.show(secCase); return a.caseScreen.apptPlace },
		"multi-line field (diagnosis)":       func() fyne.Focusable { a.show(secCase); return a.caseScreen.diagnosis },
		"field with suggestions (category)": func() fyne.Focusable {
			a.show(secQuestions)
			if len(a.questions.questions) == 0 {
				a.questions.newText.SetText("Is surgery the only option?")
				a.questions.onAdd()
			}
			a.questions.selectQuestion(0)
			return a.questions.category
		},
	}
	keys := []struct {
		key   fyne.KeyName
		check func() bool
		want  string
	}{
		{fyne.KeyF, func() bool {
			return a.current == secDocuments && a.win.Canvas().Focused() == fyne.Focusable(a.documents.search)
		}, "the Documents screen with the search box focused"},
		{fyne.KeyN, func() bool { return a.current == secDocuments && a.documents.chooser != nil }, "the file chooser"},
		{fyne.KeyE, func() bool { return a.current == secPacket }, "the Packet screen"},
	}
	for name, field := range fields {
		for _, k := range keys {
			t.Run(name+" Ctrl+"+string(k.key), func(t *testing.T) {
				for a.win.Canvas().Overlays().Top() != nil {
					a.escape()
				}
				a.documents.chooser = nil
				f := field()
				a.win.Canvas().Focus(f)
				test.Type(f.(fyne.Focusable), "ward 7")
				before := fieldText(f)
				sc, ok := a.win.Canvas().Focused().(fyne.Shortcutable)
				if !ok {
					t.Fatalf("the focused field takes no shortcuts")
				}
				sc.TypedShortcut(&desktop.CustomShortcut{KeyName: k.key, Modifier: ctrl})
				if !k.check() {
					t.Errorf("Ctrl+%s in the %s: screen %q, want %s", k.key, name, a.current, k.want)
				}
				if after := fieldText(f); after != before {
					t.Errorf("Ctrl+%s changed the field's text from %q to %q", k.key, before, after)
				}
			})
		}
	}
}

func fieldText(f fyne.Focusable) string {
	switch e := f.(type) {
	case *formEntry:
		return e.Text
	case *formSelectEntry:
		return e.Text
	}
	return ""
}

// TestSaveAttachment: a file attached inside a patient's PDF (left out of
// the packet) is offered on the document's page list and saved where the
// user chooses.
func TestSaveAttachment(t *testing.T) {
	src := filepath.Join(repoRoot(t), "..", "shared", "corpus", "pdf", "with-embedded-file.pdf")
	if _, err := os.Stat(src); err != nil {
		t.Skip("the shared corpus is not on this machine")
	}
	a := withPerson(t, "Ann Example")
	d := records.Document{PersonID: a.person.ID, Kind: records.KindResults}
	if err := a.store.AddDocument(a.ctx, &d, []string{src}, records.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	a.show(secDocuments)
	s := a.documents
	s.selectDoc(d.ID)
	offered := findButton(t, s.pages, "Save attachment: ")
	if offered == nil {
		t.Fatal("no Save attachment button on the document's pages")
	}
	name := strings.TrimSuffix(strings.TrimPrefix(offered.Text, "Save attachment: "), "...")
	sa := s.saveAttachment(d.Files[0], name)
	dir := t.TempDir()
	sa.setDir(dir)
	sa.save()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil || len(data) == 0 {
		t.Fatalf("the saved attachment %s: %d bytes, %v", name, len(data), err)
	}
}

// TestDatesAsPeopleWriteThem: the app takes dates and times the way it
// shows them and people write them.
func TestDatesAsPeopleWriteThem(t *testing.T) {
	defer func(v bool) { records.DayFirst = v }(records.DayFirst)
	records.DayFirst = true
	a := withPerson(t, "Ann Example")
	a.show(secCase)
	cs := a.caseScreen
	cs.apptDate.SetText("23 April 2027")
	cs.apptTime.SetText("2.30pm")
	c, err := a.store.Case(a.ctx, a.kase.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Appointment.Local().Format("2006-01-02 15:04"); got != "2027-04-23 14:30" || cs.problem.Visible() {
		t.Errorf("appointment typed as 23 April 2027, 2.30pm = %s (problem %q), want 2027-04-23 14:30", got, cs.problem.Text)
	}
	d := addLetter(t, a)
	a.show(secDocuments)
	s := a.documents
	s.selectDoc(d.ID)
	for in, want := range map[string]string{"March 2024": "2024-03", "23/04/1941": "1941-04-23", "Mar 2024": "2024-03", "03/2024": "2024-03"} {
		s.date.SetText(in)
		s.detailSaver.flush()
		got, _ := a.store.Document(a.ctx, d.ID)
		if got.Date.String() != want {
			t.Errorf("document date typed as %q = %q, want %q", in, got.Date.String(), want)
		}
	}
}

// TestRemoveAllergyUndo: removing an allergy (once instant, silent and
// final, with the status falling back to "not recorded") shows a notice
// with Undo; Undo puts the allergy and its status back.
func TestRemoveAllergyUndo(t *testing.T) {
	a := withPerson(t, "Ann Example")
	al := records.Allergy{PersonID: a.person.ID, Substance: "penicillin", Reaction: "rash"}
	if err := a.store.SaveAllergy(a.ctx, &al); err != nil {
		t.Fatal(err)
	}
	a.show(secMedications)
	s := a.medications
	s.refreshAllergies()
	remove := findButton(t, s.allergyBox, "Remove")
	if remove == nil {
		t.Fatal("no Remove button beside the allergy")
	}
	if remove.Importance != widget.DangerImportance {
		t.Error("the Remove button does not look like a destructive action")
	}
	test.Tap(remove)
	if !a.noticeBar.Visible() || !strings.Contains(a.noticeText.Text, "Allergy to penicillin removed") {
		t.Fatalf("after Remove: notice shown %v, %q; want 'Allergy to penicillin removed' with Undo", a.noticeBar.Visible(), a.noticeText.Text)
	}
	if all, _ := a.store.Allergies(a.ctx, a.person.ID); len(all) != 0 {
		t.Fatalf("the allergy is still there after Remove")
	}
	test.Tap(a.noticeUndo)
	all, _ := a.store.Allergies(a.ctx, a.person.ID)
	p, _ := a.store.Person(a.ctx, a.person.ID)
	if len(all) != 1 || all[0].Substance != "penicillin" || p.Allergies != records.AllergiesRecorded {
		t.Errorf("after Undo: %+v, status %v; want the penicillin allergy back, recorded", all, p.Allergies)
	}
	if a.noticeBar.Visible() {
		t.Error("the notice stays after Undo")
	}
}

// TestSamplePersonMarkedAndRemovedInOneClick: the sample person is marked
// as not a real patient in the switcher and on the Overview, is removed in
// one click (to the Trash, with Undo), and a mistaken person or case can be
// moved to the Trash and restored from Settings.
func TestSamplePersonMarkedAndRemovedInOneClick(t *testing.T) {
	a, p := withSample(t)
	if sel := a.personSelect.Selected; !strings.Contains(sel, "(sample)") {
		t.Errorf("the switcher shows %q, want the sample marked as not a real patient", sel)
	}
	if !a.overview.sample.Visible() {
		t.Fatal("the Overview does not say this is the sample person")
	}
	remove := findButton(t, a.overview.sample, "Remove the sample person")
	if remove == nil {
		t.Fatal("no one-click removal of the sample person")
	}
	test.Tap(remove)
	if people, _ := a.store.People(a.ctx); len(people) != 0 {
		t.Fatalf("after removing the sample person: %d people, want none", len(people))
	}
	if a.win.Content() == a.main || !a.noticeBar.Visible() {
		t.Errorf("after removing the only person: want the welcome screen and an Undo notice")
	}
	test.Tap(a.noticeUndo)
	if people, _ := a.store.People(a.ctx); len(people) != 1 || a.person.ID != p.ID {
		t.Fatalf("Undo did not bring the sample person back: %d people, current %q", len(people), a.person.FullName)
	}

	// A case made by mistake goes to the Trash and comes back from Settings.
	kase := a.kase
	a.show(secCase)
	test.Tap(a.caseScreen.trash)
	if cases, _ := a.store.Cases(a.ctx, p.ID); len(cases) != 1 || cases[0].ID == kase.ID {
		t.Fatalf("after moving the case to the Trash: %d cases", len(cases))
	}
	a.show(secSettings)
	restore := findButton(t, a.settings.trashBox, "Restore")
	if restore == nil {
		t.Fatal("Settings does not list the case in the Trash with Restore")
	}
	test.Tap(restore)
	if cases, _ := a.store.Cases(a.ctx, p.ID); len(cases) != 2 {
		t.Errorf("after Restore: %d cases, want 2", len(cases))
	}
}

// TestAddDefaults: photos chosen together become one document by default,
// pages in the order the phone numbered them; a PDF chosen with them is a
// document of its own.
func TestAddDefaults(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	s := a.documents
	a.show(secDocuments)
	pdf := writePDF(t, dir, "letter.pdf")
	s.addPaths([]string{writePNG(t, dir, "IMG_10.png", 3), pdf, writePNG(t, dir, "IMG_2.png", 1), writePNG(t, dir, "IMG_9.png", 2)})
	if !strings.Contains(s.grouping.Selected, "the pictures together") {
		t.Fatalf("default grouping = %q, want the pictures together and the PDF on its own", s.grouping.Selected)
	}
	s.onConfirmAdd()
	docs, _ := a.store.Documents(a.ctx, records.DocumentFilter{PersonID: a.person.ID})
	var photos records.Document
	for _, d := range docs {
		if d.FileCount == 3 {
			photos, _ = a.store.Document(a.ctx, d.ID)
		}
	}
	if len(docs) != 2 || len(photos.Files) != 3 {
		t.Fatalf("added %d documents (%+v), want 2: the three photos together and the PDF", len(docs), docs)
	}
	if got := []string{photos.Files[0].Name, photos.Files[1].Name, photos.Files[2].Name}; !reflect.DeepEqual(got, []string{"IMG_2.png", "IMG_9.png", "IMG_10.png"}) {
		t.Errorf("photo pages in order %q, want IMG_2, IMG_9, IMG_10", got)
	}
}

// TestAddPictureAfterPDFs: pictures added to a dialog that held only PDFs
// (no grouping choice yet) get the usual choice instead of crashing the
// app.
func TestAddPictureAfterPDFs(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	s := a.documents
	a.show(secDocuments)
	s.addPaths([]string{writePDF(t, dir, "a.pdf"), writePDF(t, dir, "b.pdf")})
	if len(s.grouping.Options) != 1 {
		t.Fatalf("two PDFs: grouping options %q, want only separate documents", s.grouping.Options)
	}
	s.addPaths([]string{writePNG(t, dir, "IMG_1.png", 3), writePNG(t, dir, "IMG_2.png", 1)})
	if len(s.grouping.Options) != 2 || !strings.Contains(s.grouping.Selected, "the pictures together") {
		t.Errorf("two PDFs and two pictures: grouping %q of %q, want the pictures together", s.grouping.Selected, s.grouping.Options)
	}
}

// TestMarkOpinionsAgree: on the sample's differing opinions, "These agree"
// on a differing row takes its "Differs" mark away, is kept with the case,
// and the comparison PDF follows it.
func TestMarkOpinionsAgree(t *testing.T) {
	a, _ := withSample(t)
	a.show(secCase)
	v := a.caseScreen.compare
	key := ""
	for k, differs := range v.differs {
		if differs {
			key = k
		}
	}
	if key == "" || v.agree[key] == nil {
		t.Fatalf("no differing row with a These agree box (differs %v)", v.differs)
	}
	test.Tap(v.agree[key])
	if v.differs[key] {
		t.Errorf("row %q still marked Differs after These agree", key)
	}
	if c, _ := a.store.Case(a.ctx, a.kase.ID); !c.Agree[key] {
		t.Errorf("the mark was not kept with the case")
	}
	out := filepath.Join(t.TempDir(), "comparison.pdf")
	v.saveTo(out)
	text, err := exec.Command("pdftotext", out, "-").Output()
	if err != nil {
		t.Skipf("pdftotext: %v", err)
	}
	if !strings.Contains(strings.Join(strings.Fields(string(text)), " "), "marked by the patient") {
		t.Errorf("the comparison PDF does not follow the mark:\n%s", text)
	}
}

// TestSearchClearsStaleDetails: after a search that leaves out the open
// document, its details are no longer shown; Empty the Trash is disabled
// while the Trash is empty.
func TestSearchClearsStaleDetails(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	for i, name := range []string{"Blood results", "Clinic letter"} {
		d := records.Document{PersonID: a.person.ID, Title: name}
		if err := a.store.AddDocument(a.ctx, &d, []string{writePNG(t, dir, itoa(i)+".png", uint8(40*i))}, records.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	a.show(secDocuments)
	s := a.documents
	docs, _ := a.store.Documents(a.ctx, records.DocumentFilter{PersonID: a.person.ID, Search: "clinic"})
	s.selectDoc(docs[0].ID)
	s.search.SetText("blood")
	s.searchSaver.flush()
	if s.doc.ID == docs[0].ID {
		t.Error("after searching 'blood' the details still show the clinic letter")
	}
	s.showTrash.SetChecked(true)
	if !s.emptyTrash.Disabled() {
		t.Error("Empty the Trash is enabled while the Trash is empty")
	}
}

// TestTextSize: the text size chosen in Settings applies to the window at
// once and is remembered.
func TestTextSize(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secSettings)
	before := a.fyne.Settings().Theme().Size(theme.SizeNameText)
	a.settings.textSize.SetSelected("150%")
	after := a.fyne.Settings().Theme().Size(theme.SizeNameText)
	if after != before*1.5 {
		t.Errorf("text size after choosing 150%% = %v, want %v", after, before*1.5)
	}
	if got := a.fyne.Preferences().Float(prefTextScale); got != 1.5 {
		t.Errorf("remembered text scale = %v, want 1.5", got)
	}
}

// TestAmbiguousDateShowsReading: a date that could be read two ways shows
// how it was read, under the field, before it is saved.
func TestAmbiguousDateShowsReading(t *testing.T) {
	defer func(v bool) { records.DayFirst = v }(records.DayFirst)
	records.DayFirst = true
	a := withPerson(t, "Ann Example")
	d := addLetter(t, a)
	a.show(secDocuments)
	s := a.documents
	s.selectDoc(d.ID)
	s.date.SetText("03/04/2024")
	if m := docMeta(records.Document{Kind: records.KindImaging, Pages: 40, FileCount: 7, Studies: 1}); !strings.Contains(m, "7 images") {
		t.Errorf("docMeta(an imaging study's document) = %q, want its images counted, not pages", m)
	}
	if m := docMeta(records.Document{Pages: 3, Missing: "Pages 4 to 6 could not be read."}); !strings.Contains(m, "3 pages (incomplete)") {
		t.Errorf("docMeta(incomplete document) = %q, want it marked incomplete in the list", m)
	}
	if !s.date.reading.Visible() || !strings.HasPrefix(s.date.reading.Text, "= 3 April 2024") {
		t.Errorf("reading under 03/04/2024 = %q (shown %v), want = 3 April 2024", s.date.reading.Text, s.date.reading.Visible())
	}
	s.date.SetText("15 March 2024")
	if s.date.reading.Visible() {
		t.Error("a date that cannot be misread still shows a reading")
	}
}

// TestCalendarFillsDate: the calendar beside a date field puts the chosen
// day in the field, written as people write it.
func TestCalendarFillsDate(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secCase)
	e := a.caseScreen.apptDate
	e.SetText("1 March 2027")
	e.pickDate()
	top := a.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no calendar opened")
	}
	tapButton(t, top, "15")
	if e.Text != "15 March 2027" {
		t.Errorf("after choosing the 15th: %q, want 15 March 2027", e.Text)
	}
}

// TestSecondPersonOffersCarer: a carer adding a second person is offered
// their own details again.
func TestSecondPersonOffersCarer(t *testing.T) {
	a, p := withSample(t) // prepared by David Marsh, her son
	a.onAddPerson()
	f := a.addPersonForm
	if f.who.Selected != whoCarer || f.carerNm.Text != p.PreparedBy.Name || f.phone.Text != p.PreparedBy.Phone {
		t.Errorf("the new person's form offers %q %q %q, want the carer %q again", f.who.Selected, f.carerNm.Text, f.phone.Text, p.PreparedBy.Name)
	}
}

// TestCaseFormNeverWritesStaleValues: a command changes the case while the
// form is open; the form's next save keeps the other change where the
// form did not touch it, and asks about a field changed in both places,
// keeping both.
func TestCaseFormNeverWritesStaleValues(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secCase)
	cs := a.caseScreen
	cs.diagnosis.SetText("DCIS")
	// Elsewhere (the command line, another program): coverage and diagnosis.
	other, _ := a.store.Case(a.ctx, a.kase.ID)
	other.Coverage, other.Diagnosis = "Private insurance", "Invasive ductal carcinoma"
	if err := a.store.SaveCase(a.ctx, &other); err != nil {
		t.Fatal(err)
	}
	cs.diagnosis.SetText("DCIS, 15 mm")
	got, _ := a.store.Case(a.ctx, a.kase.ID)
	if got.Coverage != "Private insurance" || got.Diagnosis != "DCIS, 15 mm" {
		t.Errorf("stored: coverage %q, diagnosis %q; want the other change kept and the typed diagnosis saved", got.Coverage, got.Diagnosis)
	}
	if cs.coverage.Text != "Private insurance" {
		t.Errorf("the form shows coverage %q, want the newer stored one", cs.coverage.Text)
	}
	top := a.win.Canvas().Overlays().Top()
	if text := dialogText(t, top); !strings.Contains(text, "Invasive ductal carcinoma") {
		t.Fatalf("no question shows the other diagnosis: %q", text)
	}
	tapButton(t, top, "Use this one instead")
	if got, _ := a.store.Case(a.ctx, a.kase.ID); got.Diagnosis != "Invasive ductal carcinoma" {
		t.Errorf("after Use this one instead: %q", got.Diagnosis)
	}
}

// TestCaseFormKeepsDateChangedElsewhere: a diagnosis date changed elsewhere
// while the form is open is shown in the form after the next save, and a
// later save does not write the form's old date back over it.
func TestCaseFormKeepsDateChangedElsewhere(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secCase)
	cs := a.caseScreen
	cs.diagnosedOn.SetText("2026-09")
	other, _ := a.store.Case(a.ctx, a.kase.ID)
	other.DiagnosedOn = records.MustDate("2026-08-14")
	if err := a.store.SaveCase(a.ctx, &other); err != nil {
		t.Fatal(err)
	}
	cs.diagnosis.SetText("DCIS")
	if cs.diagnosedOn.Text != "2026-08-14" {
		t.Errorf("after a save the form shows diagnosed on %q, want the newer stored 2026-08-14", cs.diagnosedOn.Text)
	}
	cs.diagnosis.SetText("DCIS, 15 mm")
	if got, _ := a.store.Case(a.ctx, a.kase.ID); got.DiagnosedOn.String() != "2026-08-14" {
		t.Errorf("after a second save: diagnosed on %s, want 2026-08-14 kept", got.DiagnosedOn)
	}
}

// TestFocusScrollsFieldIntoView: a field reached by Tab (or Focus) below
// the visible part of a long form is scrolled into view.
func TestFocusScrollsFieldIntoView(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.win.Resize(fyne.NewSize(900, 500))
	a.show(secCase)
	cs := a.caseScreen
	sc := cs.box.(*container.Scroll)
	sc.Offset.Y = 0
	sc.Refresh()
	a.win.Canvas().Focus(cs.coverage)
	d := fyne.CurrentApp().Driver()
	top := d.AbsolutePositionForObject(cs.coverage).Y - d.AbsolutePositionForObject(sc).Y
	if top < 0 || top+cs.coverage.Size().Height > sc.Size().Height {
		t.Errorf("the focused field is at %v in a view %v high (offset %v): not visible", top, sc.Size().Height, sc.Offset.Y)
	}
	if sc.Offset.Y == 0 {
		t.Error("the form did not scroll to the focused field")
	}
}

// TestAddDialogSetsEachDocument: in the add dialog each document to be made
// gets its own title, date and kind.
func TestAddDialogSetsEachDocument(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	s := a.documents
	a.show(secDocuments)
	one, two := writePNG(t, dir, "scan-a.png", 1), writePNG(t, dir, "scan-b.png", 2)
	s.addPaths([]string{one, two})
	s.grouping.SetSelected(s.grouping.Options[1]) // separate documents
	d1, d2 := s.details[one], s.details[two]
	if d1 == nil || d2 == nil {
		t.Fatal("the dialog does not offer each document's details")
	}
	d1.title.SetText("Biopsy report")
	d1.date.SetText("March 2024")
	d1.kind.SetSelected(records.KindPathology.Label())
	d2.title.SetText("Blood tests")
	d2.date.SetText("12/04/2024")
	s.onConfirmAdd()
	docs, _ := a.store.Documents(a.ctx, records.DocumentFilter{PersonID: a.person.ID})
	got := map[string]string{}
	for _, d := range docs {
		got[d.Title] = string(d.Kind) + " " + d.Date.String()
	}
	if got["Biopsy report"] != "pathology 2024-03" || !strings.HasSuffix(got["Blood tests"], "2024-04-12") && !strings.HasSuffix(got["Blood tests"], "2024-12-04") {
		t.Errorf("added documents = %v, want each with its own title, date and kind", got)
	}
}

// TestWheelScrollsFormOverFields: the mouse wheel moves a long form when
// the pointer is over a text field, one-line or multi-line, and a
// multi-line field holding more than it shows scrolls its own text first.
func TestWheelScrollsFormOverFields(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.win.Resize(fyne.NewSize(900, 500))
	a.show(secCase)
	cs := a.caseScreen
	sc := cs.box.(*container.Scroll)
	d := fyne.CurrentApp().Driver()
	c := a.win.Canvas()
	for _, tt := range []struct {
		name  string
		field *formEntry
	}{
		{"multi-line", cs.diagnosis},
		{"one-line", cs.title},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc.Offset.Y = 0
			sc.Refresh()
			at := d.AbsolutePositionForObject(tt.field).Add(fyne.NewPos(10, 10))
			test.Scroll(c, at, 0, -40)
			if sc.Offset.Y == 0 {
				t.Fatalf("a wheel turn over the %s field did not move the form", tt.name)
			}
			down := sc.Offset.Y
			test.Scroll(c, d.AbsolutePositionForObject(tt.field).Add(fyne.NewPos(10, 10)), 0, 40)
			if sc.Offset.Y >= down {
				t.Errorf("a wheel turn up over the %s field: offset %v, was %v", tt.name, sc.Offset.Y, down)
			}
		})
	}

	// A long text in a multi-line field: the wheel reads down it first.
	sc.Offset.Y = 0
	sc.Refresh()
	cs.diagnosis.SetText(strings.Repeat("A line of what the first doctor said.\n", 30))
	at := d.AbsolutePositionForObject(cs.diagnosis).Add(fyne.NewPos(10, 10))
	test.Scroll(c, at, 0, -40)
	if sc.Offset.Y != 0 {
		t.Errorf("the form moved (%v) while the field under the pointer still had text to show", sc.Offset.Y)
	}
}

// TestLargeTextFitsSmallWindow: at 150% text in a 1024×700 window every
// screen fits across, so nothing is reached only by scrolling sideways and
// no button sits off the edge; and the header's appointment is on screen.
func TestLargeTextFitsSmallWindow(t *testing.T) {
	a := newTestApp(t)
	p, err := sample.Load(a.ctx, a.store)
	if err != nil {
		t.Fatal(err)
	}
	a.fyne.Settings().SetTheme(readableTheme{scale: 1.5})
	a.enterMain(p.ID)
	a.win.Resize(fyne.NewSize(1024, 700))
	for _, name := range sections {
		t.Run(name, func(t *testing.T) {
			a.show(name)
			a.win.Resize(fyne.NewSize(1024, 700))
			fit := a.fitted[name]
			if need, have := fit.Content.MinSize().Width, fit.Size().Width; need > have+0.5 {
				t.Errorf("the %s screen needs %.0f px across but has %.0f: it scrolls sideways", name, need, have)
			}
		})
	}
	d := fyne.CurrentApp().Driver()
	right := d.AbsolutePositionForObject(a.caseLabel).X + a.caseLabel.MinSize().Width
	if a.caseLabel.Text == "" || right > a.win.Canvas().Size().Width {
		t.Errorf("the appointment %q ends at %.0f px, past the window's %.0f", a.caseLabel.Text, right, a.win.Canvas().Size().Width)
	}
}

// TestTextAreaGrowsWithText: a notes field grows with what is typed, so it
// can be read without scrolling inside it, up to a limit.
func TestTextAreaGrowsWithText(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.win.Resize(fyne.NewSize(900, 700))
	a.show(secCase)
	f := a.caseScreen.plan
	f.SetText("Surgery.")
	short := f.MinSize().Height
	f.SetText(strings.Repeat("Left mastectomy with sentinel lymph node biopsy, then tablets. ", 6))
	a.win.Content().Refresh()
	long := f.MinSize().Height
	if long <= short {
		t.Fatalf("the field is %v high with a long plan and %v with a short one: it did not grow", long, short)
	}
	f.SetText(strings.Repeat("A line.\n", 100))
	if huge := f.MinSize().Height; huge > long*4 {
		t.Errorf("with 100 lines the field is %v high: it should stop growing and scroll", huge)
	}
}

func TestWrappedLines(t *testing.T) {
	width := func(s string) float32 { return float32(len(s)) } // one unit a character
	for _, tt := range []struct {
		text string
		w    float32
		want int
	}{
		{"", 10, 1},
		{"short", 10, 1},
		{"one two three", 10, 2},
		{"one\ntwo", 10, 2},
		{"abcdefghijklmnopqrstuvwxy", 10, 3},
		{"aa abcdefghijklmnopqrst bb", 10, 4},
	} {
		if got := wrappedLines(tt.text, tt.w, width); got != tt.want {
			t.Errorf("wrappedLines(%q, %v) = %d, want %d", tt.text, tt.w, got, tt.want)
		}
	}
}

// TestCompactFromSettings: an older library (4 KiB pages) is compacted from
// Settings, which says what it did; the records stay.
func TestCompactFromSettings(t *testing.T) {
	defer func(v int) { records.PageSize = v }(records.PageSize)
	records.PageSize = 4096
	a := withPerson(t, "Ann Example")
	records.PageSize = 65536
	a.show(secSettings)
	test.Tap(a.settings.compact)
	if !a.settings.compacted.Visible() || !strings.Contains(a.settings.compacted.Text, "Adding is faster") {
		t.Fatalf("after Compact: %q, want it to say adding is faster now", a.settings.compacted.Text)
	}
	if a.settings.compact.Disabled() || a.settings.compacting.Visible() {
		t.Error("the Compact button or its progress bar were left as while compacting")
	}
	if p, err := a.store.Person(a.ctx, a.person.ID); err != nil || p.FullName != "Ann Example" {
		t.Errorf("after compacting, the person is %+v (%v)", p, err)
	}
}

// TestMessagesShowWhole: a message, a question and an error show their
// whole sentence without scrolling at 100% and 150% text in a 1024×700
// window, and a message longer than the window fits inside it and scrolls.
func TestMessagesShowWhole(t *testing.T) {
	long := "This disc is for DOE^JANE, born 1 February 1950; you are adding it for Helen Marsh. " +
		"Check the name on the disc's label. If the hospital spelled the name differently, or the date of birth was " +
		"entered wrongly, the disc may still be hers: add it anyway, and tell the second doctor. Nothing has been added yet."
	for _, scale := range []float32{1, 1.5} {
		a := newTestApp(t)
		a.fyne.Settings().SetTheme(readableTheme{scale: scale})
		a.win.Resize(fyne.NewSize(1024, 700))
		for _, show := range []struct {
			name string
			open func()
		}{
			{"message", func() { a.showInfo("Imaging disc", long) }},
			{"question", func() { a.confirm("Another patient's disc?", long, "Add it anyway", func() {}) }},
			{"error", func() { a.showError(errors.New(long)) }},
		} {
			show.open()
			top := a.win.Canvas().Overlays().Top()
			var scroll *container.Scroll
			walk(t, top, func(o fyne.CanvasObject) {
				if sc, ok := o.(*container.Scroll); ok && scroll == nil {
					scroll = sc
				}
			})
			if scroll == nil {
				t.Fatalf("%s at %.0f%%: no scroll in the dialog", show.name, scale*100)
			}
			if need, have := scroll.Content.MinSize().Height, scroll.Size().Height; need > have+1 {
				t.Errorf("%s at %.0f%%: its text needs %.0f px but %.0f px show; want it whole without scrolling", show.name, scale*100, need, have)
			}
			a.escape()
		}
		a.showInfo("A long list", strings.Repeat(long+"\n", 12))
		if h, win := a.win.Canvas().Overlays().Top().Size().Height, a.win.Canvas().Size().Height; h > win {
			t.Errorf("at %.0f%% a message longer than the window is %.0f px tall in a %.0f px window", scale*100, h, win)
		}
		a.escape()
	}
}

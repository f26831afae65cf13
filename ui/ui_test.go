package ui

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/sample"
)

// newTestApp opens a real library in a temporary folder and builds the app
// on Fyne's headless test driver, with background work and saving done
// inline so tests see results at once.
func newTestApp(t *testing.T) *App {
	t.Helper()
	s, err := records.Open(context.Background(), filepath.Join(t.TempDir(), "library.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return testAppOn(t, s)
}

// testAppOn builds the app as newTestApp does, over the open library s.
func testAppOn(t *testing.T, s *records.Store) *App {
	t.Helper()
	fa := test.NewTempApp(t)
	a := &App{fyne: fa, store: s, ctx: context.Background(), async: func(f func()) { f() }}
	fa.Settings().SetTheme(readableTheme{})
	a.win = fa.NewWindow("Second Opinion")
	a.win.Resize(fyne.NewSize(1200, 800))
	a.build()
	t.Cleanup(a.win.Close)
	return a
}

// withPerson is a test app with one person already made (through the
// welcome screen, as a user would).
func withPerson(t *testing.T, name string) *App {
	t.Helper()
	a := newTestApp(t)
	test.Type(a.welcome.form.name, name)
	test.Tap(a.welcome.start)
	if a.person.ID == "" {
		t.Fatalf("welcome did not create %q: %s", name, a.welcome.form.problem.Text)
	}
	return a
}

// withSample is a test app with the sample person loaded and open.
func withSample(t *testing.T) (*App, records.Person) {
	t.Helper()
	a := newTestApp(t)
	p, err := sample.Load(a.ctx, a.store)
	if err != nil {
		t.Fatal(err)
	}
	a.enterMain(p.ID)
	return a, p
}

// addLetter adds a one-page document (a small PNG) for the open person.
func addLetter(t *testing.T, a *App) records.Document {
	t.Helper()
	d := records.Document{PersonID: a.person.ID}
	if err := a.store.AddDocument(a.ctx, &d, []string{writePNG(t, t.TempDir(), "letter.png", 4)}, records.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	return d
}

// saidUnder is the problem shown under a form's field, or "" when none is.
func saidUnder(n *fieldNotes, field string) string {
	if l := n.notes[field]; l != nil && l.Visible() {
		return l.Text
	}
	return ""
}

// writePNG makes a small picture file to add.
func writePNG(t *testing.T, dir, name string, shade uint8) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 40, 30))
	for y := 0; y < 30; y++ {
		for x := 0; x < 40; x++ {
			img.Set(x, y, color.RGBA{shade, uint8(x * 6), uint8(y * 8), 255})
		}
	}
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// writePDF writes a one-page PDF (an empty A4 page) and returns its path.
func writePDF(t *testing.T, dir, name string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	pdf := "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
	if err := os.WriteFile(path, []byte(pdf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestWelcome(t *testing.T) {
	tests := []struct {
		name, person, born string
		carer              bool
		carerName          string
		wantProblem        string // "" means the person is created
		under              string // the field the problem is said under
	}{
		{name: "myself", person: "Ann Example", born: "1961-04-23"},
		{name: "carer", person: "Bob Example", born: "1940", carer: true, carerName: "Cara Example"},
		{name: "no name", person: "", wantProblem: "Please write the name", under: "FullName"},
		{name: "bad birth date", person: "Dan Example", born: "31/02/1961", wantProblem: "is not a date we can read", under: "DateOfBirth"},
		{name: "carer without own name", person: "Eve Example", carer: true, wantProblem: "write your own name", under: "PreparedBy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestApp(t)
			if a.win.Content() == a.main {
				t.Fatal("an empty library should open on the welcome screen")
			}
			f := a.welcome.form
			test.Type(f.name, tt.person)
			test.Type(f.born, tt.born)
			if tt.carer {
				f.who.SetSelected(whoCarer)
				if !f.carer.Visible() {
					t.Fatal("choosing \"Someone I care for\" should ask for the carer's details")
				}
				test.Type(f.carerNm, tt.carerName)
			}
			test.Tap(a.welcome.start)
			if tt.wantProblem != "" {
				if got := saidUnder(f.said, tt.under); !strings.Contains(got, tt.wantProblem) {
					t.Fatalf("under %s: %q, want it to say %q", tt.under, got, tt.wantProblem)
				}
				if people, _ := a.store.People(a.ctx); len(people) != 0 {
					t.Fatalf("People() = %d after a mistake, want 0", len(people))
				}
				return
			}
			if a.win.Content() != a.main {
				t.Fatal("after Start the main window should show")
			}
			people, err := a.store.People(a.ctx)
			if err != nil || len(people) != 1 || people[0].FullName != tt.person {
				t.Fatalf("People() = %v, %v; want one %q", people, err, tt.person)
			}
			p := people[0]
			if p.PreparedBy.Self == tt.carer || p.PreparedBy.Name != tt.carerName {
				t.Errorf("PreparedBy = %+v, want carer %v named %q", p.PreparedBy, tt.carer, tt.carerName)
			}
			cases, _ := a.store.Cases(a.ctx, p.ID)
			if len(cases) != 1 {
				t.Errorf("Cases() = %d, want a first case", len(cases))
			}
			if a.personSelect.Selected != tt.person {
				t.Errorf("person switcher shows %q, want %q", a.personSelect.Selected, tt.person)
			}
			if a.current != secOverview {
				t.Errorf("first screen = %q, want %q", a.current, secOverview)
			}
		})
	}
}

func TestAddPersonFromSwitcher(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.personSelect.SetSelected(addPersonOption)
	if len(a.escapes) != 1 {
		t.Fatalf("choosing %q should open a dialog", addPersonOption)
	}
	if a.personSelect.Selected != "Ann Example" {
		t.Errorf("switcher shows %q while adding, want the current person", a.personSelect.Selected)
	}
	// Escape cancels.
	a.escape()
	if len(a.escapes) != 0 {
		t.Fatal("Escape should close the dialog")
	}
	a.personSelect.SetSelected(addPersonOption)
	f := a.addPersonForm
	test.Type(f.name, "Bob Example")
	f.who.SetSelected(whoCarer)
	test.Type(f.carerNm, "Ann Example")
	f.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter saves
	if len(a.escapes) != 0 {
		t.Fatalf("the dialog stayed open: %s", f.problem.Text)
	}
	if a.person.FullName != "Bob Example" {
		t.Fatalf("after adding, current person = %q", a.person.FullName)
	}
	a.personSelect.SetSelected("Ann Example")
	if a.person.FullName != "Ann Example" {
		t.Fatalf("after switching back, current person = %q", a.person.FullName)
	}
	if !strings.Contains(a.win.Title(), "Ann Example") {
		t.Errorf("window title %q should name the current person", a.win.Title())
	}
}

func TestDocumentsAddSearchTrash(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secDocuments)
	s := a.documents
	if !strings.Contains(s.count.Text, "No documents yet") {
		t.Errorf("empty list says %q", s.count.Text)
	}
	dir := t.TempDir()
	p1 := writePNG(t, dir, "biopsy-report.png", 10)
	p2 := writePNG(t, dir, "blood-results-page1.png", 90)
	p3 := writePNG(t, dir, "blood-results-page2.png", 180)

	// One file: a document of its own, titled from the file name.
	s.addPaths([]string{p1})
	s.addKind.SetSelected(records.KindPathology.Label())
	s.onConfirmAdd()
	// Two files as one document with two pages.
	s.addPaths([]string{p2})
	s.addPaths([]string{p3})
	if !s.grouping.Visible() {
		t.Fatal("with two files the dialog should ask: one document or separate ones")
	}
	s.grouping.SetSelected(s.grouping.Options[0])
	s.onConfirmAdd()
	if len(a.escapes) != 0 {
		t.Fatalf("%d dialogs still open after adding", len(a.escapes))
	}
	if s.total != 2 {
		t.Fatalf("list shows %d documents, want 2", s.total)
	}
	var multi records.Document
	for _, d := range s.rows() {
		if d.Pages == 2 {
			multi = d
		}
	}
	if multi.ID == "" {
		t.Fatalf("no two-page document in %+v", s.rows())
	}

	// Search as you type.
	test.Type(s.search, "biopsy")
	if s.total != 1 || !strings.Contains(strings.ToLower(s.rows()[0].Title), "biopsy") {
		t.Fatalf("search \"biopsy\" lists %+v", s.rows())
	}
	row := s.list.CreateItem()
	s.list.UpdateItem(0, row)
	if got := row.(*fyne.Container).Objects[1].(*widget.Label).Text; !strings.Contains(got, "Pathology") || !strings.Contains(got, "1 page") {
		t.Errorf("row says %q, want kind and page count", got)
	}
	s.search.SetText("")
	if s.total != 2 {
		t.Fatalf("clearing the search lists %d, want 2", s.total)
	}

	// Filter by kind.
	s.kind.SetSelected(records.KindPathology.Label())
	if s.total != 1 {
		t.Errorf("kind filter lists %d, want 1", s.total)
	}
	s.kind.SetSelected(allKinds)

	// A bad date in the filter is said in words.
	test.Type(s.from, "yesterday")
	if !s.filterNote.Visible() || !strings.Contains(s.filterNote.Text, "not a date") {
		t.Errorf("bad From date: note %q visible %v", s.filterNote.Text, s.filterNote.Visible())
	}
	s.from.SetText("")

	// Edit details: saved as typed.
	s.selectDoc(multi.ID)
	s.title.SetText("Blood results March")
	s.date.SetText("2024-03-15")
	d, err := a.store.Document(a.ctx, multi.ID)
	if err != nil || d.Title != "Blood results March" || d.Date.String() != "2024-03-15" {
		t.Fatalf("after typing, Document() = %q %q, %v", d.Title, d.Date, err)
	}
	// Reorder pages.
	first := d.Files[0].ID
	s.movePage(0, +1)
	d, _ = a.store.Document(a.ctx, multi.ID)
	if d.Files[1].ID != first {
		t.Errorf("after moving page 1 down it is not page 2")
	}
	// Thumbnails are made and kept.
	if _, _, _, ok, _ := a.store.Derived(a.ctx, first, thumbKind); !ok {
		t.Errorf("no %s kept for an image page", thumbKind)
	}

	// Trash and restore.
	s.onTrash()
	if s.total != 1 {
		t.Fatalf("after Trash the list has %d, want 1", s.total)
	}
	s.showTrash.SetChecked(true)
	if s.total != 1 || !s.emptyTrash.Visible() {
		t.Fatalf("Trash lists %d (empty button visible %v)", s.total, s.emptyTrash.Visible())
	}
	s.selectDoc(s.rows()[0].ID)
	s.onRestore()
	if s.total != 0 {
		t.Errorf("after restore the Trash lists %d", s.total)
	}
	s.showTrash.SetChecked(false)
	if s.total != 2 {
		t.Errorf("after restore the list has %d, want 2", s.total)
	}
}

func TestAddUnreadableFileSaysWhy(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secDocuments)
	p := filepath.Join(t.TempDir(), "notes.pdf")
	os.WriteFile(p, []byte("this is not really a PDF"), 0o600)
	a.documents.addPaths([]string{p})
	a.documents.onConfirmAdd()
	if len(a.escapes) != 1 {
		t.Fatalf("want one error dialog open, have %d", len(a.escapes))
	}
	if a.documents.total != 0 {
		t.Errorf("an unreadable file was listed")
	}
}

func TestMedications(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secMedications)
	s := a.medications
	test.Tap(s.add)
	f := s.form
	if f == nil {
		t.Fatal("Add opens no form")
	}
	tests := []struct {
		name, med, start, stop string
		want, under            string
	}{
		{"empty name", "", "", "", "medicine's name", "Name"},
		{"stop before start", "Tamoxifen", "2024-05", "2023-01", "before the start date", "Stop"},
		{"unreadable date", "Tamoxifen", "Smarch 2024", "", "not a date we can read", "Start"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f.name.SetText(tt.med)
			f.start.SetText(tt.start)
			f.stop.SetText(tt.stop)
			f.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter saves
			if got := saidUnder(f.said, tt.under); !strings.Contains(got, tt.want) {
				t.Errorf("under %s: %q, want it to say %q", tt.under, got, tt.want)
			}
			for field := range f.said.notes {
				if got := saidUnder(f.said, field); field != tt.under && got != "" {
					t.Errorf("under %s too: %q", field, got)
				}
			}
			if len(a.escapes) != 1 {
				t.Errorf("the form closed on a mistake")
			}
		})
	}
	f.name.SetText("Tamoxifen")
	f.strength.SetText("20 mg")
	f.start.SetText("2024-05")
	f.stop.SetText("")
	f.name.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(a.escapes) != 0 || len(s.meds) != 1 {
		t.Fatalf("after a good save: %d dialogs, %d medicines", len(a.escapes), len(s.meds))
	}
	if got := medCell(s.meds[0], 3); got != "Taking now" {
		t.Errorf("status column = %q", got)
	}
	// Stop taking: asks when and why, keeps it as a past medicine.
	s.table.Select(widget.TableCellID{Row: 0, Col: 0})
	test.Tap(s.stop)
	st := s.stopping
	st.reason.SetText("Hot flushes")
	st.save()
	if got := saidUnder(st.said, "Stop"); !strings.Contains(got, "date") {
		t.Errorf("stopping without a date says %q under the date", got)
	}
	st.date.SetText("2025-11")
	st.date.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	if len(s.meds) != 1 || s.meds[0].Status != records.MedStopped || s.meds[0].StopReason != "Hot flushes" {
		t.Fatalf("after stopping: %+v", s.meds)
	}
	if got := medCell(s.meds[0], 3); got != "Stopped: Hot flushes" {
		t.Errorf("status column = %q", got)
	}
	if got := medCell(s.meds[0], 4); got != "May 2024 to Nov 2025" {
		t.Errorf("when column = %q", got)
	}
	// Allergies: the explicit "No known allergies".
	s.allergyStatus.SetSelected(allergyNone)
	p, _ := a.store.Person(a.ctx, a.person.ID)
	if p.Allergies != records.AllergiesNoneKnown {
		t.Errorf("allergy status = %v, want none known", p.Allergies)
	}
}

func TestQuestionsReorder(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secQuestions)
	s := a.questions
	for _, q := range []string{"Is the diagnosis certain?", "What are my options?", "What if I wait?", "What if I wait"} {
		test.Type(s.newText, q)
		s.newText.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	if len(s.questions) != 3 {
		t.Fatalf("%d questions, want 3 (the duplicate refused)", len(s.questions))
	}
	if !s.note.Visible() {
		t.Errorf("a duplicate question should be pointed out")
	}
	texts := func() string {
		var out []string
		for _, q := range s.questions {
			out = append(out, q.Text[:6])
		}
		return strings.Join(out, "|")
	}
	s.list.Select(2)
	test.Tap(s.top)
	if got := texts(); got != "What i|Is the|What a" {
		t.Errorf("after Move to top: %s", got)
	}
	s.list.Select(0)
	s.onMove(+1) // Alt+Down
	if got := texts(); got != "Is the|What i|What a" {
		t.Errorf("after moving down: %s", got)
	}
	if s.selected != 1 {
		t.Errorf("the moved question should stay chosen; chosen = %d", s.selected)
	}
	// The top three are marked.
	row := s.list.CreateItem()
	s.list.UpdateItem(0, row)
	// Answer after the appointment.
	s.list.Select(0)
	s.asked.SetChecked(true)
	s.answer.SetText("Yes, confirmed by the lab.")
	qs, _ := a.store.Questions(a.ctx, a.kase.ID)
	if !qs[0].Asked || qs[0].Answer != "Yes, confirmed by the lab." {
		t.Errorf("answer not saved: %+v", qs[0])
	}
}

func TestCaseSavesAsTyped(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secCase)
	s := a.caseScreen
	s.diagnosis.SetText("Ductal carcinoma in situ")
	s.reasons.SetSelected([]string{records.Reasons[0].Label})
	s.apptDate.SetText("2026-03-03")
	s.apptTime.SetText("14:30")
	s.status.SetSelected(records.RefAppointmentBooked.Label())
	c, err := a.store.Case(a.ctx, a.kase.ID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Diagnosis != "Ductal carcinoma in situ" || len(c.Reasons) != 1 || c.Status != records.RefAppointmentBooked {
		t.Errorf("Case() = %q %v %v", c.Diagnosis, c.Reasons, c.Status)
	}
	if !strings.Contains(c.AppointmentText(), "14:30") {
		t.Errorf("appointment = %q", c.AppointmentText())
	}
	s.apptTime.SetText("half past two")
	if !s.problem.Visible() {
		t.Errorf("an unreadable time should be said under the form")
	}
	a.show(secOverview)
	if !strings.Contains(a.overview.diagnosis.Text, "Ductal") {
		t.Errorf("overview diagnosis = %q", a.overview.diagnosis.Text)
	}
}

func TestPacketExport(t *testing.T) {
	a := withPerson(t, "Ann Example")
	dir := t.TempDir()
	for i, name := range []string{"scan-one.png", "scan-two.png"} {
		d := records.Document{PersonID: a.person.ID, Kind: records.KindResults, Date: records.MustDate("2024-0" + itoa(i+1))}
		if err := a.store.AddDocument(a.ctx, &d, []string{writePNG(t, dir, name, uint8(60*i))}, records.AddOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	a.show(secPacket)
	s := a.packet
	if len(s.docs) != 2 || !strings.Contains(s.summary.Text, "2 of 2") {
		t.Fatalf("packet lists %d documents, summary %q", len(s.docs), s.summary.Text)
	}
	if !strings.Contains(s.estimate.Text, "page") {
		t.Errorf("estimate = %q", s.estimate.Text)
	}
	// Move the second document first, and leave nothing out.
	second := s.docs[1].ID
	s.onMove(second, -1)
	if s.docs[0].ID != second {
		t.Fatalf("after moving up, first = %s, want %s", s.docs[0].ID, second)
	}
	c, _ := a.store.Case(a.ctx, a.kase.ID)
	if len(c.Packet.Documents) != 2 || c.Packet.Documents[0] != second {
		t.Errorf("packet order not saved: %v", c.Packet.Documents)
	}
	// Leave one out.
	s.onInclude(second, false)
	if !strings.Contains(s.summary.Text, "1 of 2") {
		t.Errorf("after leaving one out: %q", s.summary.Text)
	}
	s.onIncludeAll()

	// The check.
	test.Tap(s.check)
	if !strings.Contains(s.result.Text, "Every document can go in") {
		t.Errorf("check says %q", s.result.Text)
	}

	// Export: progress reaches the end, the packet is logged, Open is offered.
	out := filepath.Join(t.TempDir(), "packet.pdf")
	var seen []float64
	s.onProgress = func(done, total int) { seen = append(seen, float64(done)/float64(total)) }
	s.exportTo(out)
	data, err := os.ReadFile(out)
	if err != nil || !strings.HasPrefix(string(data), "%PDF") {
		t.Fatalf("no PDF written: %v", err)
	}
	if len(seen) == 0 || seen[len(seen)-1] != 1 || s.progress.Value != 1 {
		t.Errorf("progress went %v, want it to end at 1", seen)
	}
	if s.running.Visible() || !s.done.Visible() || !s.openBtn.Visible() || !s.folderBtn.Visible() {
		t.Errorf("after export: running %v, done %v, open %v", s.running.Visible(), s.done.Visible(), s.openBtn.Visible())
	}
	if !strings.Contains(s.result.Text, "packet.pdf") {
		t.Errorf("result = %q", s.result.Text)
	}
	exports, _ := a.store.Exports(a.ctx, a.kase.ID)
	if len(exports) != 1 || len(s.log.Objects) != 1 {
		t.Errorf("packet log: store %d, screen %d lines; want 1", len(exports), len(s.log.Objects))
	}

	// Ticking double-sided printing starts each document on a right-hand
	// page: blank backs appear, and the estimate counts them.
	plainPages := exports[0].Pages
	test.Tap(s.duplex)
	if !s.options().Duplex {
		t.Fatalf("the duplex tick does not reach the export options")
	}
	if est, _, err := export.Estimate(a.ctx, a.store, s.options()); err != nil || !strings.Contains(s.estimate.Text, plural(est, "page", "pages")) {
		t.Errorf("estimate = %q, want the duplex estimate of %d pages (%v)", s.estimate.Text, est, err)
	}
	duplex := filepath.Join(t.TempDir(), "duplex.pdf")
	s.exportTo(duplex)
	exports, _ = a.store.Exports(a.ctx, a.kase.ID)
	if len(exports) != 2 || exports[0].Pages <= plainPages && exports[1].Pages <= plainPages {
		t.Errorf("packet log after a duplex export = %+v; want a second, longer packet than %d pages", exports, plainPages)
	}
}

func TestPacketExportCancelled(t *testing.T) {
	a := withPerson(t, "Ann Example")
	d := records.Document{PersonID: a.person.ID, Kind: records.KindResults}
	if err := a.store.AddDocument(a.ctx, &d, []string{writePNG(t, t.TempDir(), "x.png", 1)}, records.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	a.show(secPacket)
	s := a.packet
	out := filepath.Join(t.TempDir(), "packet.pdf")
	// Cancel as soon as work starts (the first progress report).
	s.onProgress = func(int, int) { s.cancel.OnTapped() }
	s.exportTo(out)
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a cancelled export left %s", out)
	}
	if !strings.Contains(s.result.Text, "Nothing was saved") {
		t.Errorf("after Cancel the screen says %q", s.result.Text)
	}
	if s.cancelFn != nil || s.exportBtn.Disabled() {
		t.Errorf("after Cancel a new export cannot start")
	}
}

func TestShortcutsAndDrop(t *testing.T) {
	a := withPerson(t, "Ann Example")
	// Fyne's test canvas does not take shortcuts: run what each key is bound to.
	press := func(key fyne.KeyName, mod fyne.KeyModifier) {
		t.Helper()
		for _, sc := range a.shortcuts {
			if sc.key == key && sc.mod == mod {
				sc.run()
				return
			}
		}
		t.Fatalf("no shortcut for %v+%v", mod, key)
	}
	press(fyne.KeyF, fyne.KeyModifierShortcutDefault)
	if a.current != secDocuments || a.win.Canvas().Focused() != a.documents.search {
		t.Errorf("Ctrl+F: screen %q, focus %v; want Documents with the search box focused", a.current, a.win.Canvas().Focused())
	}
	// Ctrl+N and "Back up now..." open file dialogs (they must not fail).
	press(fyne.KeyN, fyne.KeyModifierShortcutDefault)
	a.settings.onBackup()
	// Dropping files onto the window opens the add dialog with them.
	dir := t.TempDir()
	a.onDropped([]fyne.URI{storage.NewFileURI(writePNG(t, dir, "a.png", 1)), storage.NewFileURI(writePNG(t, dir, "b.png", 2))})
	if a.documents.addDialog == nil || len(a.documents.pending) != 2 || !a.documents.grouping.Visible() {
		t.Fatalf("drop: dialog %v, pending %d", a.documents.addDialog != nil, len(a.documents.pending))
	}
	a.escape()
	if a.documents.addDialog != nil || len(a.documents.pending) != 0 {
		t.Errorf("Escape should cancel the add dialog and forget its files")
	}
	press(fyne.KeyE, fyne.KeyModifierShortcutDefault)
	if a.current != secPacket {
		t.Errorf("Ctrl+E: screen %q, want Packet", a.current)
	}
}

func TestBackupAndOpenOriginal(t *testing.T) {
	a := withPerson(t, "Ann Example")
	p := writePNG(t, t.TempDir(), "photo.png", 3)
	d := records.Document{PersonID: a.person.ID}
	if err := a.store.AddDocument(a.ctx, &d, []string{p}, records.AddOptions{}); err != nil {
		t.Fatal(err)
	}
	// "Open original" hands the system viewer a private copy of the bytes.
	out, err := a.copyOut(a.ctx, d.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	want, _ := os.ReadFile(p)
	got, _ := os.ReadFile(out)
	if string(got) != string(want) || filepath.Base(out) != "photo.png" {
		t.Errorf("copyOut = %s (%d bytes), want photo.png (%d bytes)", out, len(got), len(want))
	}
	if st, _ := os.Stat(out); st.Mode().Perm() != 0o600 {
		t.Errorf("the copy is readable by others: %v", st.Mode())
	}
	if st, _ := os.Stat(a.openedDir); st == nil || st.Mode().Perm() != 0o700 {
		t.Errorf("the folder of opened copies is not private: %v", st)
	}
	// Deleted means gone: once the Trash is emptied, the copy goes too.
	if err := a.store.TrashDocument(a.ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.store.EmptyTrash(a.ctx, a.person.ID); err != nil {
		t.Fatal(err)
	}
	a.forgetPurged()
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("the opened copy of a purged document is still there: %v", err)
	}
	dir := a.openedDir
	a.removeOpened() // the app closes
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the folder of opened copies is still there after closing: %v", err)
	}

	// Backup.
	a.show(secSettings)
	path := filepath.Join(t.TempDir(), "backup.sqlite")
	a.settings.backupTo(path)
	if !strings.Contains(a.settings.backedUp.Text, "Backup saved") {
		t.Fatalf("after backup the screen says %q", a.settings.backedUp.Text)
	}
	b, err := records.Open(a.ctx, path)
	if err != nil {
		t.Fatalf("the backup does not open as a library: %v", err)
	}
	defer b.Close()
	if people, _ := b.People(a.ctx); len(people) != 1 {
		t.Errorf("the backup holds %d people, want 1", len(people))
	}
}

func TestRemembersScreenAndPerson(t *testing.T) {
	a := withPerson(t, "Ann Example")
	b := records.Person{FullName: "Bob Example"}
	if err := a.createPerson(&b); err != nil {
		t.Fatal(err)
	}
	a.openPerson(b.ID)
	a.show(secQuestions)
	a.saveState() // what closing the window does before it closes
	// The same preferences and library, opened again.
	again := &App{fyne: a.fyne, store: a.store, ctx: a.ctx, async: a.async}
	again.win = a.fyne.NewWindow("Second Opinion")
	again.build()
	defer again.win.Close()
	if again.current != secQuestions || again.person.ID != b.ID {
		t.Errorf("reopened on %q for %q, want %q for %q", again.current, again.person.FullName, secQuestions, b.FullName)
	}
}

func TestOverviewNotApplicable(t *testing.T) {
	a := withPerson(t, "Ann Example")
	a.show(secOverview)
	has := func(text string) bool {
		for _, o := range a.overview.missing.Objects {
			for _, l := range test.LaidOutObjects(o) {
				if lab, ok := l.(*widget.Label); ok && strings.Contains(lab.Text, text) {
					return true
				}
			}
		}
		return false
	}
	label := records.ReadyLabel(records.ReadyOperative)
	if !has(label) {
		t.Fatalf("a new case should list %q as missing", label)
	}
	a.overview.onNotApplicable(records.ReadyOperative)
	if len(a.escapes) != 1 {
		t.Fatal("\"Does not apply...\" should ask why")
	}
	a.escape()
	a.overview.onNotApplicable(records.ReadyOperative)
	for _, o := range test.LaidOutObjects(a.win.Canvas().Overlays().Top()) {
		if e, ok := o.(*formEntry); ok {
			test.Type(e, "No operation: diagnosed by biopsy only")
			e.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
			break
		}
	}
	if len(a.escapes) != 0 {
		t.Fatal("the reason was not accepted")
	}
	if has(label) {
		t.Errorf("%q is still listed as missing after \"does not apply\"", label)
	}
}

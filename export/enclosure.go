package export

// The enclosure (issue #13): the packet with its originals, as a folder or
// a .zip, for a clinic's image archive, a new disc or an upload. The
// packet PDF at the top, the imaging studies' DICOM files byte for byte
// under DICOM/ with ISO 9660-safe names and a DICOMDIR beside them, the
// original PDFs and photos of the packet's documents under Documents/, and
// README.txt and index.html saying what is where.

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"

	"secondopinion/records"
	"secondopinion/records/dicom"
)

// EnclosureResult says what WriteEnclosure wrote.
type EnclosureResult struct {
	Path       string // the folder or .zip
	Packet     Result // the packet PDF in it (Path is its name inside)
	Studies    int
	DICOMFiles int
	Originals  int   // original files of documents
	Bytes      int64 // all files, as written (the .zip's size for a zip)
	Zip        bool
	// Files are the paths written inside the enclosure, slash-separated,
	// in the order written.
	Files []string
}

// PacketName is the packet's file name inside an enclosure.
const PacketName = "Second opinion packet.pdf"

// IsZipTarget reports whether an enclosure to out is written as a .zip.
func IsZipTarget(out string) bool { return strings.EqualFold(filepath.Ext(out), ".zip") }

// CheckEnclosureTarget refuses a destination an enclosure must not take:
// the library, an existing file that is not a zip (for a .zip), or a
// folder that is not empty (for a folder), so nothing of the user's is
// ever mixed in or replaced unasked. An existing .zip may be replaced; the
// app asks first.
func CheckEnclosureTarget(s *records.Store, out string) error {
	if strings.TrimSpace(out) == "" {
		return &records.Problem{Msg: "Say where to save the packet with its originals: a new folder, or a file name ending in .zip."}
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return &records.Problem{Msg: fmt.Sprintf("%s is not a name Second Opinion can use. Choose another.", out), Err: err}
	}
	lib := s.Path()
	for _, p := range []string{lib, lib + "-wal", lib + "-shm", lib + "-journal", filepath.Dir(lib)} {
		if abs == p {
			return &records.Problem{Msg: fmt.Sprintf("%s is your Second Opinion library (or its folder); nothing was written. Choose a new folder or a .zip name elsewhere, for example in Documents.", abs), Err: errLibraryTarget}
		}
	}
	parent := filepath.Dir(abs)
	if st, err := os.Stat(parent); err != nil || !st.IsDir() {
		return &records.Problem{Msg: fmt.Sprintf("The folder %s does not exist. Choose a folder that exists to save the packet with its originals in.", parent), Err: err}
	}
	st, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return &records.Problem{Msg: fmt.Sprintf("Second Opinion cannot look at %s (%v). Choose another name or folder.", abs, errBrief(err)), Err: err}
	}
	if IsZipTarget(abs) {
		if !st.Mode().IsRegular() || !isZipFile(abs) {
			return &records.Problem{Msg: fmt.Sprintf("%s already exists and is not a zip file, so it was not replaced and nothing was written. Choose another name.", abs), Err: errNotPDFTarget}
		}
		return nil
	}
	if !st.IsDir() {
		return &records.Problem{Msg: fmt.Sprintf("%s already exists and is a file, not a folder. Choose a new folder name, or a name ending in .zip.", abs), Err: errNotPDFTarget}
	}
	names, err := os.ReadDir(abs)
	if err != nil || len(names) > 0 {
		return &records.Problem{Msg: fmt.Sprintf("The folder %s is not empty, so nothing was written there (its files are left as they are). Choose a new or empty folder.", abs), Err: errNotPDFTarget}
	}
	return nil
}

func isZipFile(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 4)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head, []byte("PK\x03\x04")) || bytes.Equal(head, []byte("PK\x05\x06"))
}

// encFile is one file of an enclosure.
type encFile struct {
	name   string // inside the enclosure, slash-separated
	fileID string // a stored file, or
	local  string // a file on disk (the packet)
	data   []byte // small files we write (README.txt, index.html, DICOMDIR)
	size   int64
}

// encStudy is a study with the enclosure paths of its files.
type encStudy struct {
	study  records.Study
	folder string             // DICOM/P0000001/S0000001
	series map[string]string  // series ID -> DICOM/P0000001/S0000001/R0000001
	files  map[string]int     // series ID -> how many files
	insts  []records.Instance // in order
	paths  []string           // the path of each of insts
}

// encDoc is a document with the enclosure names of its original files.
type encDoc struct {
	n     int // its number in the packet's order
	doc   records.Document
	names []string
}

// WriteEnclosure writes the packet with its originals to out: a folder
// (which must be new or empty) or, for a name ending in .zip, a zip file.
// Everything is written under a temporary name beside out and renamed at
// the end, so a failure or a cancellation leaves nothing half-written.
// DICOM files, JPEGs and PDFs are stored in the zip as they are (no
// compression: they are compressed already, or must stay byte for byte).
// ForEmail and Password are refused: the originals are not encrypted.
func WriteEnclosure(ctx context.Context, s *records.Store, out string, opt Options) (EnclosureResult, error) {
	if opt.ForEmail || opt.Password != "" {
		return EnclosureResult{}, &records.Problem{Msg: "A packet with its originals is made without a password and not for e-mail: its DICOM files and originals cannot be encrypted. Make the packet alone for e-mail, or with a password.", Err: records.ErrInvalid}
	}
	if err := CheckEnclosureTarget(s, out); err != nil {
		return EnclosureResult{}, err
	}
	abs, _ := filepath.Abs(out)
	zipped := IsZipTarget(abs)
	opt.enclosed = true
	p, err := load(ctx, s, opt)
	if err != nil {
		return EnclosureResult{}, err
	}
	studies, dirRecords, err := enclosureStudies(ctx, s, p)
	if err != nil {
		return EnclosureResult{}, fail("packet with its originals", err)
	}
	total := 1
	for _, es := range studies {
		total += len(es.insts)
	}
	for _, d := range p.docs {
		total += len(d.Files)
	}
	// Progress: the packet's own steps, then one per file copied.
	base, packetTotal := 0, 0
	report := func(done, all int) {
		if opt.Progress != nil {
			opt.Progress(done, all)
		}
	}
	popt := opt
	popt.Progress = func(done, all int) {
		packetTotal = all
		report(done, all+total)
	}

	parent := filepath.Dir(abs)
	prefix := "." + strings.TrimSuffix(filepath.Base(abs), filepath.Ext(abs)) + "-"
	removeStalePartials(parent, prefix)
	work, err := records.PrivateTemp("secondopinion-enclosure-")
	if err != nil {
		return EnclosureResult{}, diskProblem(err)
	}
	defer os.RemoveAll(work)
	pres, err := writePacket(ctx, s, filepath.Join(work, PacketName), popt)
	if err != nil {
		return EnclosureResult{}, err
	}
	base = packetTotal
	skipped := make(map[string]bool, len(pres.Skipped))
	for _, is := range pres.Skipped {
		skipped[is.DocumentID] = true
	}
	docs := enclosureDocs(p, skipped)
	res := EnclosureResult{Path: abs, Zip: zipped, Studies: len(studies), Packet: pres}
	res.Packet.Path = PacketName

	files := []encFile{{name: PacketName, local: filepath.Join(work, PacketName), size: pres.Bytes}}
	for _, es := range studies {
		for i, inst := range es.insts {
			files = append(files, encFile{name: es.paths[i], fileID: inst.FileID})
			res.DICOMFiles++
		}
	}
	if len(studies) > 0 {
		var dir bytes.Buffer
		if err := dicom.WriteDICOMDIR(&dir, dirRecords); err != nil {
			return EnclosureResult{}, fail("DICOMDIR", err)
		}
		files = append(files, encFile{name: "DICOMDIR", data: dir.Bytes()})
	}
	for _, ed := range docs {
		k := 0
		for _, f := range ed.doc.Files {
			if p.studyFiles[f.ID] {
				continue
			}
			files = append(files, encFile{name: ed.names[k], fileID: f.ID, size: f.Size})
			k++
			res.Originals++
		}
	}
	readme := readmeText(p, pres, studies, docs)
	files = append(files, encFile{name: "README.txt", data: []byte(readme)})
	page, err := indexHTML(p, pres, studies, docs)
	if err != nil {
		return EnclosureResult{}, fail("packet with its originals", err)
	}
	files = append(files, encFile{name: "index.html", data: page})

	step := 0
	copied := func() {
		step++
		report(base+step, base+len(files))
	}
	if zipped {
		n, err := writeAtomicWith(ctx, abs, func() error { return CheckEnclosureTarget(s, abs) }, func(w io.Writer) error {
			return writeZip(ctx, s, w, files, copied)
		})
		if err != nil {
			return EnclosureResult{}, err
		}
		res.Bytes = n
	} else {
		n, err := writeFolder(ctx, s, abs, prefix, files, copied)
		if err != nil {
			return EnclosureResult{}, err
		}
		res.Bytes = n
	}
	for _, f := range files {
		res.Files = append(res.Files, f.name)
	}
	to := ""
	if p.kase != nil {
		to = doctorText(p.kase.SecondDoctor)
	}
	logExport(ctx, s, opt, "enclosure", to, Result{Path: abs, Pages: pres.Pages, Bytes: res.Bytes})
	return res, nil
}

// number is "3." for the packet's document 3, or says the document is not
// in the packet.
func (ed encDoc) number() string {
	if ed.n == 0 {
		return "(not in the packet: it could not be read)"
	}
	return strconv.Itoa(ed.n) + "."
}

// enclosureStudies lays out the studies' DICOM files as the store says
// (records.Store.Enclosure: DICOM/P0000001/S0000001/R0000001/I0000001,
// names of at most eight upper-case letters and digits, as ISO 9660 and
// the DICOM file set, PS3.10, require) and returns the DICOMDIR's records.
func enclosureStudies(ctx context.Context, s *records.Store, p *packet) ([]*encStudy, []dicom.DirPatient, error) {
	if len(p.studies) == 0 {
		return nil, nil, nil
	}
	placed, patients, err := s.Enclosure(ctx, p.studies)
	if err != nil {
		return nil, nil, err
	}
	// Enclosure places the studies' files in order, study by study, each
	// in its series and instance order.
	var out []*encStudy
	k := 0
	for _, st := range p.studies {
		insts, err := s.Instances(ctx, st.ID)
		if err != nil {
			return nil, nil, err
		}
		es := &encStudy{study: st, series: map[string]string{}, files: map[string]int{}}
		for _, inst := range insts {
			if k >= len(placed) || placed[k].FileID != inst.FileID {
				return nil, nil, fmt.Errorf("enclosure layout: file %d of study %s is not where expected", k, st.UID)
			}
			dir := path.Dir(placed[k].Path)
			es.folder = path.Dir(dir)
			es.series[inst.SeriesID] = dir
			es.files[inst.SeriesID]++
			es.insts = append(es.insts, inst)
			es.paths = append(es.paths, placed[k].Path)
			k++
		}
		out = append(out, es)
	}
	return out, patients, nil
}

// enclosureDocs names each document's original files (other than the
// DICOM files of its studies, which go under DICOM/) readably:
// "Documents/03 Pathology report, 14 Jan 2026.pdf", or a folder of that
// name holding "1 photo.jpg", "2 photo.jpg" for a document of several files.
//
// Documents are numbered as in the packet; one that could not go into the
// packet (skipped) keeps its originals, named "Not in the packet - ...".
func enclosureDocs(p *packet, skipped map[string]bool) []encDoc {
	var out []encDoc
	used := map[string]bool{}
	n := 0
	for _, doc := range p.docs {
		if !skipped[doc.ID] {
			n++
		}
		var files []records.File
		for _, f := range doc.Files {
			if !p.studyFiles[f.ID] {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			continue
		}
		title := docTitle(doc)
		if d := doc.Date.Short(); d != "" {
			title += ", " + d
		}
		stem := fmt.Sprintf("%02d %s", n, safeName(title, 80))
		ed := encDoc{n: n, doc: doc}
		if skipped[doc.ID] {
			stem, ed.n = "Not in the packet - "+safeName(title, 80), 0
		}
		if len(files) == 1 {
			ed.names = []string{uniqueName(used, "Documents/"+stem+fileExt(files[0]))}
		} else {
			for k, f := range files {
				name := strings.TrimSuffix(f.Name, filepath.Ext(f.Name))
				ed.names = append(ed.names, uniqueName(used, fmt.Sprintf("Documents/%s/%d %s%s", stem, k+1, safeName(name, 60), fileExt(f))))
			}
		}
		out = append(out, ed)
	}
	return out
}

func uniqueName(used map[string]bool, name string) string {
	try := name
	for n := 2; used[strings.ToLower(try)]; n++ {
		ext := path.Ext(name)
		try = strings.TrimSuffix(name, ext) + " (" + strconv.Itoa(n) + ")" + ext
	}
	used[strings.ToLower(try)] = true
	return try
}

// fileExt is the file's own extension, or one for its type.
func fileExt(f records.File) string {
	if ext := strings.ToLower(filepath.Ext(f.Name)); len(ext) > 1 && len(ext) <= 6 && strings.Trim(ext[1:], "abcdefghijklmnopqrstuvwxyz0123456789") == "" {
		return ext
	}
	switch {
	case f.IsPDF():
		return ".pdf"
	case f.IsDICOM():
		return ".dcm"
	case f.MediaType == "image/jpeg":
		return ".jpg"
	case strings.HasPrefix(f.MediaType, "image/"):
		return "." + strings.TrimPrefix(f.MediaType, "image/")
	}
	return ""
}

// safeName makes text a file name every system takes: no path
// separators, no characters Windows refuses, no control characters, no
// leading or trailing dots and spaces, at most max runes.
func safeName(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(`:/\|`, r), unicode.IsControl(r):
			return ' '
		case strings.ContainsRune(`<>"?*`, r):
			return -1
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max])
	}
	s = strings.Trim(s, ". ")
	if s == "" {
		s = "document"
	}
	return s
}

// copyFile writes one enclosure file to w: a stored file in chunks (the
// store's own chunks; memory stays bounded however large), a local file,
// or bytes.
func copyFile(ctx context.Context, s *records.Store, w io.Writer, f encFile) (int64, error) {
	var r io.Reader
	switch {
	case f.fileID != "":
		fr, err := s.OpenFile(ctx, f.fileID)
		if err != nil {
			return 0, err
		}
		defer fr.Close()
		r = fr
	case f.local != "":
		lf, err := os.Open(f.local)
		if err != nil {
			return 0, err
		}
		defer lf.Close()
		r = lf
	default:
		r = bytes.NewReader(f.data)
	}
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, rerr := r.Read(buf)
		if k > 0 {
			m, werr := w.Write(buf[:k])
			n += int64(m)
			if werr != nil {
				return n, werr
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// writeZip writes files into a zip: stored as they are, except our own
// text, which is deflated.
func writeZip(ctx context.Context, s *records.Store, w io.Writer, files []encFile, copied func()) error {
	zw := zip.NewWriter(w)
	now := time.Now()
	for _, f := range files {
		method := zip.Store
		if strings.HasSuffix(f.name, ".txt") || strings.HasSuffix(f.name, ".html") {
			method = zip.Deflate
		}
		hw, err := zw.CreateHeader(&zip.FileHeader{Name: f.name, Method: method, Modified: now})
		if err != nil {
			return err
		}
		if _, err := copyFile(ctx, s, hw, f); err != nil {
			return err
		}
		copied()
	}
	return zw.Close()
}

// writeFolder writes files into a new folder beside dest, each synced,
// and renames it to dest at the end.
func writeFolder(ctx context.Context, s *records.Store, dest, prefix string, files []encFile, copied func()) (int64, error) {
	parent := filepath.Dir(dest)
	tmp, err := os.MkdirTemp(parent, prefix+"*.partial")
	if err != nil {
		if isNoSpace(err) {
			return 0, diskProblem(err)
		}
		return 0, &records.Problem{Msg: fmt.Sprintf("Second Opinion cannot write in %s. Choose a folder you can write to, such as Documents.", parent), Err: err}
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(tmp)
		}
	}()
	var total int64
	for _, f := range files {
		path := filepath.Join(tmp, filepath.FromSlash(f.name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return 0, writeProblem(err)
		}
		out, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return 0, writeProblem(err)
		}
		n, err := copyFile(ctx, s, out, f)
		if err == nil {
			err = out.Sync()
		}
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, writeProblem(err)
		}
		total += n
		copied()
	}
	if err := ctx.Err(); err != nil {
		return 0, stopped(err)
	}
	if err := CheckEnclosureTarget(s, dest); err != nil {
		return 0, err
	}
	if st, err := os.Stat(dest); err == nil && st.IsDir() {
		os.Remove(dest) // empty, as CheckEnclosureTarget has just seen
	}
	if err := os.Rename(tmp, dest); err != nil {
		return 0, &records.Problem{Msg: fmt.Sprintf("The folder could not be saved as %s (%v). Choose a new folder name and try again.", dest, errBrief(err)), Err: err}
	}
	done = true
	if d, err := os.Open(parent); err == nil {
		d.Sync()
		d.Close()
	}
	return total, nil
}

func writeProblem(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return stopped(err)
	}
	var p *records.Problem
	if errors.As(err, &p) {
		return err
	}
	return diskProblem(err)
}

// readmeText is README.txt: what is where, for a clinic and for the
// patient, in plain text (lines under 80 characters where it can).
func readmeText(p *packet, pres Result, studies []*encStudy, docs []encDoc) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\r\n", a...) }
	who := p.person.FullName
	if !p.person.DateOfBirth.IsZero() {
		who += ", born " + p.person.DateOfBirth.Human()
	}
	w("SECOND OPINION PACKET WITH ITS ORIGINALS")
	w("")
	w("Patient: %s", who)
	w("Prepared: %s, with Second Opinion.", p.prepared.Format("2 January 2006"))
	w("")
	w("WHAT IS WHERE")
	w("")
	w("%s", PacketName)
	w("    The packet to read first: cover, summary, medications, questions,")
	w("    imaging key images and every document, %s.", plural(pres.Pages, "page", "pages"))
	if len(studies) > 0 {
		w("DICOMDIR")
		w("    The index of the imaging files, as on a hospital disc.")
		w("DICOM/")
		series, images := discTotals(p.studies)
		w("    %s in %s of %s, in DICOM, byte for", plural(images, "image", "images"), plural(series, "series", "series"), plural(len(studies), "study", "studies"))
		w("    byte as they came from the hospital, one folder per study and series.")
	}
	if len(docs) > 0 {
		w("Documents/")
		w("    The original files (PDFs and photos) of the packet's documents,")
		w("    as received, numbered as in the packet's contents.")
	}
	w("README.txt, index.html")
	w("    This list, as text and as a page for a web browser.")
	if len(studies) > 0 {
		w("")
		w("IMAGING STUDIES")
		for i, es := range studies {
			st := es.study
			w("")
			w("%d. %s", i+1, studyTitle(st))
			if es.folder != "" {
				w("   Folder: %s", es.folder)
			}
			if st.Accession != "" {
				w("   Accession number: %s", st.Accession)
			}
			if st.Institution != "" {
				w("   Institution: %s", st.Institution)
			}
			for _, se := range st.Series {
				if dir, ok := es.series[se.ID]; ok {
					w("   %s: %s (%s)", dir, seriesName(se), plural(es.files[se.ID], "file", "files"))
				}
			}
		}
	}
	if len(docs) > 0 {
		w("")
		w("DOCUMENTS")
		w("")
		for _, ed := range docs {
			w("%s %s (%s)", ed.number(), docTitle(ed.doc), joinNonEmpty(", ", ed.doc.Date.Human(), ed.doc.Kind.Label(), ed.doc.Source))
			for _, n := range ed.names {
				w("   %s", n)
			}
		}
	}
	w("")
	w("FOR THE CLINIC")
	w("")
	if len(studies) > 0 {
		w("Import the images into your image archive (PACS) from DICOMDIR, as from")
		w("a hospital disc; the DICOM files are unchanged, so their UIDs match the")
		w("original studies. ")
	}
	w("The packet PDF holds every document; the originals are here in case a")
	w("page needs to be seen as it was received.")
	w("")
	w("FOR THE PATIENT")
	w("")
	w("To send this to a clinic, upload the whole folder (or the .zip) where")
	w("they ask, or copy it to a USB stick or burn it to a CD or DVD: copy")
	w("everything, keeping DICOMDIR, the DICOM folder and this file together at")
	w("the top. Keep it private: it holds medical information.")
	return b.String()
}

var indexTemplate = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Second opinion packet: {{.Who}}</title>
<style>body{font-family:sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.4}
td,th{text-align:left;padding:.2em .6em;border-bottom:1px solid #ccc}code{font-size:95%}</style></head>
<body><h1>Second opinion packet with its originals</h1>
<p>Patient: {{.Who}}. Prepared {{.Prepared}}, with Second Opinion.</p>
<h2>What is where</h2><ul>
<li><a href="{{.Packet}}">{{.Packet}}</a>: the packet to read first ({{.Pages}}).</li>
{{if .Studies}}<li><code>DICOMDIR</code> and the <code>DICOM</code> folder: {{.Imaging}}, in DICOM, byte for byte as they came from the hospital. Open them with a DICOM viewer, or import them into an image archive (PACS) from DICOMDIR.</li>{{end}}
{{if .Docs}}<li>The <code>Documents</code> folder: the original files of the packet's documents, as received.</li>{{end}}
</ul>
{{if .Studies}}<h2>Imaging studies</h2><table><tr><th>Study</th><th>Accession no.</th><th>Institution</th><th>Folder</th></tr>
{{range .Studies}}<tr><td>{{.Title}}</td><td>{{.Accession}}</td><td>{{.Institution}}</td><td><code>{{.Folder}}</code></td></tr>{{end}}</table>{{end}}
{{if .Docs}}<h2>Documents</h2><table><tr><th>No.</th><th>Document</th><th>Files</th></tr>
{{range .Docs}}<tr><td>{{.N}}</td><td>{{.Title}}</td><td>{{range .Files}}<a href="{{.}}">{{.}}</a><br>{{end}}</td></tr>{{end}}</table>{{end}}
<p>To send this to a clinic, upload the whole folder (or the .zip), or copy everything to a USB stick or disc, keeping DICOMDIR and the DICOM folder together at the top. It holds private medical information.</p>
</body></html>
`))

func indexHTML(p *packet, pres Result, studies []*encStudy, docs []encDoc) ([]byte, error) {
	type st struct{ Title, Accession, Institution, Folder string }
	type dc struct {
		N     string
		Title string
		Files []string
	}
	who := p.person.FullName
	if !p.person.DateOfBirth.IsZero() {
		who += ", born " + p.person.DateOfBirth.Human()
	}
	series, images := discTotals(p.studies)
	data := struct {
		Who, Prepared, Packet, Pages, Imaging string
		Studies                               []st
		Docs                                  []dc
	}{Who: who, Prepared: p.prepared.Format("2 January 2006"), Packet: PacketName, Pages: plural(pres.Pages, "page", "pages"),
		Imaging: fmt.Sprintf("%s in %s of %s", plural(images, "image", "images"), plural(series, "series", "series"), plural(len(studies), "study", "studies"))}
	for _, es := range studies {
		data.Studies = append(data.Studies, st{studyTitle(es.study), es.study.Accession, es.study.Institution, es.folder})
	}
	for _, ed := range docs {
		data.Docs = append(data.Docs, dc{ed.number(), docTitle(ed.doc), ed.names})
	}
	var buf bytes.Buffer
	err := indexTemplate.Execute(&buf, data)
	return buf.Bytes(), err
}

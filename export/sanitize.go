package export

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// Active content and hidden attachments.
//
// A patient's PDF may carry JavaScript, actions that run when the file or
// a page opens, buttons that launch programs or send the form somewhere,
// an XFA form and embedded files. Merged as they are, they would make the
// packet run scripts in the doctor's reader, carry files nobody sees, and
// be refused by hospital mail and records systems. Every PDF is cleaned
// before it is merged (sanitize), and the merged packet is cleaned once
// more, so that nothing pdfcpu carries over from a source's catalog (its
// name trees and form) slips through.

// Removed says what was taken out of a PDF, or out of one document's PDFs,
// on its way into the packet. The pages themselves are not changed.
type Removed struct {
	Scripts        int      // JavaScript: document scripts and script actions
	ActionsRemoved int      // other actions: automatic ones and ones reaching outside the document (launch, submit, other files, media)
	Attachments    []string // names of the embedded files left out, in the order found
	XFA            bool     // an XFA form description was dropped (AcroForm fields stay)
	Fields         int      // form fields made read-only, shown as filled in
}

// Any reports whether anything was taken out.
func (r Removed) Any() bool {
	return r.Scripts > 0 || r.ActionsRemoved > 0 || len(r.Attachments) > 0 || r.XFA
}

func (r *Removed) add(o Removed) {
	r.Scripts += o.Scripts
	r.ActionsRemoved += o.ActionsRemoved
	r.Attachments = append(r.Attachments, o.Attachments...)
	r.XFA = r.XFA || o.XFA
	r.Fields += o.Fields
}

// Sentences say, for the document's divider page, what was left out.
// The packet is read by a doctor, so the attachments are said to be kept
// with the patient's records, as the DICOM listing says of scans.
func (r Removed) Sentences() []string {
	var out []string
	if n := len(r.Attachments); n > 0 {
		names := make([]string, 0, min(n, 5))
		for _, a := range r.Attachments[:min(n, 5)] {
			names = append(names, shortName(a))
		}
		list := strings.Join(names, ", ")
		if n > 5 {
			list += fmt.Sprintf(" and %d more", n-5)
		}
		if n == 1 {
			out = append(out, fmt.Sprintf("1 attached file was not included: %s. It is kept in the patient's records and can be provided on request.", list))
		} else {
			out = append(out, fmt.Sprintf("%d attached files were not included: %s. They are kept in the patient's records and can be provided on request.", n, list))
		}
	}
	if r.Scripts > 0 || r.ActionsRemoved > 0 {
		out = append(out, "Scripts and automatic actions were removed.")
	}
	if r.XFA {
		out = append(out, "Its XFA form layer was removed; the form shows as its ordinary PDF pages.")
	}
	if r.Fields > 0 {
		out = append(out, "Its form fields show what was filled in and cannot be changed.")
	}
	return out
}

// shortName keeps a sender's file name fit for one line.
func shortName(s string) string {
	s = strings.Join(strings.Fields(clean(s)), " ")
	if s == "" {
		return "(no name)"
	}
	if r := []rune(s); len(r) > 60 {
		return string(r[:57]) + "..."
	}
	return s
}

// actionTypes are the values of an action dictionary's /S (PDF 32000-1,
// 12.6.4, and PDF 2.0 additions).
var actionTypes = map[string]bool{
	"GoTo": true, "GoToR": true, "GoToE": true, "GoToDp": true, "Launch": true, "Thread": true, "URI": true,
	"Sound": true, "Movie": true, "Hide": true, "Named": true, "SubmitForm": true, "ResetForm": true,
	"ImportData": true, "SetOCGState": true, "Rendition": true, "Trans": true, "GoTo3DView": true,
	"JavaScript": true, "ECMAScript": true, "RichMediaExecute": true,
}

// pageNavigation are the named actions every viewer must support; other
// names run viewer menu items (print, save as, ...).
var pageNavigation = map[string]bool{"NextPage": true, "PrevPage": true, "FirstPage": true, "LastPage": true}

// activeAnnots are annotation types that exist to play media or run
// embedded content; their appearance is at most a poster picture.
var activeAnnots = map[string]bool{"Screen": true, "Movie": true, "Sound": true, "RichMedia": true, "3D": true}

// sanitizer walks one PDF's object graph once, changing it in place.
type sanitizer struct {
	ctx     *model.Context
	rm      Removed
	seen    map[int]bool    // indirect objects already walked
	files   map[string]bool // attachments already named (by object or name)
	changed bool
	needAP  bool // a filled field has no appearance: viewers must draw it
}

// sanitize removes active content and embedded files from ctx, and makes
// its form fields read-only. It reports what it removed and whether it
// changed anything at all.
func sanitize(ctx *model.Context) (rm Removed, changed bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	root, err := ctx.Catalog()
	if err != nil {
		return Removed{}, false, err
	}
	s := &sanitizer{ctx: ctx, seen: map[int]bool{}, files: map[string]bool{}}
	if ctx.Root != nil {
		s.seen[ctx.Root.ObjectNumber.Value()] = true
	}
	s.catalog(root)
	s.walk(root)
	s.form(root)
	return s.rm, s.changed, nil
}

// catalog removes what lives only in the document catalog: the open
// action, document scripts, the attachments list, a portfolio view and
// the XFA form.
func (s *sanitizer) catalog(root types.Dict) {
	if o, ok := root.Find("OpenAction"); ok {
		if d := s.dict(o); d != nil && s.isAction(d) {
			s.countChain(d, true)
		}
		delete(root, "OpenAction")
		s.changed = true
	}
	if names := s.dict(root["Names"]); names != nil {
		if o, ok := names.Find("JavaScript"); ok {
			before := s.rm.Scripts + s.rm.ActionsRemoved
			s.nameTree(o, func(_ string, v types.Object) {
				if d := s.dict(v); d != nil {
					s.countChain(d, false)
				}
			})
			if s.rm.Scripts+s.rm.ActionsRemoved == before {
				s.rm.Scripts++ // a tree we could not read still held scripts
			}
			delete(names, "JavaScript")
			s.changed = true
		}
		if o, ok := names.Find("EmbeddedFiles"); ok {
			s.nameTree(o, func(key string, v types.Object) { s.noteFile(v, key) })
			delete(names, "EmbeddedFiles")
			s.changed = true
		}
		for _, k := range []string{"AlternatePresentations", "Renditions"} {
			if _, ok := names.Find(k); ok {
				delete(names, k)
				s.changed = true
			}
		}
	}
	// pdfcpu keeps its own copy of the name trees and writes it back
	// over the catalog's, and its merge copies it into the packet.
	for _, k := range []string{"JavaScript", "EmbeddedFiles", "AlternatePresentations", "Renditions"} {
		if _, ok := s.ctx.Names[k]; ok {
			delete(s.ctx.Names, k)
			s.changed = true
		}
	}
	if _, ok := root.Find("Collection"); ok {
		delete(root, "Collection")
		s.changed = true
	}
	if form := s.dict(root["AcroForm"]); form != nil {
		if _, ok := form.Find("XFA"); ok {
			delete(form, "XFA")
			s.rm.XFA = true
			s.changed = true
		}
	}
}

// walk visits every dictionary and array reachable from o, once each.
// It keeps its own stack: a chain of thousands of actions must not
// exhaust the goroutine's.
func (s *sanitizer) walk(o types.Object) {
	type item struct {
		o   types.Object
		obj int // the object number when o was reached by reference
	}
	stack := []item{{o: o}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		o := it.o
		if ref, ok := o.(types.IndirectRef); ok {
			n := ref.ObjectNumber.Value()
			if s.seen[n] {
				continue
			}
			s.seen[n] = true
			v, err := s.ctx.Dereference(ref)
			if err != nil || v == nil {
				continue // a broken reference reaches nothing a viewer could run
			}
			o, it.obj = v, n
		}
		var d types.Dict
		switch v := o.(type) {
		case types.Dict:
			d = v
		case types.StreamDict:
			d = v.Dict
		case types.Array:
			for _, c := range v {
				stack = append(stack, item{o: c})
			}
			continue
		default:
			continue
		}
		s.clean(d, it.obj)
		for _, c := range d {
			stack = append(stack, item{o: c})
		}
	}
}

// clean applies the rules for one dictionary, wherever it was found.
// obj is the dictionary's object number, 0 when it is a direct object.
func (s *sanitizer) clean(d types.Dict, obj int) {
	// Additional actions run by themselves (page opened, field left,
	// document printed): all go, whatever they do.
	if o, ok := d.Find("AA"); ok {
		if aa := s.dict(o); aa != nil {
			for _, a := range aa {
				if ad := s.dict(a); ad != nil && s.isAction(ad) {
					s.countChain(ad, true)
				}
			}
		}
		delete(d, "AA")
		s.changed = true
	}
	if _, ok := d.Find("OpenAction"); ok {
		delete(d, "OpenAction") // only a catalog has one; this is not a catalog we kept
		s.changed = true
	}
	// Any action the walk can reach through a key (/A of a link, widget
	// or outline item, /Next of another action) or inside an array (a
	// /Next list) is dropped unless it is harmless.
	for k, o := range d {
		switch o.(type) {
		case types.Array, types.IndirectRef, types.Dict:
		default:
			continue
		}
		if ad := s.dict(o); ad != nil && s.isAction(ad) && !s.allowed(ad) {
			s.countChain(ad, false)
			delete(d, k)
			s.changed = true
			continue
		}
		if arr := s.array(o); arr != nil {
			kept := arr[:0:0]
			for _, e := range arr {
				if ad := s.dict(e); ad != nil && s.isAction(ad) && !s.allowed(ad) {
					s.countChain(ad, false)
					continue
				}
				kept = append(kept, e)
			}
			if len(kept) != len(arr) {
				s.setArray(d, k, kept)
			}
		}
	}
	if o, ok := d.Find("Annots"); ok {
		s.annots(d, o)
	}
	if st := d.NameEntry("Subtype"); st != nil && *st == "FileAttachment" {
		// Off the page already (annots), but still referred to: it
		// becomes a plain note, which needs no file to be valid.
		if fs, ok := d.Find("FS"); ok {
			s.noteFile(fs, "")
		}
		d["Subtype"] = types.Name("Text")
		delete(d, "FS")
		delete(d, "Name")
		s.changed = true
	}
	// Associated files (PDF 2.0, PDF/A-3) and embedded file streams of a
	// file specification wherever one is still reachable.
	if o, ok := d.Find("AF"); ok {
		if arr := s.array(o); arr != nil {
			for _, e := range arr {
				s.noteFile(e, "")
			}
		}
		delete(d, "AF")
		s.changed = true
	}
	if _, ok := d.Find("EF"); ok {
		var o types.Object = d
		if obj > 0 {
			o = *types.NewIndirectRef(obj, 0)
		}
		s.noteFile(o, "")
		delete(d, "EF")
		delete(d, "RF")
		s.changed = true
	}
	if _, ok := d.Find("JS"); ok {
		// A script where no action type says so: no reader should run
		// it, and no mail filter should see it.
		delete(d, "JS")
		s.rm.Scripts++
		s.changed = true
	}
	if ft, ok := d.Find("FT"); ok && ft != nil {
		s.readOnly(d)
	}
}

// annots drops a page's file attachment annotations (and their pop-ups)
// and media annotations.
func (s *sanitizer) annots(page types.Dict, o types.Object) {
	arr := s.array(o)
	if arr == nil {
		return
	}
	gone := map[int]bool{}
	kept := arr[:0:0]
	for _, e := range arr {
		a := s.dict(e)
		if a == nil {
			kept = append(kept, e)
			continue
		}
		st := ""
		if n := a.NameEntry("Subtype"); n != nil {
			st = *n
		}
		switch {
		case st == "FileAttachment":
			s.noteFile(a["FS"], "")
		case activeAnnots[st]:
			s.rm.ActionsRemoved++
		default:
			kept = append(kept, e)
			continue
		}
		// The walk may still reach it another way (a reply's /IRT, the
		// structure tree); clean then takes its file or actions out.
		if ref, ok := e.(types.IndirectRef); ok {
			gone[ref.ObjectNumber.Value()] = true
		}
	}
	if len(kept) == len(arr) {
		return
	}
	// A pop-up belongs to the annotation it is the note of.
	final := kept[:0:0]
	for _, e := range kept {
		if a := s.dict(e); a != nil {
			if p, ok := a["Parent"].(types.IndirectRef); ok && gone[p.ObjectNumber.Value()] {
				continue
			}
		}
		final = append(final, e)
	}
	s.setArray(page, "Annots", final)
}

// form makes every field of the document's interactive form read-only and
// decides whether viewers must draw the fields' appearances themselves.
func (s *sanitizer) form(root types.Dict) {
	form := s.dict(root["AcroForm"])
	if form == nil {
		return
	}
	seen := map[int]bool{}
	var visit func(o types.Object, value bool, depth int)
	visit = func(o types.Object, value bool, depth int) {
		if depth > 32 {
			return
		}
		if visited(seen, o) {
			return
		}
		d := s.dict(o)
		if d == nil {
			return
		}
		if v, ok := d.Find("V"); ok {
			value = s.filled(v)
		}
		s.readOnly(d)
		kids := s.array(d["Kids"])
		terminal := true
		for _, k := range kids {
			if kd := s.dict(k); kd != nil {
				if _, ok := kd.Find("T"); ok {
					terminal = false
				}
			}
		}
		if _, ok := d.Find("T"); ok && terminal {
			s.rm.Fields++
		}
		if st := d.NameEntry("Subtype"); st != nil && *st == "Widget" && value {
			if ap := s.dict(d["AP"]); ap == nil || ap["N"] == nil {
				s.needAP = true
			}
		}
		for _, k := range kids {
			visit(k, value, depth+1)
		}
	}
	for _, f := range s.array(form["Fields"]) {
		visit(f, false, 0)
	}
	// A filled field without an appearance stream shows nothing unless
	// the viewer draws it; /NeedAppearances asks it to. One the sender
	// set stays: its appearances may be out of date.
	if s.needAP {
		if b, ok := form["NeedAppearances"].(types.Boolean); !ok || !b.Value() {
			form["NeedAppearances"] = types.Boolean(true)
			s.changed = true
		}
	}
}

// filled reports whether a field value shows something.
func (s *sanitizer) filled(v types.Object) bool {
	v, err := s.ctx.Dereference(v)
	if err != nil || v == nil {
		return false
	}
	switch x := v.(type) {
	case types.StringLiteral:
		return len(x) > 0
	case types.HexLiteral:
		return len(x) > 0
	case types.Name:
		return x != "Off" && x != ""
	case types.Array:
		return len(x) > 0
	}
	return true
}

// readOnly sets bit 1 (ReadOnly) of a field's /Ff flags.
func (s *sanitizer) readOnly(d types.Dict) {
	ff := 0
	if o, ok := d.Find("Ff"); ok {
		if n, err := s.ctx.DereferenceInteger(o); err == nil && n != nil {
			ff = n.Value()
		}
	}
	if ff&1 == 0 {
		d["Ff"] = types.Integer(ff | 1)
		s.changed = true
	}
}

// isAction reports whether d is an action dictionary. /S alone is not
// enough: border styles, transitions, page labels and structure elements
// use /S too, with other values.
func (s *sanitizer) isAction(d types.Dict) bool {
	st := d.NameEntry("S")
	if st == nil || !actionTypes[*st] {
		return false
	}
	t := d.NameEntry("Type")
	return t == nil || *t == "Action"
}

// allowed reports whether an action may stay: going to a place in the
// document, a plain web or mail link, turning pages, showing layers.
func (s *sanitizer) allowed(d types.Dict) bool {
	switch *d.NameEntry("S") {
	case "GoTo", "SetOCGState":
		return true
	case "Named":
		n := d.NameEntry("N")
		return n != nil && pageNavigation[*n]
	case "URI":
		o, ok := d.Find("URI")
		if !ok {
			return false
		}
		o, err := s.ctx.Dereference(o)
		if err != nil {
			return false
		}
		var raw string
		switch x := o.(type) {
		case types.StringLiteral:
			b, err := types.Unescape(string(x))
			if err != nil {
				return false
			}
			raw = string(b)
		case types.HexLiteral:
			b, err := x.Bytes()
			if err != nil {
				return false
			}
			raw = string(b)
		default:
			return false
		}
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			return false
		}
		switch strings.ToLower(u.Scheme) {
		case "http", "https", "mailto":
			return true
		}
	}
	return false
}

// countChain counts an action and the actions after it (/Next) as
// removed. With skipHarmless, GoTo and other allowed actions in the chain
// are not counted: an open action that goes to page 2 is not worth a
// sentence.
func (s *sanitizer) countChain(d types.Dict, skipHarmless bool) {
	seen := map[int]bool{}
	queue := []types.Dict{d}
	for i := 0; i < len(queue) && i < 1000; i++ {
		a := queue[i]
		if s.isAction(a) {
			switch st := *a.NameEntry("S"); {
			case st == "JavaScript" || st == "ECMAScript":
				s.rm.Scripts++
			case skipHarmless && s.allowed(a):
			default:
				s.rm.ActionsRemoved++
			}
		}
		next, ok := a.Find("Next")
		if !ok {
			continue
		}
		items := types.Array{next}
		if arr := s.array(next); arr != nil {
			items = arr
		}
		for _, e := range items {
			if visited(seen, e) {
				continue
			}
			if nd := s.dict(e); nd != nil {
				queue = append(queue, nd)
			}
		}
	}
}

// noteFile records the name of an embedded file once (by its file
// specification's object, else by name). A file specification without
// an embedded stream names a file outside the PDF: nothing to record.
// key is the name tree's key, used when the specification gives no name.
func (s *sanitizer) noteFile(o types.Object, key string) {
	d := s.dict(o)
	if d == nil {
		return
	}
	if _, ok := d.Find("EF"); !ok {
		return
	}
	name := fileSpecName(s.ctx, d)
	if name == "" {
		name = key
	}
	id := "name " + name
	if ref, ok := o.(types.IndirectRef); ok {
		id = fmt.Sprintf("obj %d", ref.ObjectNumber.Value())
	}
	if s.files[id] {
		return
	}
	s.files[id] = true
	s.rm.Attachments = append(s.rm.Attachments, name)
}

// fileSpecName is the name a file specification gives its file.
func fileSpecName(ctx *model.Context, d types.Dict) string {
	for _, k := range []string{"UF", "F", "Unix", "DOS", "Mac"} {
		if o, ok := d.Find(k); ok {
			if n, err := ctx.DereferenceStringOrHexLiteral(o, model.V10, nil); err == nil && strings.TrimSpace(n) != "" {
				// A path in a file specification uses / (or \ from DOS).
				n = n[strings.LastIndexAny(n, `/\`)+1:]
				if n != "" {
					return n
				}
			}
		}
	}
	return ""
}

// nameTree calls fn for every entry of a name tree (PDF 32000-1, 7.9.6).
func (s *sanitizer) nameTree(o types.Object, fn func(key string, v types.Object)) {
	walkNameTree(s.ctx, o, 0, map[int]bool{}, fn)
}

func walkNameTree(ctx *model.Context, o types.Object, depth int, seen map[int]bool, fn func(key string, v types.Object)) {
	if depth > 32 {
		return
	}
	if visited(seen, o) {
		return
	}
	d, err := ctx.DereferenceDict(o)
	if err != nil || d == nil {
		return
	}
	if names, err := ctx.DereferenceArray(d["Names"]); err == nil {
		for i := 0; i+1 < len(names); i += 2 {
			key, _ := ctx.DereferenceStringOrHexLiteral(names[i], model.V10, nil)
			fn(key, names[i+1])
		}
	}
	if kids, err := ctx.DereferenceArray(d["Kids"]); err == nil {
		for _, k := range kids {
			walkNameTree(ctx, k, depth+1, seen, fn)
		}
	}
}

// dict dereferences o to a dictionary (a stream's dictionary counts), or
// nil.
func (s *sanitizer) dict(o types.Object) types.Dict {
	if o == nil {
		return nil
	}
	v, err := s.ctx.Dereference(o)
	if err != nil || v == nil {
		return nil
	}
	switch x := v.(type) {
	case types.Dict:
		return x
	case types.StreamDict:
		return x.Dict
	}
	return nil
}

func (s *sanitizer) array(o types.Object) types.Array {
	if o == nil {
		return nil
	}
	v, err := s.ctx.Dereference(o)
	if err != nil || v == nil {
		return nil
	}
	a, _ := v.(types.Array)
	return a
}

// setArray replaces the array d[k] by a, where the array itself lives:
// in the dictionary, or in its own indirect object.
func (s *sanitizer) setArray(d types.Dict, k string, a types.Array) {
	s.changed = true
	if ref, ok := d[k].(types.IndirectRef); ok {
		if e, found := s.ctx.FindTableEntryForIndRef(&ref); found && e != nil {
			e.Object = a
			return
		}
	}
	d[k] = a
}

// cleanPDF reads prepared PDF bytes, sanitizes them and, when anything
// changed, writes them anew. It returns the bytes to merge and what was
// removed.
func cleanPDF(data []byte) ([]byte, Removed, error) {
	ctx, err := readPDF(data)
	if err != nil {
		return nil, Removed{}, err
	}
	rm, changed, err := sanitize(ctx)
	if err != nil {
		return nil, Removed{}, err
	}
	if !changed {
		return data, rm, nil
	}
	var buf bytes.Buffer
	if err := writePDF(ctx, &buf); err != nil {
		return nil, Removed{}, err
	}
	return buf.Bytes(), rm, nil
}

func writePDF(ctx *model.Context, w *bytes.Buffer) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	if ctx == nil {
		return errors.New("no PDF")
	}
	return api.WriteContext(ctx, w)
}

package export

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"secondopinion/records"
)

// ErrNoAttachment is wrapped by SaveAttachment when the PDF holds no
// attachment of that name.
var ErrNoAttachment = errors.New("export: no such attachment")

// Attachment is a file embedded in a stored PDF. The packet leaves these
// out (see Removed); the app offers to save them instead.
type Attachment struct {
	Name        string // the file name the PDF gives, made unique within the PDF ("a.txt", "a.txt (2)")
	Description string // the sender's description, often empty
	Size        int64  // bytes, -1 when the PDF does not say
	Page        int    // the page it is pinned to; 0 when it is in the document's attachment list
}

// Attachments lists the files embedded in a stored PDF: in its
// attachment list, pinned to a page, or associated with the document or a
// page. A file that is not a PDF has none.
func Attachments(ctx context.Context, s *records.Store, f records.File) ([]Attachment, error) {
	if !f.IsPDF() {
		return nil, nil
	}
	found, _, err := readAttachments(ctx, s, f)
	if err != nil {
		return nil, err
	}
	out := make([]Attachment, len(found))
	for i, a := range found {
		out[i] = a.Attachment
	}
	return out, nil
}

// SaveAttachment writes the bytes of the attachment called name (as
// Attachments lists it) from a stored PDF to w.
func SaveAttachment(ctx context.Context, s *records.Store, f records.File, name string, w io.Writer) error {
	noSuch := &records.Problem{Msg: fmt.Sprintf("%s has no attached file called %s. Look at its list of attached files again.", f.Name, name), Err: ErrNoAttachment}
	if !f.IsPDF() {
		return noSuch
	}
	found, pc, err := readAttachments(ctx, s, f)
	if err != nil {
		return err
	}
	for _, a := range found {
		if a.Name != name {
			continue
		}
		data, err := embeddedBytes(pc, a.spec)
		if err != nil {
			return &records.Problem{Msg: fmt.Sprintf("The attached file %s inside %s is damaged and cannot be saved.", name, f.Name), Err: err}
		}
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("save attachment %q: %w", name, err)
		}
		return nil
	}
	return noSuch
}

type foundAttachment struct {
	Attachment
	spec types.Dict // the file specification
}

// readAttachments reads a stored PDF as the packet does and finds its
// embedded files.
func readAttachments(ctx context.Context, s *records.Store, f records.File) ([]foundAttachment, *model.Context, error) {
	setupPDFCPU()
	data, _, err := readPrepared(ctx, s, f)
	if err != nil {
		return nil, nil, err
	}
	pc, err := readPDF(data)
	if err != nil {
		return nil, nil, damagedPDF(f, err)
	}
	found, err := findAttachments(pc)
	if err != nil {
		return nil, nil, damagedPDF(f, err)
	}
	return found, pc, nil
}

// findAttachments lists the embedded files of a PDF, each once, in the
// order a reader shows them: the attachment list, then page by page.
func findAttachments(pc *model.Context) (found []foundAttachment, err error) {
	defer func() {
		if p := recover(); p != nil {
			found, err = nil, fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	root, err := pc.Catalog()
	if err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	names := map[string]int{}
	add := func(o types.Object, key string, page int) {
		if visited(seen, o) {
			return
		}
		spec, err := pc.DereferenceDict(o)
		if err != nil || spec == nil {
			return
		}
		if _, ok := spec.Find("EF"); !ok {
			return // names a file outside the PDF
		}
		a := Attachment{Name: fileSpecName(pc, spec), Size: -1, Page: page}
		if a.Name == "" {
			a.Name = key
		}
		if a.Name == "" {
			a.Name = "attachment"
		}
		if names[a.Name]++; names[a.Name] > 1 {
			a.Name = fmt.Sprintf("%s (%d)", a.Name, names[a.Name])
		}
		if o, ok := spec.Find("Desc"); ok {
			a.Description, _ = pc.DereferenceStringOrHexLiteral(o, model.V10, nil)
		}
		if sd := embeddedStream(pc, spec); sd != nil {
			if params, err := pc.DereferenceDict(sd.Dict["Params"]); err == nil && params != nil {
				if n, err := pc.DereferenceInteger(params["Size"]); err == nil && n != nil {
					a.Size = int64(n.Value())
				}
			}
		}
		found = append(found, foundAttachment{Attachment: a, spec: spec})
	}
	if names, err := pc.DereferenceDict(root["Names"]); err == nil && names != nil {
		walkNameTree(pc, names["EmbeddedFiles"], 0, map[int]bool{}, func(key string, v types.Object) { add(v, key, 0) })
	}
	af := func(d types.Dict, page int) {
		if arr, err := pc.DereferenceArray(d["AF"]); err == nil {
			for _, o := range arr {
				add(o, "", page)
			}
		}
	}
	af(root, 0)
	for i := 1; i <= pc.PageCount; i++ {
		pd, _, _, err := pc.PageDict(i, false)
		if err != nil || pd == nil {
			continue
		}
		annots, err := pc.DereferenceArray(pd["Annots"])
		if err == nil {
			for _, o := range annots {
				a, err := pc.DereferenceDict(o)
				if err != nil || a == nil {
					continue
				}
				if st := a.NameEntry("Subtype"); st != nil && *st == "FileAttachment" {
					add(a["FS"], "", i)
				}
			}
		}
		af(pd, i)
	}
	return found, nil
}

// embeddedStream is a file specification's embedded file stream, or nil.
func embeddedStream(pc *model.Context, spec types.Dict) *types.StreamDict {
	ef, err := pc.DereferenceDict(spec["EF"])
	if err != nil || ef == nil {
		return nil
	}
	o := ef["F"]
	if o == nil {
		o = ef["UF"]
	}
	sd, _, err := pc.DereferenceStreamDict(o)
	if err != nil {
		return nil
	}
	return sd
}

// embeddedBytes decodes a file specification's embedded file.
func embeddedBytes(pc *model.Context, spec types.Dict) (data []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			data, err = nil, fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	sd := embeddedStream(pc, spec)
	if sd == nil {
		return nil, errors.New("no embedded file stream")
	}
	if len(sd.FilterPipeline) == 0 {
		return sd.Raw, nil
	}
	if err := sd.Decode(); err != nil {
		return nil, err
	}
	return sd.Content, nil
}

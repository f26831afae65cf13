package media

// The page check for the lazy road (PDFs over LazyPDFSize, read through
// github.com/ledongthuc/pdf object by object instead of loaded whole by
// pdfcpu). It checks what pdfcheck.go checks, within what that reader
// offers: it decodes Flate and ASCII85 streams (the filters of content
// streams, fonts and most images) and takes streams in image codecs (DCT,
// JPX, JBIG2, CCITT) on trust, since the reader cannot hand out their raw
// bytes. The reader reports malformed input by panicking, so each page is
// checked under recover, and a panic marks that page bad.

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/ledongthuc/pdf"
)

// maxLazyVisits bounds the objects visited in one PDF. The reader gives
// no object identity to remember what was checked, so a form drawn by a
// thousand pages is checked a thousand times; a crafted file could nest
// forms to make that exponential.
const maxLazyVisits = 1_000_000

// lazyChecker checks pages read by the lazy reader.
type lazyChecker struct {
	budget   int64 // decoded bytes left
	visits   int
	tooLarge error
}

// checkPagesLazy returns the page count of doc, the pages that cannot be
// read and the first problem found; err wraps ErrTooLarge or is the
// context's error.
func checkPagesLazy(ctx context.Context, doc *pdf.Reader, budget int64) (pages int, bad []int, first, err error) {
	c := &lazyChecker{budget: budget}
	var leaves []lazyLeaf
	func() {
		defer func() {
			if p := recover(); p != nil {
				leaves = nil
			}
		}()
		leaves = lazyLeaves(doc.Trailer().Key("Root").Key("Pages"), lazyInherited{}, 0, nil)
	}()
	declared := doc.NumPage()
	for len(leaves) < declared {
		leaves = append(leaves, lazyLeaf{err: errors.New("page missing from the page tree")})
	}
	for i, lf := range leaves {
		if err := ctx.Err(); err != nil {
			return 0, nil, nil, err
		}
		perr := lf.err
		if perr == nil {
			perr = c.page(lf)
		}
		if c.tooLarge != nil {
			return 0, nil, nil, c.tooLarge
		}
		if perr != nil {
			bad = append(bad, i+1)
			if first == nil {
				first = fmt.Errorf("page %d: %w", i+1, perr)
			}
		}
	}
	return len(leaves), bad, first, nil
}

type lazyInherited struct{ resources pdf.Value }

type lazyLeaf struct {
	page, resources pdf.Value
	err             error
}

// lazyLeaves walks a page tree node, as pageLeaves does.
func lazyLeaves(node pdf.Value, in lazyInherited, depth int, leaves []lazyLeaf) []lazyLeaf {
	if node.Kind() != pdf.Dict {
		return append(leaves, lazyLeaf{err: errors.New("page object is missing")})
	}
	if r := node.Key("Resources"); !r.IsNull() {
		in.resources = r
	}
	kids := node.Key("Kids")
	if node.Key("Type").Name() == "Page" || kids.Kind() != pdf.Array {
		return append(leaves, lazyLeaf{page: node, resources: in.resources})
	}
	if depth > maxResourceDepth {
		return append(leaves, lazyLeaf{err: errors.New("page tree nests too deeply")})
	}
	for i := 0; i < kids.Len(); i++ {
		leaves = lazyLeaves(kids.Index(i), in, depth+1, leaves)
	}
	return leaves
}

// page checks one page; a panic in the reader makes the page bad.
func (c *lazyChecker) page(lf lazyLeaf) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("reader: %v", p)
		}
	}()
	if _, present := keys(lf.page)["Contents"]; present {
		contents := lf.page.Key("Contents")
		switch contents.Kind() {
		case pdf.Array:
			for i := 0; i < contents.Len(); i++ {
				if err := c.stream(contents.Index(i), false, "content stream"); err != nil {
					return err
				}
			}
		default:
			if err := c.stream(contents, false, "content stream"); err != nil {
				return err
			}
		}
	}
	return c.resources(lf.resources, 0)
}

// keys returns the keys of a dictionary as a set.
func keys(v pdf.Value) map[string]bool {
	m := map[string]bool{}
	for _, k := range v.Keys() {
		m[k] = true
	}
	return m
}

func (c *lazyChecker) visit() error {
	c.visits++
	if c.visits > maxLazyVisits {
		c.tooLarge = fmt.Errorf("more than %d objects to check: %w (%w)", maxLazyVisits, ErrTooLarge, ErrUnreadable)
		return c.tooLarge
	}
	return nil
}

func (c *lazyChecker) resources(res pdf.Value, depth int) error {
	if res.IsNull() {
		return nil
	}
	if depth > maxResourceDepth {
		return errors.New("resources nest too deeply")
	}
	if res.Kind() != pdf.Dict {
		return errors.New("resource dictionary is missing")
	}
	for _, kind := range []string{"Font", "XObject"} {
		if !keys(res)[kind] {
			continue
		}
		sub := res.Key(kind)
		if sub.Kind() != pdf.Dict {
			return fmt.Errorf("%s resources are missing", kind)
		}
		for _, name := range sub.Keys() {
			if err := c.visit(); err != nil {
				return err
			}
			v := sub.Key(name)
			var err error
			if kind == "Font" {
				err = c.font(v, depth)
			} else {
				err = c.xobject(v, depth)
			}
			if err != nil {
				return fmt.Errorf("%s /%s: %w", kind, name, err)
			}
		}
	}
	return nil
}

func (c *lazyChecker) font(f pdf.Value, depth int) error {
	if f.Kind() != pdf.Dict {
		return errors.New("font is missing")
	}
	if fd := f.Key("FontDescriptor"); fd.Kind() == pdf.Dict {
		for _, k := range []string{"FontFile", "FontFile2", "FontFile3"} {
			if keys(fd)[k] {
				if err := c.stream(fd.Key(k), false, "embedded font"); err != nil {
					return err
				}
			}
		}
	}
	if df := f.Key("DescendantFonts"); df.Kind() == pdf.Array && depth < maxResourceDepth {
		for i := 0; i < df.Len(); i++ {
			if err := c.font(df.Index(i), depth+1); err != nil {
				return err
			}
		}
	}
	if f.Key("Subtype").Name() == "Type3" {
		cp := f.Key("CharProcs")
		for _, name := range cp.Keys() {
			if err := c.stream(cp.Key(name), false, "glyph /"+name); err != nil {
				return err
			}
		}
		return c.resources(f.Key("Resources"), depth+1)
	}
	return nil
}

func (c *lazyChecker) xobject(x pdf.Value, depth int) error {
	if x.Kind() != pdf.Stream {
		return errors.New("XObject is missing")
	}
	image := x.Key("Subtype").Name() == "Image"
	if err := c.stream(x, image, "XObject"); err != nil {
		return err
	}
	if image {
		if m := x.Key("SMask"); m.Kind() == pdf.Stream {
			return c.stream(m, true, "image mask")
		}
		return nil
	}
	return c.resources(x.Key("Resources"), depth+1)
}

// stream decodes a stream into a counter, as pageChecker.decode does.
func (c *lazyChecker) stream(s pdf.Value, image bool, what string) error {
	if s.Kind() != pdf.Stream {
		return fmt.Errorf("%s is missing", what)
	}
	if !lazyDecodable(s) {
		return nil
	}
	limit := c.budget
	if !image {
		limit = min(limit, MaxPDFStreamBytes)
	}
	rc := s.Reader()
	defer rc.Close()
	n, err := io.Copy(io.Discard, io.LimitReader(rc, limit+1))
	if n > limit {
		what := "a stream"
		if limit == c.budget {
			what = "this PDF"
		}
		c.tooLarge = tooLarge(what, limit)
		return c.tooLarge
	}
	c.budget -= n
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%s data is corrupt: %v", what, err)
	}
	return nil
}

// lazyDecodable reports whether the lazy reader decodes the stream s
// without panicking on an unsupported filter or parameter: Flate with no
// predictor or PNG Up (12), and ASCII85 without parameters.
func lazyDecodable(s pdf.Value) bool {
	filters, parms := s.Key("Filter"), s.Key("DecodeParms")
	if filters.Kind() == pdf.Name {
		return lazyFilter(filters.Name(), parms)
	}
	for i := 0; i < filters.Len(); i++ {
		if !lazyFilter(filters.Index(i).Name(), parms.Index(i)) {
			return false
		}
	}
	return filters.IsNull() || filters.Kind() == pdf.Array
}

func lazyFilter(name string, parms pdf.Value) bool {
	switch name {
	case "FlateDecode":
		p := parms.Key("Predictor")
		return p.IsNull() || p.Int64() == 12
	case "ASCII85Decode":
		return len(parms.Keys()) == 0
	}
	return false
}

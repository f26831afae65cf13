package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"

	"secondopinion/records"
)

// EmailLimit is the largest packet file, in bytes, that fits a 25 MB
// e-mail. Mail limits count the message as sent, and an attachment is sent
// in base64, which makes it a third larger (4 bytes for every 3), plus the
// message's own headers and text: 18 MB of PDF becomes 24 MB on the wire,
// leaving about 1 MB of room under the 25 MB that Gmail, Outlook.com and
// most hospital mail systems take. Sizes are decimal (1 MB = 1,000,000
// bytes), as mail systems count.
const EmailLimit = 18_000_000

// EmailMailLimit is the e-mail size EmailLimit is made for, in bytes.
const EmailMailLimit = 25_000_000

// EmailFit says whether a packet of n bytes fits one 25 MB e-mail, for the
// estimate shown before an export; forEmail says the packet is being made
// for e-mail (Options.ForEmail), so it would be split rather than sent whole.
func EmailFit(n int64, forEmail bool) string {
	carries := records.HumanBytes(EmailLimit)
	switch {
	case n <= EmailLimit:
		return fmt.Sprintf("It fits in one e-mail (a 25 MB e-mail carries about %s of PDF).", carries)
	case forEmail:
		parts := (n + EmailLimit*9/10 - 1) / (EmailLimit * 9 / 10)
		return fmt.Sprintf("It is more than one e-mail carries (about %s of PDF in a 25 MB e-mail), so it will be saved in about %d parts, each for an e-mail of its own.", carries, parts)
	}
	return fmt.Sprintf("It is too large for one e-mail: a 25 MB e-mail carries about %s of PDF, because attachments grow by a third when they are sent. Choose \"For e-mail\" to make it smaller, in parts if it must be.", carries)
}

// Written is one file an export wrote.
type Written struct {
	Path      string
	Pages     int   // pages in this file
	FirstPage int   // the packet's page number of its first page
	Bytes     int64 // size on disk
	TooLarge  bool  // more than EmailLimit although the packet was made for e-mail
}

// PartName is the file name of part k (from 1) of a packet split for
// e-mail: packet.pdf becomes packet-part1.pdf, packet-part2.pdf, ...
func PartName(out string, k int) string {
	ext := filepath.Ext(out)
	if !strings.EqualFold(ext, ".pdf") {
		return fmt.Sprintf("%s-part%d.pdf", out, k)
	}
	return fmt.Sprintf("%s-part%d%s", strings.TrimSuffix(out, ext), k, ext)
}

// split says which file holds each document of a packet written in
// parts. part[i] is the part (from 1) of the i-th document that goes in;
// names[k-1] is the file name of part k.
type split struct {
	part  []int
	names []string
}

// Overheads in the per-part size guess: our fonts and front pages appear
// in every part that uses them; each page costs its dictionary, footer and
// cross-reference entry.
const (
	partOverhead = 400_000
	pageOverhead = 1_500
)

// docBytes guesses what a prepared document adds to a packet file.
func docBytes(pr *prepared) int64 {
	n := int64(pr.pages) * pageOverhead
	for _, pt := range pr.parts {
		n += int64(len(pt.pdf) + len(pt.jpg))
	}
	return n
}

// assignParts puts the documents into parts in packet order, each part
// holding as many as fit budget bytes; part 1 also holds the front
// sections. A document larger than budget on its own gets a part of its
// own; a document of imaging studies only, which has no pages, is in part
// 1 with the Imaging section (so parts are not in order). It returns nil
// when everything fits one file.
func assignParts(docs []*prepared, front, budget int64) []int {
	var part []int
	k, used, inPart := 1, front, 0
	for _, pr := range docs {
		if pr.issue != nil {
			continue
		}
		if pr.inImaging() {
			// Its place is the Imaging section, in part 1.
			part = append(part, 1)
			continue
		}
		n := docBytes(pr)
		// A part that already holds something (the front sections in
		// part 1, or a document) starts a new one when this document
		// would not fit.
		if used+n > budget && (k == 1 || inPart > 0) {
			k++
			used, inPart = partOverhead, 0
		}
		part = append(part, k)
		used += n
		inPart++
	}
	if k == 1 {
		return nil
	}
	return part
}

// writeParts writes a packet made for e-mail, or with a password: in one
// file when it fits (or when it was not made for e-mail), else in parts of
// at most EmailLimit bytes. Every byte goes through memory and pdfcpu's
// writer, which encrypts as it writes when opt.Password is set, so no
// plain copy of an encrypted packet ever reaches the disk.
func writeParts(ctx context.Context, s *records.Store, out string, opt Options, p *packet, prepared []*prepared, prog *progress) ([]Written, *plan, []string, error) {
	// gofpdf and pdfcpu take the pictures' and PDFs' bytes as they go;
	// a second round (parts turned out too large) needs them again.
	type saved struct{ pdf, jpg []byte }
	keep := map[*part]saved{}
	for _, pr := range prepared {
		for k := range pr.parts {
			pt := &pr.parts[k]
			keep[pt] = saved{pt.pdf, pt.jpg}
		}
	}
	restore := func() {
		for pt, b := range keep {
			pt.pdf, pt.jpg = b.pdf, b.jpg
		}
	}
	budget := int64(EmailLimit)
	for round := 0; ; round++ {
		restore()
		var sp *split
		if opt.ForEmail {
			if part := assignParts(prepared, partOverhead, budget); part != nil {
				sp = &split{part: part}
				for k := 1; k <= slices.Max(part); k++ {
					sp.names = append(sp.names, filepath.Base(PartName(out, k)))
				}
			}
		}
		pl, ours, err := layoutPacket(p, prepared, sp)
		if err != nil {
			return nil, nil, nil, fail("packet", err)
		}
		if round == 0 {
			prog.total += len(pl.pdfParts)
			prog.step(1)
		}
		dest, err := assemble(ctx, ours, p, pl, prog)
		if err != nil {
			return nil, nil, nil, fail("packet", err)
		}
		files, err := cutParts(dest, pl, sp, opt.Password)
		if err != nil {
			return nil, nil, nil, fail("packet", err)
		}
		// A part of several documents that came out larger than the
		// guess is made again with a smaller budget; one document alone
		// cannot be made smaller this way.
		worst := 1.0
		for k, f := range files {
			if opt.ForEmail && int64(len(f.data)) > EmailLimit && docsIn(pl, sp, k+1) != 1 {
				worst = max(worst, float64(len(f.data))/EmailLimit)
			}
		}
		if opt.ForEmail && worst > 1 && round < 3 {
			budget = int64(float64(budget) / worst * 0.97)
			continue
		}
		if opt.ForEmail && sp == nil && len(files) == 1 && int64(len(files[0].data)) > EmailLimit && round < 3 {
			// One file by the guess, too large in fact.
			budget = int64(float64(budget) / (float64(len(files[0].data)) / EmailLimit) * 0.97)
			continue
		}
		// Every destination is checked before the first is written, so a
		// part that may not be replaced stops the export with none saved.
		if sp != nil { // out itself was checked by WritePacket
			for k := range files {
				if err := CheckTarget(s, PartName(out, k+1)); err != nil {
					return nil, nil, nil, err
				}
			}
		}
		var written []Written
		var notes []string
		for k, f := range files {
			path := out
			if sp != nil {
				path = PartName(out, k+1)
			}
			data := f.data
			n, err := writeAtomic(ctx, s, path, func(w io.Writer) error {
				_, err := w.Write(data)
				return err
			})
			if err != nil {
				if len(written) > 0 {
					return nil, nil, nil, partFailed(written, err)
				}
				return nil, nil, nil, err
			}
			wr := Written{Path: path, Pages: f.pages, FirstPage: f.first, Bytes: n}
			if opt.ForEmail && n > EmailLimit {
				wr.TooLarge = true
				notes = append(notes, tooLargeNote(pl, sp, k+1, wr))
			}
			written = append(written, wr)
			files[k].data = nil
		}
		if opt.ForEmail {
			first := len(files) + 1
			if sp == nil {
				first = 1
			}
			removeStaleParts(out, first)
		}
		return written, pl, notes, nil
	}
}

// partFailed says which parts were written before one failed.
func partFailed(done []Written, err error) error {
	var names []string
	for _, w := range done {
		names = append(names, filepath.Base(w.Path))
	}
	return &records.Problem{Msg: fmt.Sprintf("%s Only %s were saved, so the packet is incomplete: fix this and export again.", records.Explain(err), strings.Join(names, ", ")), Err: err}
}

func tooLargeNote(pl *plan, sp *split, k int, w Written) string {
	name := filepath.Base(w.Path)
	if sp != nil {
		for i, pr := range pl.docs {
			if sp.part[i] == k && docsIn(pl, sp, k) == 1 {
				return fmt.Sprintf("%s is %s, too large for most e-mail (a 25 MB e-mail carries about %s of PDF): it holds only \"%s\", which is that large on its own even after compression. Send that part another way (a secure file-sharing link or a USB stick), or ask the hospital how they take large files.",
					name, records.HumanBytes(w.Bytes), records.HumanBytes(EmailLimit), docTitle(pr.doc))
			}
		}
	}
	return fmt.Sprintf("%s is %s, too large for most e-mail (a 25 MB e-mail carries about %s of PDF). Leave some documents out, or send it another way (a secure file-sharing link or a USB stick).",
		name, records.HumanBytes(w.Bytes), records.HumanBytes(EmailLimit))
}

// docsIn counts the documents in part k (all of them when there are no parts).
func docsIn(pl *plan, sp *split, k int) int {
	if sp == nil {
		return len(pl.docs)
	}
	n := 0
	for _, x := range sp.part {
		if x == k {
			n++
		}
	}
	return n
}

// partBytes is one file of a packet, made in memory, and its pages.
type partBytes struct {
	data         []byte
	first, pages int
}

// partRanges gives each part's first and last page of the packet.
func partRanges(pl *plan, sp *split) [][2]int {
	if sp == nil {
		return [][2]int{{1, pl.total}}
	}
	n := slices.Max(sp.part)
	r := make([][2]int, n)
	r[0][0] = 1
	for i, pr := range pl.docs {
		if pr.inImaging() {
			continue // no pages of its own
		}
		k := sp.part[i] - 1
		if r[k][0] == 0 {
			r[k][0] = pl.start[i]
		}
		r[k][1] = pl.end(i)
	}
	// Part 1 ends where part 2 begins: it holds the front sections even
	// when no document goes with them.
	if r[0][1] == 0 {
		r[0][1] = r[1][0] - 1
	}
	return r
}

// cutParts turns the assembled packet into its files: the packet itself,
// or one standalone PDF per part, each with its pages' footers (page
// numbers stay those of the whole packet, so the contents and the index
// hold in every part), its own bookmarks, and encryption when pw is set.
func cutParts(dest *model.Context, pl *plan, sp *split, pw string) ([]partBytes, error) {
	if sp == nil {
		var buf bytes.Buffer
		if err := writeEncrypted(dest, pw, &buf); err != nil {
			return nil, err
		}
		return []partBytes{{data: buf.Bytes(), first: 1, pages: pl.total}}, nil
	}
	// The parts are extracted from the packet as pdfcpu reads it back
	// from its own writing, as each part is below.
	var whole bytes.Buffer
	if err := api.WriteContext(dest, &whole); err != nil {
		return nil, fmt.Errorf("write packet: %w", err)
	}
	ctx, err := readPDF(whole.Bytes())
	if err != nil {
		return nil, fmt.Errorf("read packet: %w", err)
	}
	whole = bytes.Buffer{}
	ranges := partRanges(pl, sp)
	all := bookmarks(pl)
	// Each part gets its own bookmarks; the packet's (and the named
	// destinations they use) would point into other files, and pdfcpu
	// fails when it moves them while extracting pages.
	if err := dropOutlines(ctx); err != nil {
		return nil, err
	}
	out := make([]partBytes, 0, len(ranges))
	for k, r := range ranges {
		pages := make([]int, 0, r[1]-r[0]+1)
		for pg := r[0]; pg <= r[1]; pg++ {
			pages = append(pages, pg)
		}
		sub, err := extractPages(ctx, pages)
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", k+1, err)
		}
		copyInfo(ctx, sub, fmt.Sprintf(" (part %d of %d)", k+1, len(ranges)))
		// pdfcpu's extracted context finds its pages only once written
		// and read again (in memory).
		var plain bytes.Buffer
		if err := api.WriteContext(sub, &plain); err != nil {
			return nil, fmt.Errorf("part %d: %w", k+1, err)
		}
		if sub, err = readPDF(plain.Bytes()); err != nil {
			return nil, fmt.Errorf("part %d: %w", k+1, err)
		}
		plain = bytes.Buffer{}
		if bms := partBookmarks(all, r); len(bms) > 0 {
			if err := pdfcpu.AddBookmarks(sub, bms, true); err != nil {
				return nil, fmt.Errorf("part %d bookmarks: %w", k+1, err)
			}
		}
		if err := openAtCover(sub); err != nil {
			return nil, fmt.Errorf("part %d: %w", k+1, err)
		}
		var buf bytes.Buffer
		if err := writeEncrypted(sub, pw, &buf); err != nil {
			return nil, fmt.Errorf("part %d: %w", k+1, err)
		}
		out = append(out, partBytes{data: buf.Bytes(), first: r[0], pages: len(pages)})
	}
	return out, nil
}

func extractPages(ctx *model.Context, pages []int) (sub *model.Context, err error) {
	defer func() {
		if p := recover(); p != nil {
			sub, err = nil, fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	return pdfcpu.ExtractPages(ctx, pages, false)
}

// partBookmarks keeps the bookmarks that point into pages r, renumbered
// from the part's first page.
func partBookmarks(all []pdfcpu.Bookmark, r [2]int) []pdfcpu.Bookmark {
	var out []pdfcpu.Bookmark
	for _, b := range all {
		kids := partBookmarks(b.Kids, r)
		in := b.PageFrom >= r[0] && b.PageFrom <= r[1]
		if !in && len(kids) == 0 {
			continue
		}
		nb := pdfcpu.Bookmark{Title: b.Title, PageFrom: b.PageFrom - r[0] + 1, Kids: kids}
		if !in {
			nb.PageFrom = kids[0].PageFrom
		}
		out = append(out, nb)
	}
	return out
}

// copyInfo gives a part the packet's title, author and subject, its title
// followed by which part it is.
func copyInfo(from, to *model.Context, suffix string) {
	if from.Info == nil {
		return
	}
	d, err := from.DereferenceDict(*from.Info)
	if err != nil || d == nil {
		return
	}
	nd := types.Dict{}
	for k, v := range d {
		switch v.(type) {
		case types.StringLiteral, types.HexLiteral, types.Name:
			nd[k] = v
		}
	}
	if t, err := from.DereferenceStringOrHexLiteral(d["Title"], model.V10, nil); err == nil && t != "" {
		nd["Title"] = types.StringLiteral(types.EncodeUTF16String(t + suffix))
	}
	ref, err := to.IndRefForNewObject(nd)
	if err == nil {
		to.Info = ref
	}
}

// drawPartsNote says, above the documents in the contents, that the packet
// comes as several files and which pages each holds.
func drawPartsNote(d *doc, pl *plan) {
	ranges := partRanges(pl, pl.split)
	var files []string
	for k, r := range ranges {
		name := pl.split.names[k]
		if k == 0 {
			name += " (this file)"
		}
		files = append(files, fmt.Sprintf("part %d, %s, pages %d to %d", k+1, name, r[0], r[1]))
	}
	d.pdf.SetTextColor(inkMuted, inkMuted, inkMuted)
	d.text(fmt.Sprintf("This packet was split into %d files to be sent by e-mail: %s. Page numbers run on through all of them.",
		len(ranges), strings.Join(files, "; ")), 10, 5, "", 0)
	d.pdf.SetTextColor(inkText, inkText, inkText)
	d.pdf.Ln(2)
}

// dropOutlines removes the bookmarks and named destinations of a packet.
func dropOutlines(ctx *model.Context) error {
	root, err := ctx.Catalog()
	if err != nil {
		return err
	}
	delete(root, "Outlines")
	delete(root, "Dests")
	if o, ok := root.Find("Names"); ok {
		if names, err := ctx.DereferenceDict(o); err == nil && names != nil {
			delete(names, "Dests")
		}
	}
	delete(ctx.Names, "Dests")
	return nil
}

// removeStaleParts removes the parts from number first on that an earlier
// export to the same name left (packet-part4.pdf when this packet has three
// parts, or every part when it now fits one file), so that no part of an
// older packet is sent with the new one by mistake. Only PDFs are removed.
func removeStaleParts(out string, first int) {
	for k := first; ; k++ {
		p := PartName(out, k)
		if !isPDFFile(p) {
			return
		}
		os.Remove(p)
	}
}

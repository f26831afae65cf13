package records

import (
	"context"
	"strings"

	"secondopinion/records/ocr"
)

// linkText is the text of one of a document's links to a file, of the
// pages the document shows: a page moved here from a PDF brings only its
// own words, and a page left out takes its words with it, so a search
// finds the document by what it shows.
type linkText struct {
	position int
	name     string // the file's name
	text     string // its PDF text layer, pages apart by "\n\f"
	read     string // what OCR read from its photos and scanned pages
}

// shownTexts returns the text of each of document documentID's links to
// its files, in order: the PDF's own text (file_text, pages apart by "\f",
// see records/media) and what OCR read (page_text, by page), each less the
// pages the document does not show (document_file.page names the one page
// it shows, page_setting.hidden the pages it leaves out). The OCR text of
// one link is capped like a PDF's text layer.
func shownTexts(ctx context.Context, q querier, documentID string) ([]linkText, error) {
	type link struct {
		linkText
		file string
		only int
	}
	var links []link
	rows, err := q.QueryContext(ctx, `SELECT df.position, df.file_id, df.page, f.name, coalesce(t.text, '') FROM document_file df
		JOIN file f ON f.id = df.file_id LEFT JOIN file_text t ON t.file_id = df.file_id
		WHERE df.document_id = ? ORDER BY df.position`, documentID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var l link
		if err := rows.Scan(&l.position, &l.file, &l.only, &l.name, &l.text); err != nil {
			rows.Close()
			return nil, err
		}
		links = append(links, l)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	hidden := map[string]map[int]bool{}
	rows, err = q.QueryContext(ctx, `SELECT file_id, page FROM page_setting WHERE document_id = ? AND hidden != 0`, documentID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var file string
		var page int
		if err := rows.Scan(&file, &page); err != nil {
			rows.Close()
			return nil, err
		}
		if hidden[file] == nil {
			hidden[file] = map[int]bool{}
		}
		hidden[file][page] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// As File.Shown: a link to one page shows that page only (its hidden
	// settings do not apply), a link to the whole file all but the hidden.
	shows := func(l *link, page int) bool {
		if l.only > 0 {
			return page == l.only
		}
		return !hidden[l.file][page]
	}
	at := make(map[int]*link, len(links))
	for i := range links {
		l := &links[i]
		at[l.position] = l
		if l.only == 0 && len(hidden[l.file]) == 0 {
			continue // every page: the text as it is
		}
		var kept []string
		for i, page := range strings.Split(l.text, "\f") {
			if shows(l, i+1) {
				if page = strings.TrimSpace(page); page != "" {
					kept = append(kept, page)
				}
			}
		}
		l.text = strings.Join(kept, "\n\f")
	}
	rows, err = q.QueryContext(ctx, `SELECT df.position, p.page, p.words FROM document_file df JOIN page_text p ON p.file_id = df.file_id
		WHERE df.document_id = ? AND p.status = 'done' ORDER BY df.position, p.page`, documentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var pos, page int
		var packed []byte
		if err := rows.Scan(&pos, &page, &packed); err != nil {
			return nil, err
		}
		l := at[pos]
		if l == nil || !shows(l, page) {
			continue
		}
		words, err := unpackWords(packed)
		if err != nil {
			return nil, err
		}
		t := ocr.Page{Words: words}.Text()
		if l.read != "" {
			t = l.read + "\n\n" + t
		}
		if len(t) > maxIndexedText {
			t = t[:maxIndexedText]
		}
		l.read = t
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]linkText, len(links))
	for i, l := range links {
		out[i] = l.linkText
	}
	return out, nil
}

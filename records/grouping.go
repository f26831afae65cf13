package records

import (
	"path/filepath"
	"slices"
	"strings"
	"unicode"
)

// pictureExts are the file name endings of pictures (phone photos, scans):
// chosen together, they are most often the pages of one letter.
var pictureExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true, ".tif": true, ".tiff": true,
	".webp": true, ".bmp": true, ".gif": true, ".heic": true}

// IsPicture reports whether a file name looks like a photo or scan.
func IsPicture(path string) bool { return pictureExts[strings.ToLower(filepath.Ext(path))] }

// GroupForAdding splits files chosen together into documents the way people
// expect: the pictures together as one document, its pages in file-name
// order (phones number photos in sequence: IMG_2 before IMG_10), and each
// PDF or other file as a document of its own, in the order chosen. With
// separate, every file is a document of its own.
func GroupForAdding(paths []string, separate bool) [][]string {
	var groups [][]string
	var pictures []string
	for _, p := range paths {
		if !separate && IsPicture(p) {
			pictures = append(pictures, p)
			continue
		}
		groups = append(groups, []string{p})
	}
	if len(pictures) > 0 {
		slices.SortStableFunc(pictures, func(a, b string) int { return naturalCompare(filepath.Base(a), filepath.Base(b)) })
		groups = append([][]string{pictures}, groups...)
	}
	return groups
}

// naturalCompare orders names as people count: runs of digits by value, the
// rest ignoring case ("IMG_2.jpg" before "IMG_10.jpg").
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		ra, rb := []rune(a), []rune(b)
		if unicode.IsDigit(ra[0]) && unicode.IsDigit(rb[0]) {
			na, ra2 := digits(a)
			nb, rb2 := digits(b)
			na, nb = strings.TrimLeft(na, "0"), strings.TrimLeft(nb, "0")
			if len(na) != len(nb) {
				return len(na) - len(nb)
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = ra2, rb2
			continue
		}
		ca, cb := unicode.ToLower(ra[0]), unicode.ToLower(rb[0])
		if ca != cb {
			return int(ca) - int(cb)
		}
		a, b = string(ra[1:]), string(rb[1:])
	}
	return len(a) - len(b)
}

func digits(s string) (run, rest string) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i], s[i:]
}

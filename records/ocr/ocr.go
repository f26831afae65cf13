// Package ocr reads the words of a photographed or scanned page with
// Tesseract, run as the `tesseract` command: no C library is linked, the
// app works without it, and a crash or a runaway in it ends only that
// process (it runs niced, with one thread, a memory cap and a timeout).
//
// Recognize takes an upright page image (the caller turns a photo upright
// by its EXIF orientation first, see records.Store.RunOCR) and returns the
// words with their boxes in the image's pixels, so a packet can lay an
// invisible text layer over exactly those words. RenderPDFPage and
// PDFPageText use poppler's pdftoppm and pdftotext for scanned PDF pages.
//
// The package imports nothing of this module.
package ocr

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ErrNoTesseract is returned when the tesseract command is not installed.
var ErrNoTesseract = errors.New("ocr: tesseract is not installed")

// ErrNoPoppler is returned when pdftoppm (poppler-utils) is not installed,
// so a scanned PDF page cannot be turned into an image.
var ErrNoPoppler = errors.New("ocr: pdftoppm is not installed")

// InstallHint is the sentence a user sees when Tesseract is missing.
const InstallHint = "Install Tesseract (sudo apt install tesseract-ocr) to search photographed letters."

// DefaultLanguage is used when none is chosen or the chosen one is not
// installed.
const DefaultLanguage = "eng"

// Limits for one page. A 12 MP phone photo of a letter takes about 5 s on
// two cores; two minutes is room for a slow machine, not for a runaway.
var (
	Timeout = 2 * time.Minute
	// Memory caps tesseract's address space (ulimit -v): a 12 MP page
	// peaks near 300 MB.
	Memory int64 = 1536 << 20
)

// Word is one recognised word: its text, its box in the image's pixels
// (X, Y the top-left corner) and Tesseract's confidence, 0-100.
type Word struct {
	Text       string
	X, Y, W, H int
	Conf       float64
	// Line numbers the words' lines across the page from 1, in reading
	// order; words of one line share it.
	Line int
}

// Page is what Recognize read from one image.
type Page struct {
	// Width and Height are the image's size in pixels: the space the word
	// boxes are in.
	Width, Height int
	Lang          string
	Words         []Word
}

// Text is the page's text: its lines in reading order, a blank line
// between blocks.
func (p Page) Text() string {
	var b strings.Builder
	last := 0
	for i, w := range p.Words {
		if i > 0 {
			if w.Line != last {
				b.WriteByte('\n')
			} else {
				b.WriteByte(' ')
			}
		}
		b.WriteString(w.Text)
		last = w.Line
	}
	return b.String()
}

// Available reports whether tesseract can be run: nil, or an error
// wrapping ErrNoTesseract.
func Available() error {
	if _, err := exec.LookPath("tesseract"); err != nil {
		return fmt.Errorf("%w: %v", ErrNoTesseract, err)
	}
	return nil
}

var langs struct {
	sync.Mutex
	list []string
}

// Languages lists the installed Tesseract languages ("eng", "deu"),
// without the orientation and script models ("osd"), sorted. It asks
// tesseract once per process.
func Languages(ctx context.Context) ([]string, error) {
	langs.Lock()
	defer langs.Unlock()
	if langs.list != nil {
		return langs.list, nil
	}
	if err := Available(); err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(cctx, "tesseract", "--list-langs").CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("ocr: list languages: %v: %s", err, bytes.TrimSpace(out))
	}
	list := parseLangs(string(out))
	langs.list = list
	return list, nil
}

func parseLangs(out string) []string {
	var list []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.Contains(line, " ") || strings.HasSuffix(line, ":") || line == "osd" || line == "equ" {
			continue
		}
		list = append(list, line)
	}
	sort.Strings(list)
	return list
}

// PickLanguage returns want when it is installed (a "+"-joined list when
// each part is), else DefaultLanguage when that is, else the first
// installed language.
func PickLanguage(installed []string, want string) string {
	has := map[string]bool{}
	for _, l := range installed {
		has[l] = true
	}
	ok := want != ""
	for _, part := range strings.Split(want, "+") {
		if !has[part] {
			ok = false
		}
	}
	switch {
	case ok:
		return want
	case has[DefaultLanguage] || len(installed) == 0:
		return DefaultLanguage
	default:
		return installed[0]
	}
}

// Recognize reads the words of the upright page image at path (JPEG,
// PNG, TIFF, PNM) in language lang ("eng", or "eng+deu").
func Recognize(ctx context.Context, path, lang string) (Page, error) {
	if err := Available(); err != nil {
		return Page{}, err
	}
	if lang == "" {
		lang = DefaultLanguage
	}
	cctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	// Page segmentation 1: automatic, with orientation and script
	// detection would need osd; 3 (the default, fully automatic without
	// osd) suits a letter's blocks of text.
	cmd := limited(cctx, "tesseract", path, "stdout", "-l", lang, "--psm", "3", "tsv")
	var stdout bytes.Buffer
	var stderr tail
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if cctx.Err() != nil && ctx.Err() == nil {
		return Page{}, fmt.Errorf("ocr: tesseract took longer than %v: %w", Timeout, cctx.Err())
	}
	if ctx.Err() != nil {
		return Page{}, ctx.Err()
	}
	if err != nil {
		return Page{}, fmt.Errorf("ocr: tesseract %s after %v: %v: %s", filepath.Base(path), time.Since(start).Round(time.Millisecond), err, strings.TrimSpace(stderr.String()))
	}
	p, err := ParseTSV(&stdout)
	if err != nil {
		return Page{}, err
	}
	p.Lang = lang
	return p, nil
}

// limited is the command name args, niced, single-threaded (OpenMP in
// tesseract spends more on two cores than it saves, and the app and the
// user's other work share them) and with its address space capped.
func limited(ctx context.Context, name string, args ...string) *exec.Cmd {
	argv := append([]string{name}, args...)
	if _, err := exec.LookPath("nice"); err == nil {
		argv = append([]string{"nice", "-n", "10"}, argv...)
	}
	var cmd *exec.Cmd
	if sh, err := exec.LookPath("sh"); err == nil && Memory > 0 {
		// ulimit in a shell that then execs the tool: Go cannot set a
		// child's rlimits itself.
		script := fmt.Sprintf(`ulimit -v %d 2>/dev/null; exec "$@"`, Memory>>10)
		cmd = exec.CommandContext(ctx, sh, append([]string{"-c", script, "sh"}, argv...)...)
	} else {
		cmd = exec.CommandContext(ctx, argv[0], argv[1:]...)
	}
	cmd.Env = append(os.Environ(), "OMP_THREAD_LIMIT=1", "LC_ALL=C")
	cmd.WaitDelay = 2 * time.Second
	return cmd
}

// ParseTSV reads tesseract's TSV output: level 1 rows give the page size,
// level 5 rows the words.
func ParseTSV(r io.Reader) (Page, error) {
	var p Page
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	type key struct{ block, par, line int }
	lines := map[key]int{}
	header := true
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if header {
			header = false
			if len(f) > 0 && f[0] == "level" {
				continue
			}
		}
		if len(f) < 12 {
			continue
		}
		n := make([]int, 10)
		bad := false
		for i := 0; i < 10; i++ {
			v, err := strconv.Atoi(f[i])
			if err != nil {
				bad = true
				break
			}
			n[i] = v
		}
		if bad {
			continue
		}
		switch n[0] {
		case 1:
			p.Width, p.Height = n[8], n[9]
		case 5:
			text := strings.TrimSpace(f[11])
			if text == "" {
				continue
			}
			conf, _ := strconv.ParseFloat(f[10], 64)
			k := key{n[2], n[3], n[4]}
			line, ok := lines[k]
			if !ok {
				line = len(lines) + 1
				lines[k] = line
			}
			p.Words = append(p.Words, Word{Text: text, X: n[6], Y: n[7], W: n[8], H: n[9], Conf: conf, Line: line})
		}
	}
	if err := sc.Err(); err != nil {
		return p, fmt.Errorf("ocr: read tesseract output: %w", err)
	}
	if p.Width <= 0 || p.Height <= 0 {
		return p, errors.New("ocr: tesseract gave no page size")
	}
	return p, nil
}

// RenderPDFPage draws page (1-based) of the PDF at path as a grayscale
// image (PGM) at dpi into dir and returns its path. PGM, not PNG:
// pdftoppm took 10 s to compress a noisy 300 dpi scan as PNG, 0.1 s to
// write it uncompressed.
func RenderPDFPage(ctx context.Context, path string, page, dpi int, dir string) (string, error) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoPoppler, err)
	}
	cctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	prefix := filepath.Join(dir, "page")
	n := strconv.Itoa(page)
	// -cropbox: the page as a reader shows it (and as the packet places
	// it), not its whole MediaBox; /Rotate is applied, so the image is the
	// page as seen.
	cmd := limited(cctx, "pdftoppm", "-f", n, "-l", n, "-r", strconv.Itoa(dpi), "-gray", "-cropbox", "-singlefile", path, prefix)
	var stderr tail
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("ocr: render page %d: %v: %s", page, err, strings.TrimSpace(stderr.String()))
	}
	return prefix + ".pgm", nil
}

// PDFPageText returns the text layer of page (1-based) of the PDF at path,
// "" when it has none.
func PDFPageText(ctx context.Context, path string, page int) (string, error) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		return "", fmt.Errorf("%w: %v", ErrNoPoppler, err)
	}
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	n := strconv.Itoa(page)
	cmd := limited(cctx, "pdftotext", "-q", "-f", n, "-l", n, "-enc", "UTF-8", path, "-")
	var out bytes.Buffer
	cmd.Stdout = &limitedBuffer{b: &out, n: 1 << 20}
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", fmt.Errorf("ocr: text of page %d: %w", page, err)
	}
	return strings.TrimSpace(out.String()), nil
}

// tail keeps the last 2 KB written to it (a tool's complaint).
type tail struct{ b []byte }

func (t *tail) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2048 {
		t.b = t.b[len(t.b)-2048:]
	}
	return len(p), nil
}

func (t *tail) String() string { return string(t.b) }

// limitedBuffer keeps the first n bytes and drops the rest.
type limitedBuffer struct {
	b *bytes.Buffer
	n int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// languageNames names the Tesseract languages people most often install.
var languageNames = map[string]string{
	"eng": "English", "deu": "German", "fra": "French", "spa": "Spanish", "ita": "Italian",
	"por": "Portuguese", "nld": "Dutch", "pol": "Polish", "rus": "Russian", "ukr": "Ukrainian",
	"ara": "Arabic", "heb": "Hebrew", "tur": "Turkish", "ell": "Greek", "swe": "Swedish",
	"dan": "Danish", "nor": "Norwegian", "fin": "Finnish", "ces": "Czech", "hun": "Hungarian",
	"ron": "Romanian", "bul": "Bulgarian", "hin": "Hindi", "ben": "Bengali", "urd": "Urdu",
	"fas": "Persian", "chi_sim": "Chinese (simplified)", "chi_tra": "Chinese (traditional)",
	"jpn": "Japanese", "kor": "Korean", "vie": "Vietnamese", "tha": "Thai", "ind": "Indonesian",
	"cym": "Welsh", "gle": "Irish",
}

// LanguageName is how a person reads a Tesseract language code: "English
// (eng)", or the code itself when it is not one we name.
func LanguageName(code string) string {
	if n, ok := languageNames[code]; ok {
		return n + " (" + code + ")"
	}
	return code
}

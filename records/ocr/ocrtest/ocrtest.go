// Package ocrtest makes photographs of letters for tests: text drawn with
// DejaVu Serif on a page, turned a little, blurred and speckled with noise
// as a phone photo is, and encoded as JPEG. Tests of OCR, search and the
// packet share it, so they all read the same kind of picture.
package ocrtest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/go-fonts/dejavu/dejavuserif"
	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// Photo describes the picture to make.
type Photo struct {
	// Width and Height in pixels; 0 means 3024 × 4032 (12 MP, a phone's
	// portrait photo).
	Width, Height int
	// Angle turns the page by this many degrees (a hand-held photo is
	// rarely square).
	Angle float64
	// Blur is the radius in pixels of a box blur; Noise the standard
	// deviation of grey-level noise (0-255).
	Blur  int
	Noise float64
	// Seed makes the noise repeatable.
	Seed uint64
}

// Letter is a realistic clinic letter, as lines of text.
var Letter = []string{
	"Riverside University Hospital NHS Trust",
	"Department of Histopathology",
	"Date: 12 March 2024",
	"",
	"Dear Dr Patel,",
	"",
	"Re: Mary Example, date of birth 04/07/1961",
	"",
	"Thank you for referring this patient. The biopsy of the left breast",
	"shows an invasive ductal carcinoma, grade two, measuring fourteen",
	"millimetres. Oestrogen receptor positive, HER2 negative. The margins",
	"are clear and no lymphovascular invasion is seen. We will discuss",
	"the findings at the multidisciplinary meeting next Thursday.",
	"",
	"Yours sincerely,",
	"Consultant Histopathologist",
}

// FullLetter is a letter that fills its page: Letter's body three times
// over, about 45 lines and 330 words.
func FullLetter() []string {
	lines := append([]string{}, Letter[:8]...)
	for range 3 {
		lines = append(lines, Letter[8:14]...)
		lines = append(lines, Letter[8:13]...)
	}
	return append(lines, Letter[14:]...)
}

// Words returns the words of lines as OCR should find them: split on
// spaces, with surrounding punctuation removed.
func Words(lines []string) []string {
	var out []string
	for _, l := range lines {
		for _, w := range strings.Fields(l) {
			w = strings.Trim(w, ".,:;")
			if w != "" {
				out = append(out, w)
			}
		}
	}
	return out
}

// JPEG draws lines as a letter photo and encodes it at quality 90.
func JPEG(lines []string, p Photo) []byte {
	m := Draw(lines, p)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// JPEGSideways is JPEG for a photo taken with the phone held sideways:
// the pixels stored a quarter turn to the left, with EXIF orientation 6
// ("turn 90° clockwise to show"), as phones save them.
func JPEGSideways(lines []string, p Photo) []byte {
	up := Draw(lines, p)
	b := up.Bounds()
	turned := image.NewGray(image.Rect(0, 0, b.Dy(), b.Dx()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			// Upright (x, y) is stored at (y, W-1-x).
			turned.Pix[(b.Dx()-1-x)*turned.Stride+y] = up.Pix[y*up.Stride+x]
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, turned, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return WithOrientation(buf.Bytes(), 6)
}

// WithOrientation returns the JPEG j with an EXIF block (APP1) saying
// orientation o, 1-8.
func WithOrientation(j []byte, o int) []byte {
	var t bytes.Buffer
	t.WriteString("II*\x00")
	binary.Write(&t, binary.LittleEndian, uint32(8))
	binary.Write(&t, binary.LittleEndian, uint16(1))
	binary.Write(&t, binary.LittleEndian, []uint16{0x0112, 3})
	binary.Write(&t, binary.LittleEndian, uint32(1))
	binary.Write(&t, binary.LittleEndian, []uint16{uint16(o), 0})
	binary.Write(&t, binary.LittleEndian, uint32(0))
	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	out := append([]byte{}, j[:2]...)
	out = append(out, 0xFF, 0xE1, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, j[2:]...)
}

// Draw draws lines as a letter photo.
func Draw(lines []string, p Photo) *image.Gray {
	if p.Width == 0 || p.Height == 0 {
		p.Width, p.Height = 3024, 4032
	}
	w, h := p.Width, p.Height
	page := image.NewGray(image.Rect(0, 0, w, h))
	for i := range page.Pix {
		page.Pix[i] = 246 // paper, not quite white
	}
	ft, err := opentype.Parse(dejavuserif.TTF)
	if err != nil {
		panic(err)
	}
	// Letter text of 11 pt on a page photographed edge to edge: the line
	// height is about 1/60 of the page's height.
	size := float64(h) / 95
	face, err := opentype.NewFace(ft, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err)
	}
	defer face.Close()
	d := &font.Drawer{Dst: page, Src: image.NewUniform(color.Gray{Y: 30}), Face: face}
	x := fixed.I(w / 9)
	y := float64(h) / 9
	for _, l := range lines {
		y += size * 1.6
		d.Dot = fixed.Point26_6{X: x, Y: fixed.I(int(y))}
		d.DrawString(l)
	}
	out := page
	if p.Angle != 0 {
		out = rotate(page, p.Angle)
	}
	if p.Blur > 0 {
		out = blur(out, p.Blur)
	}
	if p.Noise > 0 {
		r := rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))
		for i, v := range out.Pix {
			n := float64(v) + r.NormFloat64()*p.Noise
			out.Pix[i] = uint8(max(0, min(255, math.Round(n))))
		}
	}
	return out
}

// rotate turns m by deg degrees about its centre (bilinear), filling the
// corners with a darker table colour.
func rotate(m *image.Gray, deg float64) *image.Gray {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	out := image.NewGray(m.Rect)
	s, c := math.Sincos(deg * math.Pi / 180)
	cx, cy := float64(w)/2, float64(h)/2
	for y := 0; y < h; y++ {
		dy := float64(y) - cy
		for x := 0; x < w; x++ {
			dx := float64(x) - cx
			sx := c*dx + s*dy + cx
			sy := -s*dx + c*dy + cy
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			if x0 < 0 || y0 < 0 || x0+1 >= w || y0+1 >= h {
				out.Pix[y*out.Stride+x] = 120
				continue
			}
			fx, fy := sx-float64(x0), sy-float64(y0)
			i := y0*m.Stride + x0
			a := float64(m.Pix[i])*(1-fx) + float64(m.Pix[i+1])*fx
			b := float64(m.Pix[i+m.Stride])*(1-fx) + float64(m.Pix[i+m.Stride+1])*fx
			out.Pix[y*out.Stride+x] = uint8(a*(1-fy) + b*fy + 0.5)
		}
	}
	return out
}

// blur is a box blur of radius r, horizontal then vertical.
func blur(m *image.Gray, r int) *image.Gray {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	tmp := image.NewGray(m.Rect)
	n := 2*r + 1
	for y := 0; y < h; y++ {
		row := m.Pix[y*m.Stride:]
		sum := 0
		for x := -r; x <= r; x++ {
			sum += int(row[min(max(x, 0), w-1)])
		}
		for x := 0; x < w; x++ {
			tmp.Pix[y*tmp.Stride+x] = uint8(sum / n)
			sum += int(row[min(x+r+1, w-1)]) - int(row[max(x-r, 0)])
		}
	}
	out := image.NewGray(m.Rect)
	for x := 0; x < w; x++ {
		sum := 0
		for y := -r; y <= r; y++ {
			sum += int(tmp.Pix[min(max(y, 0), h-1)*tmp.Stride+x])
		}
		for y := 0; y < h; y++ {
			out.Pix[y*out.Stride+x] = uint8(sum / n)
			sum += int(tmp.Pix[min(y+r+1, h-1)*tmp.Stride+x]) - int(tmp.Pix[max(y-r, 0)*tmp.Stride+x])
		}
	}
	return out
}

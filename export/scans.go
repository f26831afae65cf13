package export

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
	"golang.org/x/image/draw"
)

// Scanned PDFs for e-mail. A scanner or a hospital portal often makes a
// PDF that is only pictures of pages, at 300 dpi or more, in colour. For a
// packet made for e-mail such a PDF is re-compressed the way photos are:
// every JPEG picture larger than 150 dpi across the widest page is scaled
// down to it, put in grey when it has next to no colour (colourless), and
// encoded at emailQuality, and only when that makes it smaller. A PDF with
// any font is left as it is: it has real text (or a searchable text layer)
// that a re-made picture must not drift away from. Pictures in other
// encodings (CCITT and JBIG2 black-and-white scans, already small; Flate)
// are left as they are too.

// scansForEmail is data re-compressed for e-mail when that works, and
// data itself otherwise: re-compression only saves bytes, so a PDF it
// cannot handle goes in as it is (the readiness check merged it already).
func scansForEmail(ctx context.Context, data []byte) []byte {
	small, changed, err := recompressScans(data)
	if err != nil || !changed {
		return data
	}
	if _, err := trialMerge(ctx, small); err != nil {
		return data
	}
	return small
}

// recompressScans returns data re-compressed for e-mail when it is a PDF of
// pictures only, and whether it changed anything.
func recompressScans(data []byte) (out []byte, changed bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			out, changed, err = nil, false, fmt.Errorf("pdfcpu panic: %v", p)
		}
	}()
	ctx, err := readPDF(data)
	if err != nil {
		return nil, false, err
	}
	short, long, err := pageSides(ctx)
	if err != nil || short <= 0 {
		return data, false, err
	}
	var images []*types.StreamDict
	var refs []int
	for nr, e := range ctx.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		switch o := e.Object.(type) {
		case types.Dict:
			if t := o.Type(); t != nil && *t == "Font" {
				return data, false, nil
			}
		case types.StreamDict:
			if t := o.Type(); t != nil && *t == "Font" {
				return data, false, nil
			}
			if s := o.Subtype(); s != nil && *s == "Image" {
				sd := o
				images = append(images, &sd)
				refs = append(refs, nr)
			}
		}
	}
	for i, sd := range images {
		small, ok := shrinkScan(sd, int(short/72*emailDPI+0.5), int(long/72*emailDPI+0.5))
		if !ok {
			continue
		}
		ctx.Table[refs[i]].Object = *small
		changed = true
	}
	if !changed {
		return data, false, nil
	}
	var buf bytes.Buffer
	if err := api.WriteContext(ctx, &buf); err != nil {
		return nil, false, err
	}
	if buf.Len() >= len(data) {
		return data, false, nil
	}
	return buf.Bytes(), true, nil
}

// pageSides is the largest short side and the largest long side of the
// pages, in points: a picture of a page is fitted across the short side
// when it is upright, the long side when it lies on its side.
func pageSides(ctx *model.Context) (short, long float64, err error) {
	dims, err := ctx.PageDims()
	if err != nil {
		return 0, 0, err
	}
	for _, d := range dims {
		short = max(short, min(d.Width, d.Height))
		long = max(long, d.Width, d.Height)
	}
	return short, long, nil
}

// shrinkScan makes a smaller stream for one JPEG picture, or says no: a
// picture that is not a plain 8-bit JPEG (one filter, no mask or decode
// array, grey or YCbCr), or that would not get at least a tenth smaller.
// An upright picture is fitted to across pixels wide, one on its side to
// along.
func shrinkScan(sd *types.StreamDict, across, along int) (*types.StreamDict, bool) {
	if len(sd.FilterPipeline) != 1 || sd.FilterPipeline[0].Name != "DCTDecode" || len(sd.Raw) == 0 {
		return nil, false
	}
	for _, k := range []string{"SMask", "Mask", "Decode", "ImageMask"} {
		if _, ok := sd.Find(k); ok {
			return nil, false
		}
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(sd.Raw))
	if err != nil || !decodeFits(cfg) {
		return nil, false
	}
	m, err := jpeg.Decode(bytes.NewReader(sd.Raw))
	if err != nil {
		return nil, false
	}
	switch m.(type) {
	case *image.YCbCr, *image.Gray:
	default: // CMYK and the like: their colours need more care than this
		return nil, false
	}
	b := m.Bounds()
	target := across
	if b.Dx() > b.Dy() {
		target = along
	}
	if b.Dx() > target*11/10 {
		h := b.Dy() * target / b.Dx()
		var dst draw.Image
		if _, grey := m.(*image.Gray); grey {
			dst = image.NewGray(image.Rect(0, 0, target, h))
		} else {
			dst = image.NewRGBA(image.Rect(0, 0, target, h))
		}
		draw.ApproxBiLinear.Scale(dst, dst.Bounds(), m, b, draw.Src, nil)
		m = toYCbCr(dst)
	}
	m = forEmail(m)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: emailQuality}); err != nil || buf.Len() >= len(sd.Raw)*9/10 {
		return nil, false
	}
	nb := m.Bounds()
	d := types.Dict{}
	for k, v := range sd.Dict {
		d[k] = v
	}
	delete(d, "DecodeParms")
	d["Filter"] = types.Name("DCTDecode")
	d["Width"] = types.Integer(nb.Dx())
	d["Height"] = types.Integer(nb.Dy())
	d["BitsPerComponent"] = types.Integer(8)
	if _, grey := m.(*image.Gray); grey {
		d["ColorSpace"] = types.Name("DeviceGray")
	} else {
		d["ColorSpace"] = types.Name("DeviceRGB")
	}
	n := int64(buf.Len())
	d["Length"] = types.Integer(n)
	out := types.StreamDict{Dict: d, StreamLength: &n, Raw: buf.Bytes(),
		FilterPipeline: []types.PDFFilter{{Name: "DCTDecode"}}}
	return &out, true
}

// toYCbCr turns a scaled RGBA picture into Y/Cb/Cr (4:4:4), which
// colourless reads and the JPEG encoder takes directly; a grey one stays grey.
func toYCbCr(m image.Image) image.Image {
	rgba, ok := m.(*image.RGBA)
	if !ok {
		return m
	}
	b := rgba.Bounds()
	y := image.NewYCbCr(b, image.YCbCrSubsampleRatio444)
	for row := b.Min.Y; row < b.Max.Y; row++ {
		for col := b.Min.X; col < b.Max.X; col++ {
			i := rgba.PixOffset(col, row)
			yy, cb, cr := color.RGBToYCbCr(rgba.Pix[i], rgba.Pix[i+1], rgba.Pix[i+2])
			j := y.YOffset(col, row)
			y.Y[j], y.Cb[j], y.Cr[j] = yy, cb, cr
		}
	}
	return y
}

//go:build cgo && linux && !noturbo

package export

// libjpeg-turbo's TurboJPEG API (Debian libturbojpeg0-dev), linked
// statically: Debian ships libturbojpeg.a, so the binary runs on a machine
// without the -dev package (check with ldd). Linux only: other builds, and
// -tags noturbo, leave it out; turbo_other.go then sends every photo down
// the Go road.

/*
#cgo LDFLAGS: -l:libturbojpeg.a
#include <stdlib.h>
#include <turbojpeg.h>

// Flags for decoding untrusted files: a warning (corrupt data, a premature
// end) is an error, so the Go road decides what the photo is; a
// progressive JPEG with absurdly many scans is refused rather than decoded
// for minutes.
static const int so_decode_flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;

static int so_header(const unsigned char *buf, unsigned long size, int *w, int *h, int *subsamp, int *cs) {
	tjhandle t = tjInitDecompress();
	if (t == NULL) return -1;
	int r = tjDecompressHeader3(t, buf, size, w, h, subsamp, cs);
	tjDestroy(t);
	return r;
}

// so_decode decodes buf scaled to w×h into the three planes (one for grey).
static int so_decode(const unsigned char *buf, unsigned long size,
		unsigned char *y, unsigned char *cb, unsigned char *cr,
		int ystride, int cstride, int w, int h) {
	tjhandle t = tjInitDecompress();
	if (t == NULL) return -1;
	unsigned char *planes[3] = {y, cb, cr};
	int strides[3] = {ystride, cstride, cstride};
	int r = tjDecompressToYUVPlanes(t, buf, size, planes, w, strides, h, so_decode_flags);
	tjDestroy(t);
	return r;
}

// so_encode encodes the planes as a baseline JPEG into *out (free with
// tjFree).
static int so_encode(const unsigned char *y, const unsigned char *cb, const unsigned char *cr,
		int ystride, int cstride, int w, int h, int subsamp, int quality,
		unsigned char **out, unsigned long *outSize) {
	tjhandle t = tjInitCompress();
	if (t == NULL) return -1;
	const unsigned char *planes[3] = {y, cb, cr};
	int strides[3] = {ystride, cstride, cstride};
	*out = NULL;
	*outSize = 0;
	int r = tjCompressFromYUVPlanes(t, planes, w, strides, h, subsamp, out, outSize, quality, 0);
	tjDestroy(t);
	return r;
}
*/
import "C"

import (
	"fmt"
	"image"
	"unsafe"
)

// turboBuilt reports whether this binary has the libjpeg-turbo road.
const turboBuilt = true

// turboHeader reads the frame header and refuses what the turbo road does
// not take: anything but Y/Cb/Cr or grey, and subsampling other than
// 4:4:4, 4:2:2 and 4:2:0.
func turboHeader(src []byte) (jpegHeader, error) {
	if len(src) == 0 {
		return jpegHeader{}, errTurboDecode
	}
	var w, h, sub, cs C.int
	if C.so_header((*C.uchar)(unsafe.Pointer(&src[0])), C.ulong(len(src)), &w, &h, &sub, &cs) != 0 {
		return jpegHeader{}, errTurboDecode
	}
	hd := jpegHeader{w: int(w), h: int(h)}
	if hd.w <= 0 || hd.h <= 0 {
		return jpegHeader{}, errTurboDecode
	}
	switch {
	case cs == C.TJCS_GRAY && sub == C.TJSAMP_GRAY:
		hd.gray = true
	case cs != C.TJCS_YCbCr:
		return jpegHeader{}, fmt.Errorf("%w: colour space %d", errTurboKind, int(cs))
	case sub == C.TJSAMP_444:
		hd.ratio = image.YCbCrSubsampleRatio444
	case sub == C.TJSAMP_422:
		hd.ratio = image.YCbCrSubsampleRatio422
	case sub == C.TJSAMP_420:
		hd.ratio = image.YCbCrSubsampleRatio420
	default:
		return jpegHeader{}, fmt.Errorf("%w: subsampling %d", errTurboKind, int(sub))
	}
	return hd, nil
}

// turboDecode decodes src scaled to sw×sh (a TJSCALED size) straight into
// Y/Cb/Cr planes, or a grey plane, allocated by Go.
func turboDecode(src []byte, hd jpegHeader, sw, sh int) (image.Image, error) {
	buf, size := (*C.uchar)(unsafe.Pointer(&src[0])), C.ulong(len(src))
	if hd.gray {
		g := image.NewGray(image.Rect(0, 0, sw, sh))
		if C.so_decode(buf, size, (*C.uchar)(unsafe.Pointer(&g.Pix[0])), nil, nil, C.int(g.Stride), 0, C.int(sw), C.int(sh)) != 0 {
			return nil, errTurboDecode
		}
		return g, nil
	}
	m := newPlanes(sw, sh, hd.ratio)
	if C.so_decode(buf, size, (*C.uchar)(unsafe.Pointer(&m.Y[0])), (*C.uchar)(unsafe.Pointer(&m.Cb[0])), (*C.uchar)(unsafe.Pointer(&m.Cr[0])),
		C.int(m.YStride), C.int(m.CStride), C.int(sw), C.int(sh)) != 0 {
		return nil, errTurboDecode
	}
	return m, nil
}

// turboEncode encodes a grey or Y/Cb/Cr picture from its planes as a
// baseline JPEG at quality q.
func turboEncode(m image.Image, q int) ([]byte, error) {
	var y, cb, cr *C.uchar
	var ystride, cstride C.int
	var sub C.int
	b := m.Bounds()
	switch m := m.(type) {
	case *image.Gray:
		y, ystride, sub = (*C.uchar)(unsafe.Pointer(&m.Pix[m.PixOffset(b.Min.X, b.Min.Y)])), C.int(m.Stride), C.TJSAMP_GRAY
	case *image.YCbCr:
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio444:
			sub = C.TJSAMP_444
		case image.YCbCrSubsampleRatio422:
			sub = C.TJSAMP_422
		case image.YCbCrSubsampleRatio420:
			sub = C.TJSAMP_420
		case image.YCbCrSubsampleRatio440:
			sub = C.TJSAMP_440
		default:
			return nil, errTurboKind
		}
		m = padded(m)
		y, cb, cr = (*C.uchar)(unsafe.Pointer(&m.Y[0])), (*C.uchar)(unsafe.Pointer(&m.Cb[0])), (*C.uchar)(unsafe.Pointer(&m.Cr[0]))
		ystride, cstride = C.int(m.YStride), C.int(m.CStride)
	default:
		return nil, errTurboKind
	}
	var out *C.uchar
	var n C.ulong
	if C.so_encode(y, cb, cr, ystride, cstride, C.int(b.Dx()), C.int(b.Dy()), sub, C.int(q), &out, &n) != 0 {
		if out != nil {
			C.tjFree(out)
		}
		return nil, errTurboEncode
	}
	defer C.tjFree(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

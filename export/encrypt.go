package export

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"

	"secondopinion/records"
)

// A packet with a password is encrypted with AES-256 in the form PDF
// readers have expected since Acrobat X (security handler revision 6, the
// one ISO 32000-2 keeps). pdfcpu writes revision 6 only for a file that
// says it is PDF 2.0, and the older revision 5 otherwise; revision 5 hashes
// the password once with SHA-256, so a stolen packet's password can be
// guessed billions of times a second, while revision 6 makes every guess
// cost dozens of rounds of SHA-256/384/512 and AES. So an encrypted packet
// is written as PDF 2.0 (qpdf, poppler, pdf.js in Firefox, PDFium in Chrome,
// Acrobat and Preview all open 2.0 files; the packet uses nothing that 2.0
// removed). See the README.
//
// The encryption happens as pdfcpu writes: the bytes that reach the
// temporary file next to the packet are already encrypted. The plain packet
// exists only in memory.

// MaxPasswordLen is the longest password we accept: revision 6 uses the
// first 127 bytes of the UTF-8 password and ignores the rest, so a longer
// one would silently open with a shorter prefix.
const MaxPasswordLen = 127

// packetPermissions allow what the second doctor needs: printing at full
// quality, copying text, filling in and annotating; not changing pages.
const packetPermissions = model.PermissionsNone | model.PermissionPrintRev2 | model.PermissionPrintRev3 |
	model.PermissionExtract | model.PermissionExtractRev3 | model.PermissionModAnnFillForm | model.PermissionFillRev3

// CheckPassword says, in a sentence, what is wrong with a password for the
// packet, or returns nil. The password itself is never repeated.
func CheckPassword(pw string) error {
	switch {
	case pw == "":
		return &records.Problem{Msg: "The password is empty. Type a password for the packet, or leave the password out to make a packet without one.", Err: errPassword}
	case !utf8.ValidString(pw):
		return &records.Problem{Msg: "The password is not readable text (it is not UTF-8). Save the password file as plain text and try again.", Err: errPassword}
	case len(pw) > MaxPasswordLen:
		return &records.Problem{Msg: fmt.Sprintf("The password is longer than %d bytes; PDF readers would use only its beginning. Choose a shorter one.", MaxPasswordLen), Err: errPassword}
	case strings.ContainsAny(pw, "\x00\r\n"):
		return &records.Problem{Msg: "The password contains a line break or a control character that people cannot type. Choose another.", Err: errPassword}
	}
	return nil
}

var errPassword = errors.New("export: unusable password")

// PasswordFromFile reads a packet password from the first line of a file
// (the line break after it is not part of the password). A missing,
// unreadable or empty file is refused with a sentence; the password is
// never repeated in a message.
func PasswordFromFile(path string) (string, error) {
	pw, err := PasswordLine(path)
	if err != nil {
		return "", err
	}
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	return pw, nil
}

// PasswordLine reads the first line of a password file as it is, without
// the rules of a packet password: the password of a PDF someone else
// locked (add --password-file) is whatever they chose.
func PasswordLine(path string) (string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", &records.Problem{Msg: fmt.Sprintf("There is no password file %s. Check the name and folder, or write the password on the first line of a new file.", path), Err: err}
	}
	if err != nil {
		return "", &records.Problem{Msg: fmt.Sprintf("The password file %s cannot be read (%v). Check that you may read it.", path, errBrief(err)), Err: err}
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return "", &records.Problem{Msg: fmt.Sprintf("The password file %s is not an ordinary file. Write the password on the first line of a text file and name that.", path), Err: errPassword}
	}
	// A password is a line; 4 KB is plenty and bounds what a wrong name
	// (a packet, a photo) makes us read.
	buf, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return "", &records.Problem{Msg: fmt.Sprintf("The password file %s cannot be read (%v). Check that you may read it.", path, errBrief(err)), Err: err}
	}
	line, _, _ := bytes.Cut(buf, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return "", &records.Problem{Msg: fmt.Sprintf("The password file %s is empty: its first line holds no password. Write the password on the first line and try again.", path), Err: errPassword}
	}
	return string(line), nil
}

// encryptOnWrite sets up ctx so that the next write encrypts it with
// AES-256 (revision 6) under the user password pw. The owner password is
// random and thrown away: nobody can lift the permissions, and the user
// password opens the packet with printing and copying allowed.
func encryptOnWrite(ctx *model.Context, pw string) error {
	owner := make([]byte, 32)
	if _, err := rand.Read(owner); err != nil {
		return err
	}
	v20 := model.V20
	ctx.HeaderVersion = &v20
	ctx.RootVersion = nil
	ctx.Cmd = model.ENCRYPT
	ctx.UserPW = pw
	ctx.OwnerPW = hex.EncodeToString(owner)
	ctx.EncryptUsingAES = true
	ctx.EncryptKeyLength = 256
	ctx.Permissions = packetPermissions
	return nil
}

// writeEncrypted writes the PDF held in ctx to w, encrypted when pw is set.
func writeEncrypted(ctx *model.Context, pw string, w io.Writer) error {
	if pw != "" {
		if err := encryptOnWrite(ctx, pw); err != nil {
			return err
		}
	}
	return api.WriteContext(ctx, w)
}

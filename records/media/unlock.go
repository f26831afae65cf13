package media

import (
	"context"
	"fmt"
	"io"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
)

// Unlock writes to w a copy of the PDF in r, locked with a user password,
// opened with password and written in the clear by pdfcpu: the same pages,
// readable without the password. The password is used for this call only;
// it is neither kept nor written anywhere. Errors wrap ErrPassword (the
// password does not open it) or ErrUnreadable.
func Unlock(ctx context.Context, r io.ReadSeeker, w io.Writer, password string) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = panicError("unlock PDF", p)
		}
	}()
	conf := pdfConfig()
	conf.UserPW, conf.OwnerPW = password, password
	pc, err := pdfcpu.ReadWithContext(ctx, r, conf)
	if err != nil {
		return fmt.Errorf("unlock PDF: %w", readError(ctx, err))
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if pc.Encrypt == nil {
		return fmt.Errorf("unlock PDF: it is not locked: %w", ErrUnreadable)
	}
	if err := api.ValidateContext(pc); err != nil {
		return fmt.Errorf("unlock PDF: %v: %w", err, ErrUnreadable)
	}
	pc.Cmd = model.DECRYPT
	pc.EncKey = nil
	if err := api.WriteContext(pc, w); err != nil {
		return fmt.Errorf("unlock PDF: write: %v: %w", err, ErrUnreadable)
	}
	return nil
}

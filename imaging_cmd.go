package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"secondopinion/records"
)

// importDiscCmd adds an imaging disc for a person who is already in the
// library, printing progress to standard error and a summary.
func importDiscCmd(ctx context.Context, s *records.Store, stdout io.Writer, who personRef, path string, opt records.ImportDiscOptions) error {
	p, err := who.find(ctx, s)
	if errors.Is(err, records.ErrNotFound) && who.id == "" {
		return &records.Problem{Msg: fmt.Sprintf("There is nobody called %q in this library. Check the spelling, or add them first: in the app, or by adding one of their documents with secondopinion add --person %q.", who.name, who.name), Err: err}
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "Reading %s…\n", printable(path))
	// Reading the disc is told in tenths, as storing is: a line each 10%
	// of its files (from another goroutine, but one call at a time and
	// all before storing begins).
	lastRead := -1
	opt.Reading = func(done, total int) {
		if tenth := done * 10 / total; tenth != lastRead {
			lastRead = tenth
			fmt.Fprintln(os.Stderr, records.DiscReading(done, total))
		}
	}
	last := -1
	opt.Progress = func(done, total int64) {
		if total <= 0 {
			return
		}
		if pct := int(done * 100 / total); pct/10 != last/10 || (pct == 100 && last != 100) {
			last = pct
			fmt.Fprintf(os.Stderr, "Storing %s of %s (%d%%)\n", records.HumanBytes(done), records.HumanBytes(total), pct)
		}
	}
	rep, err := s.ImportDisc(ctx, p.ID, path, opt)
	var diff *records.DifferentPatientError
	var several *records.SeveralPatientsError
	switch {
	case errors.As(err, &diff):
		return &records.Problem{Msg: strings.TrimSuffix(strings.TrimSuffix(diff.Error(), " Add it anyway?"), ".") + ". Nothing was added. If the disc is theirs all the same (a name spelled differently, a changed name), run the command again with --different-patient-ok.", Err: err}
	case errors.As(err, &several):
		var b strings.Builder
		fmt.Fprintf(&b, "This disc holds images of %d patients. Nothing was added. Run the command again with --patient KEY for the one to add: ", len(several.Patients))
		for i, dp := range several.Patients {
			born := ""
			if !dp.Birth.IsZero() {
				born = ", born " + dp.Birth.Human()
			}
			if i > 0 {
				b.WriteString("; ")
			}
			fmt.Fprintf(&b, "--patient %s (%s%s, %s)", dp.Key, dp.Name, born, count(dp.Images, "image", "images"))
		}
		b.WriteString(".")
		return &records.Problem{Msg: b.String(), Err: err}
	case err != nil:
		return err
	}
	var msg string
	switch {
	case rep.Studies == 0:
		// A disc of reports only: they are documents, there is no study.
		msg = fmt.Sprintf("Added %s for %s", count(rep.Reports, "report", "reports"), printable(p.FullName))
	default:
		msg = fmt.Sprintf("Added %s, %s, %s for %s", count(rep.Studies, "study", "studies"), count(rep.Series, "series", "series"),
			count(rep.Images, "image", "images"), printable(p.FullName))
		if rep.Reports > 0 {
			msg += "; " + count(rep.Reports, "report", "reports")
		}
	}
	fmt.Fprintln(stdout, msg+".")
	if rep.AlreadyHad > 0 {
		fmt.Fprintf(stdout, "%s already in the library; each is kept once.\n", count(rep.AlreadyHad, "file was", "files were"))
	}
	for _, l := range rep.LeftOut {
		fmt.Fprintln(stdout, "Left out: "+printable(records.Explain(l.Err)))
	}
	return nil
}

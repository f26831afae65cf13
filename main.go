// Command secondopinion is Second Opinion: it helps a patient, or a carer,
// prepare for a medical second opinion. With no subcommand it opens the
// app; the subcommands are the same calls for the terminal.
//
// This file is wiring only: flags, opening the library, and handing over to
// ui, records or export.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"fyne.io/fyne/v2/app"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/sample"
	"secondopinion/ui"
)

const usage = `Second Opinion: prepare your records and questions for a medical second opinion.

Usage:
  secondopinion [--library FILE]                 open the app
  secondopinion demo     [--library FILE]        add a sample person to try everything
  secondopinion add      [--library FILE] --person NAME --kind KIND [--title T] [--date YYYY-MM-DD|YYYY-MM] [--source S] FILE...
  secondopinion list     [--library FILE] [--person NAME] [--search TEXT]
  secondopinion ready    [--library FILE] [--person NAME] [--case ID]
  secondopinion export   [--library FILE] [--person NAME] [--case ID] --out packet.pdf [--paper a4|letter] [--quality compact|original]
                         [--questions-only | --medications-only | --comparison] [--leave-out-unreadable]
  secondopinion check    [--library FILE]
  secondopinion backup   [--library FILE] --out FILE

Kinds: pathology, operative, discharge, imaging-report, imaging, results,
clinic-letter, referral, treatment-plan, medication-list, other.
The library is kept in your own user folder unless --library says otherwise.
`

func main() {
	log.SetFlags(0)
	log.SetPrefix("secondopinion: ")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, records.Explain(err))
		if os.Getenv("SECONDOPINION_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "detail: %v\n", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout io.Writer) error {
	cmd := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	fs := flag.NewFlagSet("secondopinion "+cmd, flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprint(os.Stderr, usage) }
	library := fs.String("library", "", "the library `file` (default: in your user data folder)")
	person := fs.String("person", "", "the person's full `name`")
	caseID := fs.String("case", "", "the case `ID` (default: the person's most recent case)")
	kind := fs.String("kind", "", "the document's `kind`")
	title := fs.String("title", "", "the document's `title`")
	date := fs.String("date", "", "date of service, YYYY-MM-DD or YYYY-MM")
	source := fs.String("source", "", "hospital, clinic or clinician")
	search := fs.String("search", "", "words to search for")
	out := fs.String("out", "", "output `file`")
	paper := fs.String("paper", "", "a4 or letter")
	quality := fs.String("quality", "", "compact or original")
	questionsOnly := fs.Bool("questions-only", false, "export only the question sheet")
	medsOnly := fs.Bool("medications-only", false, "export only the medication list")
	comparison := fs.Bool("comparison", false, "export the comparison of opinions")
	leaveOut := fs.Bool("leave-out-unreadable", false, "leave out documents that cannot go into the packet")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &records.Problem{Msg: fmt.Sprintf("%v. Run secondopinion --help to see how to use it.", err)}
	}
	switch cmd {
	case "", "demo", "add", "list", "ready", "export", "check", "backup":
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return &records.Problem{Msg: fmt.Sprintf("%q is not a command Second Opinion knows. Run secondopinion --help to see the commands.", cmd)}
	}
	path := *library
	if path == "" {
		var err error
		if path, err = records.DefaultPath(); err != nil {
			return err
		}
	}
	s, err := records.Open(ctx, path)
	if err != nil {
		return err
	}
	defer s.Close()

	switch cmd {
	case "":
		a := app.NewWithID("org.secondopinion.app")
		ui.Run(a, s)
		return nil
	case "demo":
		p, err := sample.Load(ctx, s)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Added the sample person %s to %s.\n", p.FullName, s.Path())
		return nil
	case "add":
		return addCmd(ctx, s, stdout, *person, *kind, *title, *date, *source, fs.Args())
	case "list":
		return listCmd(ctx, s, stdout, *person, *search)
	case "ready":
		p, c, err := pick(ctx, s, *person, *caseID)
		if err != nil {
			return err
		}
		if c.ID == "" {
			return &records.Problem{Msg: fmt.Sprintf("%s has no second-opinion case yet. Start one in the app first.", p.FullName)}
		}
		items, err := s.Readiness(ctx, c.ID)
		if err != nil {
			return err
		}
		printReadiness(stdout, p, c, items)
		return nil
	case "export":
		if *out == "" {
			return &records.Problem{Msg: "Say where to save the packet with --out, for example --out packet.pdf."}
		}
		p, c, err := pick(ctx, s, *person, *caseID)
		if err != nil {
			return err
		}
		opt := export.Options{PersonID: p.ID, CaseID: c.ID, Paper: records.Paper(strings.ToLower(*paper)), Quality: records.Quality(strings.ToLower(*quality))}
		return exportCmd(ctx, s, stdout, *out, opt, *questionsOnly, *medsOnly, *comparison, *leaveOut)
	case "check":
		problems, err := s.Check(ctx)
		if err != nil {
			return err
		}
		st, err := s.Stats(ctx)
		if err != nil {
			return err
		}
		if len(problems) > 0 {
			for _, p := range problems {
				fmt.Fprintln(stdout, "Problem: "+p)
			}
			return &records.Problem{Msg: fmt.Sprintf("The library has %d problems (listed above). Keep a copy of the file and restore your latest backup.", len(problems))}
		}
		fmt.Fprintf(stdout, "The library is sound: %s, %s, %s (%s), %s, %s. Every file matches its fingerprint.\n",
			count(st.People, "person", "people"), count(st.Documents, "document", "documents"), count(st.Files, "file", "files"),
			records.HumanBytes(st.FileBytes), count(st.Medications, "medication", "medications"), count(st.Cases, "case", "cases"))
		return nil
	case "backup":
		if *out == "" {
			return &records.Problem{Msg: "Say where to save the backup with --out, for example --out backup.sqlite."}
		}
		if err := s.Backup(ctx, *out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Backed up the library to %s.\n", *out)
		return nil
	}
	return nil
}

// pick finds the person (by name, or the library's only one) and their case
// (by ID, or their most recent; none is fine).
func pick(ctx context.Context, s *records.Store, name, caseID string) (records.Person, records.Case, error) {
	var p records.Person
	var err error
	if name != "" {
		if p, err = s.PersonByName(ctx, name); err != nil {
			return p, records.Case{}, err
		}
	} else {
		people, err := s.People(ctx)
		if err != nil {
			return p, records.Case{}, err
		}
		switch len(people) {
		case 0:
			return p, records.Case{}, &records.Problem{Msg: "This library has nobody in it yet. Add a document with --person NAME, or run secondopinion demo to try the sample."}
		case 1:
			p = people[0]
		default:
			names := make([]string, len(people))
			for i, q := range people {
				names[i] = q.FullName
			}
			return p, records.Case{}, &records.Problem{Msg: fmt.Sprintf("This library has %d people (%s). Say which with --person NAME.", len(people), strings.Join(names, ", "))}
		}
	}
	if caseID != "" {
		c, err := s.Case(ctx, caseID)
		if err != nil {
			return p, c, err
		}
		if c.PersonID != p.ID {
			return p, records.Case{}, &records.Problem{Msg: fmt.Sprintf("That case is not %s's. Check the case ID with secondopinion list.", p.FullName)}
		}
		return p, c, nil
	}
	cases, err := s.Cases(ctx, p.ID)
	if err != nil || len(cases) == 0 {
		return p, records.Case{}, err
	}
	return p, cases[0], nil
}

func addCmd(ctx context.Context, s *records.Store, stdout io.Writer, name, kind, title, date, source string, files []string) error {
	if name == "" {
		return &records.Problem{Msg: "Say whose document this is with --person NAME."}
	}
	if len(files) == 0 {
		return &records.Problem{Msg: "Name at least one file to add, after the options."}
	}
	k, err := records.ParseKind(kind)
	if kind == "" {
		return &records.Problem{Msg: "Say what kind of document this is with --kind (for example --kind clinic-letter)."}
	}
	if err != nil {
		return err
	}
	d, err := records.ParseDate(date)
	if err != nil {
		return err
	}
	doc := records.Document{Kind: k, Title: title, Date: d, Source: source}
	opt := records.AddOptions{}
	p, err := s.PersonByName(ctx, name)
	switch {
	case errors.Is(err, records.ErrNotFound):
		opt.NewPerson = &records.Person{FullName: name, PreparedBy: records.Preparer{Self: true}}
	case err != nil:
		return err
	default:
		doc.PersonID = p.ID
	}
	if err := s.AddDocument(ctx, &doc, files, opt); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %q (%s, %d page%s) for %s.\n", doc.Title, doc.Kind.Label(), doc.Pages, plural(doc.Pages), name)
	return nil
}

func listCmd(ctx context.Context, s *records.Store, stdout io.Writer, name, search string) error {
	people, err := s.People(ctx)
	if err != nil {
		return err
	}
	if name != "" {
		p, err := s.PersonByName(ctx, name)
		if err != nil {
			return err
		}
		people = []records.Person{p}
	}
	if len(people) == 0 {
		fmt.Fprintln(stdout, "The library is empty. Add a document with secondopinion add, or try secondopinion demo.")
		return nil
	}
	for i, p := range people {
		if i > 0 {
			fmt.Fprintln(stdout)
		}
		header := p.FullName
		if !p.DateOfBirth.IsZero() {
			header += ", born " + p.DateOfBirth.Human()
		}
		fmt.Fprintln(stdout, header)
		cases, err := s.Cases(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, c := range cases {
			fmt.Fprintf(stdout, "  Case %s: %s\n", c.ID, c.Title)
		}
		tw := tabwriter.NewWriter(stdout, 2, 4, 2, ' ', 0)
		docs, err := s.Documents(ctx, records.DocumentFilter{PersonID: p.ID, Search: search})
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			if search != "" {
				fmt.Fprintf(tw, "  No documents match %q.\n", search)
			} else {
				fmt.Fprintln(tw, "  No documents yet.")
			}
		} else {
			fmt.Fprintln(tw, "  Date\tKind\tTitle\tSource\tPages")
		}
		for _, d := range docs {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%d\n", orDash(d.Date.Short()), d.Kind.Label(), d.Title, orDash(d.Source), d.Pages)
		}
		var meds []records.Medication
		if search != "" {
			meds, err = s.SearchMedications(ctx, p.ID, search)
		} else {
			meds, err = s.Medications(ctx, p.ID)
		}
		if err != nil {
			return err
		}
		if len(meds) > 0 {
			fmt.Fprintln(tw, "  Medication\tStrength\tHow often\tStatus\tSince")
		}
		for _, m := range meds {
			status := string(m.Status)
			if m.Status == records.MedStopped && !m.Stop.IsZero() {
				status = "stopped " + m.Stop.Short()
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", m.Name, orDash(m.Strength), orDash(m.Frequency), status, orDash(m.Start.Short()))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func exportCmd(ctx context.Context, s *records.Store, stdout io.Writer, out string, opt export.Options, questions, meds, comparison, leaveOut bool) error {
	if n := countTrue(questions, meds, comparison); n > 1 {
		return &records.Problem{Msg: "Choose one of --questions-only, --medications-only or --comparison."}
	}
	terminal := isTerminal(os.Stdout)
	opt.Progress = func(done, total int) {
		if terminal {
			fmt.Fprintf(stdout, "\rExporting: %d of %d", done, total)
		}
	}
	var res export.Result
	var err error
	switch {
	case questions:
		res, err = export.WriteQuestions(ctx, s, out, opt)
	case meds:
		res, err = export.WriteMedications(ctx, s, out, opt)
	case comparison:
		res, err = export.WriteComparison(ctx, s, out, opt)
	default:
		issues, ierr := export.Readiness(ctx, s, opt)
		if ierr != nil {
			return ierr
		}
		if len(issues) > 0 && !leaveOut {
			for _, is := range issues {
				fmt.Fprintf(os.Stderr, "Cannot include %q: %s\n", is.Title, is.Problem)
			}
			return &records.Problem{Msg: fmt.Sprintf("%d document(s) cannot go into the packet (listed above). Replace them, or run again with --leave-out-unreadable to leave them out; the packet will say they are missing.", len(issues))}
		}
		for _, is := range issues {
			opt.Exclude = append(opt.Exclude, is.DocumentID)
		}
		res, err = export.WritePacket(ctx, s, out, opt)
	}
	if terminal {
		fmt.Fprintln(stdout)
	}
	if err != nil {
		return err
	}
	abs, _ := filepath.Abs(res.Path)
	docs := ""
	if res.Documents > 0 {
		docs = ", " + count(res.Documents, "document", "documents")
	}
	fmt.Fprintf(stdout, "Saved %s: %s, %s%s.\n", abs, count(res.Pages, "page", "pages"), records.HumanBytes(res.Bytes), docs)
	return nil
}

func printReadiness(w io.Writer, p records.Person, c records.Case, items []records.ReadyItem) {
	fmt.Fprintf(w, "What the second doctor will expect for %s", p.FullName)
	if c.Title != "" {
		fmt.Fprintf(w, " (%s)", c.Title)
	}
	fmt.Fprintln(w, ":")
	missing := 0
	for _, it := range items {
		mark := "[x]"
		switch it.State {
		case records.ReadyMissing:
			mark, missing = "[ ]", missing+1
		case records.ReadyNotApplicable:
			mark = "[-]"
		}
		fmt.Fprintf(w, "%s %s: %s\n", mark, it.Label, it.State)
		for _, d := range it.Documents {
			fmt.Fprintf(w, "      %s, %s\n", d.Title, orDash(d.Date.Short()))
		}
		if it.Note != "" {
			fmt.Fprintf(w, "      %s\n", it.Note)
		}
	}
	if missing == 0 {
		fmt.Fprintln(w, "Everything the second doctor expects is here.")
	} else {
		fmt.Fprintf(w, "%d item(s) missing.\n", missing)
	}
}

func countTrue(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

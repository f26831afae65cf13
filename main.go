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
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"fyne.io/fyne/v2/app"

	"secondopinion/export"
	"secondopinion/records"
	"secondopinion/records/media"
	"secondopinion/records/sample"
	"secondopinion/records/sandbox"
	"secondopinion/ui"
)

const usage = `Second Opinion: prepare your records and questions for a medical second opinion.

Usage:
  secondopinion [--library FILE]                 open the app
  secondopinion demo     [--library FILE]        add a sample person to try everything
  secondopinion add      [--library FILE] --person NAME --kind KIND [--title T] [--date YYYY-MM-DD|YYYY-MM] [--source S] [--again] [--readable-pages-only] [--password-file FILE] [--lang L] FILE...
  secondopinion import-cd [--library FILE] --person NAME [--different-patient-ok] [--patient KEY] PATH
                         add an imaging disc: PATH is the disc, a folder copied from it, or a .zip of it
  secondopinion list     [--library FILE] [--person NAME] [--search TEXT]
  secondopinion ocr      [--library FILE] [--lang L] [--retry-failed]   read the text of photos and scans still waiting
  secondopinion trash    [--library FILE] [--person NAME] --document ID|TITLE
  secondopinion restore  [--library FILE] [--person NAME] --document ID|TITLE
  secondopinion empty-trash [--library FILE] [--person NAME]
  secondopinion ready    [--library FILE] [--person NAME] [--case ID]
  secondopinion export   [--library FILE] [--person NAME] [--case ID] --out packet.pdf [--paper a4|letter] [--quality compact|original] [--for-email] [--password-file FILE]
                         [--duplex] [--questions-only | --medications-only | --comparison] [--leave-out-unreadable]
  secondopinion export   [--library FILE] [--person NAME] [--case ID] --enclosure FOLDER|FILE.zip [--paper ...] [--leave-out-unreadable]
                         the packet with its originals: the DICOM files of imaging discs, the original PDFs and photos
  secondopinion check    [--library FILE]
  secondopinion backup   [--library FILE] --out FILE
  secondopinion compact  [--library FILE]        rewrite an older library for faster adds; give back deleted space
  secondopinion --version                        say which version this is

Wherever --person NAME is taken, --person-id ID picks one person exactly
(two people may share a name). Options may come before or after the files.

Kinds: pathology, operative, discharge, imaging-report, imaging, results,
clinic-letter, referral, treatment-plan, medication-list, other.
The library is kept in your own user folder unless --library says otherwise.

add reads the text of photos and scanned PDFs it added with Tesseract (when
installed), so list --search finds their words, and prints what the text
suggests for the date, source, kind and title (nothing is changed). --lang
picks Tesseract's language (eng, the default; eng+deu for two).
`

func main() {
	// First of all: when this process was started to read an unchecked
	// file in a limited child process, do that and exit.
	sandbox.Serve()
	records.RestrictNewFiles()
	log.SetFlags(0)
	log.SetPrefix("secondopinion: ")
	// Ctrl+C, a terminal closing (SIGHUP) and a polite kill (SIGTERM) all
	// stop a command the same way: its work is cancelled and nothing half
	// done is kept.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		if errors.Is(err, syscall.EPIPE) {
			os.Exit(1) // the reader of our output went away (list | head)
		}
		fmt.Fprintln(os.Stderr, printable(records.Explain(err)))
		if os.Getenv("SECONDOPINION_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "detail: %s\n", printable(records.Detail(err)))
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
	personID := fs.String("person-id", "", "the person's `ID` (see secondopinion list)")
	document := fs.String("document", "", "a document's `ID` or exact title")
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
	duplex := fs.Bool("duplex", false, "for printing on both sides: every document of the packet starts on a right-hand page")
	forEmail := fs.Bool("for-email", false, "make the packet fit a 25 MB e-mail (in parts if it must be)")
	enclosure := fs.String("enclosure", "", "write the packet with its originals into this new `folder` (or .zip)")
	passwordFile := fs.String("password-file", "", "export: lock the packet with the password on the first line of this `file`; add: open PDFs locked with it")
	again := fs.Bool("again", false, "add a file even if it is already in the library")
	readable := fs.Bool("readable-pages-only", false, "from a damaged PDF, add just the pages that can be read")
	showVersion := fs.Bool("version", false, "say which version this is")
	differentOK := fs.Bool("different-patient-ok", false, "add an imaging disc whose patient is not the person")
	discPatient := fs.String("patient", "", "which patient of an imaging disc holding several (the `KEY` import-cd lists)")
	lang := fs.String("lang", "", "Tesseract `language` for reading photos and scans (eng, deu, eng+deu)")
	retryFailed := fs.Bool("retry-failed", false, "read again the pages whose text could not be read before")
	// Options may follow the files ("add scan.pdf --library L"): parse,
	// set aside the first file name, and parse what follows it again.
	var files []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return err
			}
			return &records.Problem{Msg: fmt.Sprintf("%v. Run secondopinion --help to see how to use it.", err)}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			files = append(files, rest...) // everything after -- is a file
			break
		}
		files, args = append(files, rest[0]), rest[1:]
	}
	meta, err := appMetadata()
	if err != nil {
		return err
	}
	if *showVersion {
		fmt.Fprintln(stdout, ui.About(meta))
		return nil
	}
	switch cmd {
	case "", "demo", "add", "import-cd", "list", "ready", "export", "check", "backup", "trash", "restore", "empty-trash", "compact", "ocr":
	case "help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return &records.Problem{Msg: fmt.Sprintf("%q is not a command Second Opinion knows. Run secondopinion --help to see the commands.", cmd)}
	}
	// Mistakes in the arguments are said before the library is opened (or
	// created): a command that fails on its arguments creates nothing.
	if cmd == "export" && *enclosure != "" {
		if *out != "" || *questionsOnly || *medsOnly || *comparison || *forEmail || *passwordFile != "" {
			return &records.Problem{Msg: "--enclosure writes the packet with its originals on its own: leave out --out, --questions-only, --medications-only, --comparison, --for-email and --password-file."}
		}
		*out = *enclosure // the argument checks below want a destination
	}
	if err := checkArgs(cmd, files, *person, *personID, *kind, *date, *out, *document); err != nil {
		return err
	}
	paperSize, photoQuality := records.Paper(strings.ToLower(*paper)), records.Quality(strings.ToLower(*quality))
	var password string
	if cmd == "export" {
		var err error
		if password, err = exportArgs(*questionsOnly, *medsOnly, *comparison, *duplex, *forEmail, *passwordFile); err != nil {
			return err
		}
		// Empty is the case's own paper and quality.
		if paperSize != "" {
			if err := paperSize.Validate(); err != nil {
				return err
			}
		}
		if photoQuality != "" {
			if err := photoQuality.Validate(); err != nil {
				return err
			}
		}
	}
	who := personRef{name: *person, id: *personID}
	path := *library
	if path == "" {
		if path, err = records.DefaultPath(); err != nil {
			return err
		}
	}
	opt := records.OpenOptions{Progress: func(msg string) { fmt.Fprintln(os.Stderr, msg) }}
	if cmd == "" {
		// The window waits less for a busy library; its edits are kept and
		// saved again in the background ("Saving…").
		opt.BusyTimeout = 2 * time.Second
	}
	s, err := records.OpenWith(ctx, path, opt)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, n := range s.Notices {
		fmt.Fprintln(os.Stderr, printable(n))
	}

	switch cmd {
	case "":
		app.SetMetadata(meta)
		ui.Run(ctx, app.NewWithID(meta.ID), s)
		return nil
	case "demo":
		p, err := sample.Load(ctx, s)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Added the sample person %s to %s.\n", printable(p.FullName), printable(s.Path()))
		return nil
	case "add":
		addOpt := records.AddOptions{Again: *again, ReadablePagesOnly: *readable}
		if *passwordFile != "" {
			pw, err := export.PasswordLine(*passwordFile)
			if err != nil {
				return err
			}
			addOpt.Passwords = map[string]string{}
			for _, f := range files {
				addOpt.Passwords[f] = pw
			}
		}
		return addCmd(ctx, s, stdout, who, *kind, *title, *date, *source, files, addOpt, *lang)
	case "import-cd":
		return importDiscCmd(ctx, s, stdout, who, files[0], records.ImportDiscOptions{DifferentPatientOK: *differentOK, Patient: *discPatient})
	case "ocr":
		return ocrCmd(ctx, s, stdout, *lang, *retryFailed)
	case "list":
		return listCmd(ctx, s, stdout, who, *search)
	case "trash", "restore":
		return trashCmd(ctx, s, stdout, who, *document, cmd == "restore")
	case "empty-trash":
		return emptyTrashCmd(ctx, s, stdout, who)
	case "ready":
		p, c, err := pick(ctx, s, who, *caseID)
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
		p, c, err := pick(ctx, s, who, *caseID)
		if err != nil {
			return err
		}
		opt := export.Options{PersonID: p.ID, CaseID: c.ID, Paper: paperSize, Quality: photoQuality,
			ForEmail: *forEmail, Password: password, Duplex: *duplex}
		if *enclosure != "" {
			return enclosureCmd(ctx, s, stdout, *enclosure, opt, *leaveOut)
		}
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
				fmt.Fprintln(stdout, "Problem: "+printable(p))
			}
			return &records.Problem{Msg: fmt.Sprintf("The library has %d problems (listed above). Keep a copy of the file and restore your latest backup.", len(problems))}
		}
		fmt.Fprintf(stdout, "The library is sound: %s, %s, %s (%s), %s, %s. Every file matches its fingerprint.\n",
			count(st.People, "person", "people"), count(st.Documents, "document", "documents"), count(st.Files, "file", "files"),
			records.HumanBytes(st.FileBytes), count(st.Medications, "medication", "medications"), count(st.Cases, "case", "cases"))
		return nil
	case "compact":
		return compactCmd(ctx, s, stdout)
	case "backup":
		if err := s.Backup(ctx, *out); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Backed up the library to %s.\n", printable(*out))
		return nil
	}
	return nil
}

// personRef is how the command line names a person: by name, or exactly
// by ID.
type personRef struct{ name, id string }

func (r personRef) set() bool { return r.name != "" || r.id != "" }

// find returns the person named; ErrNotFound (in a Problem) when there is
// none, and a refusal listing them when several share the name.
func (r personRef) find(ctx context.Context, s *records.Store) (records.Person, error) {
	if r.id != "" {
		return s.PersonByID(ctx, r.id)
	}
	return s.PersonByName(ctx, r.name)
}

// optionalID is the ID of the person named, or "" (everyone) when none is.
func (r personRef) optionalID(ctx context.Context, s *records.Store) (string, error) {
	if !r.set() {
		return "", nil
	}
	p, err := r.find(ctx, s)
	return p.ID, err
}

// pick finds the person (by name or ID, or the library's only one) and
// their case (by ID, or their most recent; none is fine).
func pick(ctx context.Context, s *records.Store, who personRef, caseID string) (records.Person, records.Case, error) {
	var p records.Person
	var err error
	if who.set() {
		if p, err = who.find(ctx, s); err != nil {
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

// checkArgs says what is missing or wrong in a command's arguments, before
// anything is opened.
func checkArgs(cmd string, files []string, person, personID, kind, date, out, document string) error {
	if len(files) > 0 && cmd != "add" && cmd != "import-cd" {
		return &records.Problem{Msg: fmt.Sprintf("secondopinion %s takes no file names, but was given %s. Run secondopinion --help to see how to use it.", orWord(cmd, "(the app)"), printable(strings.Join(files, " ")))}
	}
	if person != "" && personID != "" {
		return &records.Problem{Msg: "Give either --person or --person-id, not both."}
	}
	switch cmd {
	case "add":
		if person == "" && personID == "" {
			return &records.Problem{Msg: "Say whose document this is with --person NAME."}
		}
		if kind == "" {
			return &records.Problem{Msg: "Say what kind of document this is with --kind (for example --kind clinic-letter)."}
		}
		if _, err := records.ParseKind(kind); err != nil {
			return err
		}
		if _, err := records.ParseDate(date); err != nil {
			return err
		}
		if len(files) == 0 {
			return &records.Problem{Msg: "Name at least one file to add."}
		}
		for _, f := range files {
			if _, err := os.Stat(f); errors.Is(err, os.ErrNotExist) {
				return &records.Problem{Msg: fmt.Sprintf("There is no file %s. Check the name and folder, then add it again.", printable(f)), Err: err}
			}
		}
	case "import-cd":
		if person == "" && personID == "" {
			return &records.Problem{Msg: "Say whose imaging disc this is with --person NAME."}
		}
		if len(files) != 1 {
			return &records.Problem{Msg: "Name the disc to add: the disc itself (for example /media/cdrom), a folder copied from it, or a .zip of it."}
		}
	case "export":
		if out == "" {
			return &records.Problem{Msg: "Say where to save the packet with --out, for example --out packet.pdf."}
		}
	case "backup":
		if out == "" {
			return &records.Problem{Msg: "Say where to save the backup with --out, for example --out backup.sqlite."}
		}
	case "trash", "restore":
		if strings.TrimSpace(document) == "" {
			return &records.Problem{Msg: "Say which document with --document, giving its ID (from secondopinion list) or its exact title."}
		}
	}
	return nil
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}

func addCmd(ctx context.Context, s *records.Store, stdout io.Writer, who personRef, kind, title, date, source string, files []string, opt records.AddOptions, lang string) error {
	k, err := records.ParseKind(kind)
	if err != nil {
		return err
	}
	d, err := records.ParseDate(date)
	if err != nil {
		return err
	}
	doc := records.Document{Kind: k, Title: title, Date: d, Source: source}
	name := who.name
	p, err := who.find(ctx, s)
	switch {
	case errors.Is(err, records.ErrNotFound) && who.id == "":
		opt.NewPerson = &records.Person{FullName: name, PreparedBy: records.Preparer{Self: true}}
	case err != nil:
		return err
	default:
		doc.PersonID, name = p.ID, p.FullName
	}
	var damaged *media.DamagedPDFError
	if err := s.AddDocument(ctx, &doc, files, opt); errors.Is(err, records.ErrDuplicate) {
		return &records.Problem{Msg: records.Explain(err) + " Nothing was added; run the command again with --again to add it anyway.", Err: err}
	} else if errors.As(err, &damaged) && len(damaged.Sound()) > 0 {
		return &records.Problem{Msg: records.Explain(err) + " Nothing was added; to add just the readable " + media.PageRanges(damaged.Sound()) +
			" for now, run the command again with --readable-pages-only.", Err: err}
	} else if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Added %s (%s, %d page%s, ID %s) for %s.\n", printable(strconv.Quote(doc.Title)), doc.Kind.Label(), doc.Pages, plural(doc.Pages),
		records.ShortID(doc.ID), printable(name))
	if doc.Missing != "" {
		fmt.Fprintln(stdout, printable(doc.Missing)+" Ask for a complete copy.")
	}
	for _, f := range doc.Files {
		orig, why, ok, err := s.Original(ctx, f.ID)
		if err != nil || !ok {
			continue
		}
		switch why {
		case "unlocked":
			fmt.Fprintf(stdout, "%s is kept as it came, locked, with an unlocked copy for the packet. The password was not kept.\n", printable(orig.Name))
		case "converted":
			fmt.Fprintf(stdout, "%s is kept as it came, with a JPEG copy (%s) for the packet.\n", printable(orig.Name), printable(f.Name))
		}
	}
	// The document is kept whatever happens to OCR: a missing Tesseract or
	// a stop (Ctrl+C) leaves its pages queued for the app or secondopinion
	// ocr, and says so.
	ids := make([]string, len(doc.Files))
	for i, f := range doc.Files {
		ids[i] = f.ID
	}
	res, err := s.RunOCR(ctx, records.OCROptions{Lang: lang, Files: ids, Progress: ocrProgress})
	switch {
	case ctx.Err() != nil:
		fmt.Fprintln(stdout, "Stopped reading its text; the document is kept. Run secondopinion ocr to finish.")
		return nil
	case err != nil:
		fmt.Fprintln(stdout, "Its text was not read: "+printable(records.Explain(err))+" Then run secondopinion ocr.")
		return nil
	case res.Done > 0 || res.Failed > 0:
		fmt.Fprintf(stdout, "Read the text of %s.\n", count(res.Done, "page", "pages"))
		if res.Failed > 0 {
			fmt.Fprintf(stdout, "The text of %s could not be read (see secondopinion ocr).\n", count(res.Failed, "page", "pages"))
		}
	}
	sg, err := s.Suggestions(ctx, doc.ID)
	if err != nil {
		return err
	}
	printSuggestion(stdout, sg)
	return nil
}

// ocrProgress shows on standard error how far reading text has got.
func ocrProgress(done, total int) {
	fmt.Fprintf(os.Stderr, "Reading text from photos and scans: %d of %d\n", done, total)
}

// printSuggestion prints what a document's text suggests, saying that
// nothing was changed.
func printSuggestion(stdout io.Writer, sg records.Suggestion) {
	if sg.IsZero() {
		return
	}
	fmt.Fprintln(stdout, "Its text suggests (nothing was changed):")
	if !sg.Date.IsZero() {
		fmt.Fprintf(stdout, "  date of service: %s (from %s)\n", sg.Date.Human(), printable(strconv.Quote(sg.DateFrom)))
	}
	if sg.Source != "" {
		fmt.Fprintf(stdout, "  source: %s\n", printable(sg.Source))
	}
	if sg.Kind != "" {
		fmt.Fprintf(stdout, "  kind: %s (--kind %s)\n", sg.Kind.Label(), sg.Kind)
	}
	if sg.Title != "" {
		fmt.Fprintf(stdout, "  title: %s\n", printable(sg.Title))
	}
}

// ocrCmd reads the text of every photo and scan still waiting, with
// progress, until none is left or it is stopped (what was read is kept).
func ocrCmd(ctx context.Context, s *records.Store, stdout io.Writer, lang string, retry bool) error {
	if retry {
		n, err := s.RetryFailedOCR(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			fmt.Fprintf(stdout, "Trying %s again.\n", count(n, "page", "pages"))
		}
	}
	c, err := s.OCRCounts(ctx)
	if err != nil {
		return err
	}
	if c.Pending == 0 {
		fmt.Fprintf(stdout, "No photo or scan is waiting to be read (%s read", count(c.Done, "page", "pages"))
		if c.Failed > 0 {
			fmt.Fprintf(stdout, ", %d could not be read: run with --retry-failed to try again", c.Failed)
		}
		fmt.Fprintln(stdout, ").")
		return nil
	}
	res, err := s.RunOCR(ctx, records.OCROptions{Lang: lang, Progress: ocrProgress})
	if err != nil {
		if res.Done > 0 {
			fmt.Fprintf(stdout, "Read the text of %s before stopping.\n", count(res.Done, "page", "pages"))
		}
		return err
	}
	fmt.Fprintf(stdout, "Read the text of %s.", count(res.Done, "page", "pages"))
	if res.Failed > 0 {
		fmt.Fprintf(stdout, " %s could not be read; run secondopinion ocr --retry-failed to try again.", count(res.Failed, "page", "pages"))
	}
	fmt.Fprintln(stdout)
	return nil
}

func trashCmd(ctx context.Context, s *records.Store, stdout io.Writer, who personRef, ref string, restore bool) error {
	personID, err := who.optionalID(ctx, s)
	if err != nil {
		return err
	}
	d, err := s.FindDocument(ctx, personID, ref, restore)
	if err != nil {
		return err
	}
	if restore {
		if err := s.RestoreDocument(ctx, d.ID); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Restored %s from the Trash.\n", printable(strconv.Quote(d.Title)))
		return nil
	}
	if err := s.TrashDocument(ctx, d.ID); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Moved %s to the Trash. Bring it back with: secondopinion restore --document %s\n", printable(strconv.Quote(d.Title)), records.ShortID(d.ID))
	return nil
}

func emptyTrashCmd(ctx context.Context, s *records.Store, stdout io.Writer, who personRef) error {
	personID, err := who.optionalID(ctx, s)
	if err != nil {
		return err
	}
	n, err := s.EmptyTrash(ctx, personID)
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintln(stdout, "The Trash was already empty.")
		return nil
	}
	fmt.Fprintf(stdout, "Deleted %s for good, with their files.\n", count(n, "document", "documents"))
	return nil
}

// printable shows text from the library or the user safely in a terminal:
// control characters (an escape sequence in a file name would rewrite the
// screen) and invisible direction marks are shown as escapes.
func printable(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			fmt.Fprintf(&b, `\x%02x`, r)
		case (r >= 0x200b && r <= 0x200f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0xfeff:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func listCmd(ctx context.Context, s *records.Store, stdout io.Writer, who personRef, search string) error {
	people, err := s.People(ctx)
	if err != nil {
		return err
	}
	if who.set() {
		p, err := who.find(ctx, s)
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
		header := printable(p.FullName)
		if !p.DateOfBirth.IsZero() {
			header += ", born " + p.DateOfBirth.Human()
		}
		fmt.Fprintln(stdout, header+" (ID "+records.ShortID(p.ID)+")")
		cases, err := s.Cases(ctx, p.ID)
		if err != nil {
			return err
		}
		for _, c := range cases {
			fmt.Fprintf(stdout, "  Case %s: %s\n", c.ID, printable(c.Title))
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
			fmt.Fprintln(tw, "  ID\tDate\tKind\tTitle\tSource\tPages")
		}
		for _, d := range docs {
			title := printable(d.Title)
			if d.Missing != "" {
				title += " (incomplete)"
			}
			pages := strconv.Itoa(d.Pages)
			if d.Studies > 0 {
				// The packet shows an imaging study in its Imaging section.
				pages = fmt.Sprintf("%d image%s", d.FileCount, plural(d.FileCount))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%s\n", records.ShortID(d.ID), orDash(d.Date.Short()), d.Kind.Label(), title, orDash(printable(d.Source)), pages)
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
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", printable(m.Name), orDash(printable(m.Strength)), orDash(printable(m.Frequency)), status, orDash(m.Start.Short()))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

func exportCmd(ctx context.Context, s *records.Store, stdout io.Writer, out string, opt export.Options, questions, meds, comparison, leaveOut bool) error {
	// Refuse a destination that must not be replaced before any work: the
	// readiness check below prepares (and keeps in the library) print
	// versions of photos, which would change the library for nothing.
	if err := export.CheckTarget(s, out); err != nil {
		return err
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
		if err := readyToWrite(ctx, s, &opt, leaveOut); err != nil {
			return err
		}
		res, err = export.WritePacket(ctx, s, out, opt)
	}
	if terminal {
		fmt.Fprintln(stdout)
	}
	if err != nil {
		return err
	}
	printSaved(stdout, res)
	return nil
}

// readyToWrite checks that every document can go into the packet: those
// that cannot are listed on standard error and refused, or left out (the
// packet then says so) with --leave-out-unreadable. Letters the packet
// font cannot draw are warned about, not refused: the packet is still
// worth sending.
func readyToWrite(ctx context.Context, s *records.Store, opt *export.Options, leaveOut bool) error {
	issues, err := export.Readiness(ctx, s, *opt)
	if err != nil {
		return err
	}
	if len(issues) > 0 && !leaveOut {
		for _, is := range issues {
			fmt.Fprintf(os.Stderr, "Cannot include %s: %s\n", printable(strconv.Quote(is.Title)), printable(is.Problem))
		}
		return &records.Problem{Msg: fmt.Sprintf("%d document(s) cannot go into the packet (listed above). Replace them, or run again with --leave-out-unreadable to leave them out; the packet will say they are missing.", len(issues))}
	}
	for _, is := range issues {
		opt.Exclude = append(opt.Exclude, is.DocumentID)
	}
	warnings, err := export.TextWarnings(ctx, s, *opt)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(os.Stderr, "Warning: %s\n", printable(w))
	}
	return nil
}

// enclosureCmd writes the packet with its originals (export --enclosure).
func enclosureCmd(ctx context.Context, s *records.Store, stdout io.Writer, out string, opt export.Options, leaveOut bool) error {
	if err := export.CheckEnclosureTarget(s, out); err != nil {
		return err
	}
	terminal := isTerminal(os.Stdout)
	opt.Progress = func(done, total int) {
		if terminal {
			fmt.Fprintf(stdout, "\rExporting: %d of %d", done, total)
		}
	}
	if err := readyToWrite(ctx, s, &opt, leaveOut); err != nil {
		return err
	}
	res, err := export.WriteEnclosure(ctx, s, out, opt)
	if terminal {
		fmt.Fprintln(stdout)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Saved %s: the packet (%s)", printable(res.Path), count(res.Packet.Pages, "page", "pages"))
	if res.Studies > 0 {
		fmt.Fprintf(stdout, ", %s of %s in DICOM with a DICOMDIR", count(res.DICOMFiles, "imaging file", "imaging files"), count(res.Studies, "study", "studies"))
	}
	fmt.Fprintf(stdout, ", %s, and README.txt saying what is where; %s in all.\n", count(res.Originals, "original file", "original files"), records.HumanBytes(res.Bytes))
	return nil
}

// exportArgs checks export's choice of what to write, --duplex,
// --for-email and --password-file before any library is opened, and reads
// the password (never printed).
func exportArgs(questions, meds, comparison, duplex, forEmail bool, passwordFile string) (string, error) {
	notPacket := questions || meds || comparison
	if countTrue(questions, meds, comparison) > 1 {
		return "", &records.Problem{Msg: "Choose one of --questions-only, --medications-only or --comparison."}
	}
	if duplex && notPacket {
		return "", &records.Problem{Msg: "--duplex is for the whole packet, where each document then starts on a right-hand page. Leave it out with --questions-only, --medications-only or --comparison."}
	}
	if notPacket && (forEmail || passwordFile != "") {
		return "", &records.Problem{Msg: "--for-email and --password-file apply to the packet only; leave them out with --questions-only, --medications-only or --comparison."}
	}
	if passwordFile == "" {
		return "", nil
	}
	return export.PasswordFromFile(passwordFile)
}

// printSaved says what an export wrote: each file with its decimal size,
// what is too large for e-mail, and, for a locked packet, how to send the
// password.
func printSaved(stdout io.Writer, res export.Result) {
	docs := ""
	if res.Documents > 0 {
		docs = ", " + count(res.Documents, "document", "documents")
	}
	if len(res.Files) > 1 {
		fmt.Fprintf(stdout, "Saved the packet in %d parts for e-mail (%s%s in all):\n", len(res.Files), count(res.Pages, "page", "pages"), docs)
		for _, f := range res.Files {
			abs, _ := filepath.Abs(f.Path)
			fmt.Fprintf(stdout, "  %s: pages %d to %d, %s\n", printable(abs), f.FirstPage, f.FirstPage+f.Pages-1, records.HumanBytes(f.Bytes))
		}
	} else {
		abs, _ := filepath.Abs(res.Path)
		fmt.Fprintf(stdout, "Saved %s: %s, %s%s.\n", printable(abs), count(res.Pages, "page", "pages"), records.HumanBytes(res.Bytes), docs)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(stdout, printable(n))
	}
	if res.Encrypted {
		fmt.Fprintln(stdout, "The packet opens only with the password. Give the password to the doctor another way, for example by telephone, never in the same e-mail.")
	}
}

func printReadiness(w io.Writer, p records.Person, c records.Case, items []records.ReadyItem) {
	fmt.Fprintf(w, "What the second doctor will expect for %s", printable(p.FullName))
	if c.Title != "" {
		fmt.Fprintf(w, " (%s)", printable(c.Title))
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
			fmt.Fprintf(w, "      %s, %s\n", printable(d.Title), orDash(d.Date.Short()))
		}
		if it.Note != "" {
			fmt.Fprintf(w, "      %s\n", printable(it.Note))
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

// compactCmd rewrites the library (see records.Store.Compact), showing how
// far it has got on standard error.
func compactCmd(ctx context.Context, s *records.Store, stdout io.Writer) error {
	last := -1
	res, err := s.Compact(ctx, func(done, total int64) {
		if pct := int(done * 100 / max(total, 1)); pct/10 != last/10 {
			last = pct
			fmt.Fprintf(os.Stderr, "Compacting: %d%%\n", pct)
		}
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Compacted the library: %s before, %s now, in pages of %d KiB (were %d KiB).\n",
		records.HumanBytes(res.Before), records.HumanBytes(res.After), res.PageAfter/1024, res.PageBefore/1024)
	if res.After > res.Before {
		fmt.Fprintln(stdout, "Larger pages take a little more room in a small library; they make adding photos and letters about twice as fast.")
	}
	return nil
}

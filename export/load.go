package export

import (
	"context"
	"fmt"
	"strings"
	"time"

	"secondopinion/records"
)

// packet is everything the packet shows, read from the library in one go.
type packet struct {
	person    records.Person
	kase      *records.Case // nil: a packet of all the person's documents
	meds      []records.Medication
	allergies []records.Allergy
	questions []records.Question
	docs      []records.Document // in packet order, with their files
	leftOut   []records.Document // chosen for the packet but left out after the readiness check (Options.Exclude)
	paper     records.Paper
	quality   records.Quality
	duplex    bool // every document starts on an odd page (Options.Duplex)
	prepared  time.Time
	sections  []string        // front sections in order: frontSections, plus the timeline when asked for
	timeline  []records.Event // when the case asks for the timeline section
	// The clinical facts of the front sheet, cover and summary.
	history    []records.HistoryItem // other conditions and devices
	results    []records.Result      // key results, newest first
	recipients []records.Recipient   // whom the opinion goes to (case only)
	handovers  []records.Handover    // slides, blocks, discs (case only)
	// Imaging (imaging.go): the studies of the packet's documents, newest
	// first, the stored files they hold, and their key images (loaded only
	// for a packet that is written).
	studies    []records.Study
	studyFiles map[string]bool
	keys       map[string]*keyImage // by series ID
	enclosed   bool                 // the packet goes out with its originals (WriteEnclosure)
}

// frontNames lists the packet's front sections: the timeline, when the
// case asks for it, follows the summary.
func (p *packet) frontNames() []string {
	if p.kase == nil || !p.kase.Packet.Timeline {
		return frontSections
	}
	var out []string
	for _, s := range frontSections {
		out = append(out, s)
		if s == secSummary {
			out = append(out, secTimeline)
		}
	}
	return out
}

// load reads what the packet needs. Excluded documents are left out here,
// so nothing later has to remember them.
func load(ctx context.Context, s *records.Store, opt Options) (*packet, error) {
	if strings.TrimSpace(opt.PersonID) == "" {
		return nil, &records.Problem{Msg: "Choose whose packet to make.", Err: records.ErrInvalid}
	}
	p := &packet{prepared: opt.now(), duplex: opt.Duplex, enclosed: opt.enclosed}
	var err error
	if p.person, err = s.Person(ctx, opt.PersonID); err != nil {
		return nil, err
	}
	var list []records.Document
	if opt.CaseID != "" {
		c, err := s.Case(ctx, opt.CaseID)
		if err != nil {
			return nil, err
		}
		if c.PersonID != p.person.ID {
			return nil, &records.Problem{Msg: "That second-opinion request belongs to someone else. Choose the request again.", Err: records.ErrInvalid}
		}
		p.kase = &c
		if list, err = s.PacketDocuments(ctx, c); err != nil {
			return nil, err
		}
		if p.questions, err = s.Questions(ctx, c.ID); err != nil {
			return nil, err
		}
		if p.recipients, err = s.Recipients(ctx, c.ID); err != nil {
			return nil, err
		}
		if p.handovers, err = s.Handovers(ctx, c.ID); err != nil {
			return nil, err
		}
		if c.Packet.Timeline {
			if p.timeline, err = s.Timeline(ctx, c.ID); err != nil {
				return nil, err
			}
		}
	} else if list, err = s.Documents(ctx, records.DocumentFilter{PersonID: p.person.ID}); err != nil {
		return nil, err
	} else {
		list = records.DateOrder(list)
	}
	if p.meds, err = s.Medications(ctx, p.person.ID); err != nil {
		return nil, err
	}
	if p.allergies, err = s.Allergies(ctx, p.person.ID); err != nil {
		return nil, err
	}
	if p.history, err = s.History(ctx, p.person.ID); err != nil {
		return nil, err
	}
	if p.results, err = s.Results(ctx, p.person.ID); err != nil {
		return nil, err
	}
	p.paper, p.quality = opt.Paper, opt.Quality
	if p.kase != nil {
		if p.paper == "" {
			p.paper = p.kase.Packet.Paper
		}
		if p.quality == "" {
			p.quality = p.kase.Packet.Quality
		}
	}
	if p.paper == "" {
		p.paper = records.DefaultPaper()
	}
	if p.quality == "" {
		p.quality = records.QualityCompact
	}
	if p.paper != records.PaperA4 && p.paper != records.PaperLetter {
		return nil, &records.Problem{Msg: fmt.Sprintf("%q is not a paper size we print on; choose A4 or Letter.", p.paper), Err: records.ErrInvalid}
	}
	if p.quality != records.QualityCompact && p.quality != records.QualityOriginal {
		return nil, &records.Problem{Msg: fmt.Sprintf("%q is not a photo quality; choose compact or original.", p.quality), Err: records.ErrInvalid}
	}
	if opt.ForEmail {
		p.quality = qualityEmail
	}
	p.sections = p.frontNames()
	skip := make(map[string]bool, len(opt.Exclude))
	for _, id := range opt.Exclude {
		skip[id] = true
	}
	for _, d := range list {
		if skip[d.ID] {
			p.leftOut = append(p.leftOut, d)
			continue
		}
		full, err := s.Document(ctx, d.ID)
		if err != nil {
			return nil, err
		}
		p.docs = append(p.docs, full)
	}
	if err := loadStudies(ctx, s, p); err != nil {
		return nil, err
	}
	return p, nil
}

// who is the patient's name for sentences.
func (p *packet) who() string { return p.person.FullName }

// author is who prepared the packet, for the PDF's metadata and the cover.
func (p *packet) author() string {
	pb := p.person.PreparedBy
	if pb.Self || strings.TrimSpace(pb.Name) == "" {
		return p.person.FullName
	}
	return pb.Name
}

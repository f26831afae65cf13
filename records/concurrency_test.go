package records_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"secondopinion/records"
)

// TestCancelMidAdd: pressing Stop while a large file is being added leaves
// the library as it was, with a sentence saying so.
func TestCancelMidAdd(t *testing.T) {
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	dir := t.TempDir()
	addDoc(t, s, p.ID, records.Document{}, writeFile(t, dir, "first.pdf", makePDF("first", 0, 0)))
	big := writeFile(t, dir, "big.pdf", makePDF("big", 3*records.ChunkSize, 1))
	before := snapshot(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d := records.Document{PersonID: p.ID}
	err := s.AddDocument(ctx, &d, []string{big}, records.AddOptions{Progress: func(done, total int64) {
		if done >= records.ChunkSize {
			cancel() // after the first part is written
		}
	}})
	if err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("AddDocument(cancelled mid-add) = %v, want a cancellation", err)
	}
	if msg := records.Explain(err); !strings.Contains(msg, "Stopped") {
		t.Errorf("Explain(err) = %q, want it to say it stopped", msg)
	}
	assertUnchanged(t, s, before)
}

// TestConcurrentUse: the app adds files on one goroutine while lists and
// searches run on others; nobody sees "database is locked" and every add
// is kept.
func TestConcurrentUse(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	p := addPerson(t, s, "Mary Example")
	dir := t.TempDir()
	const writers, each = 3, 5
	var paths [writers][each]string // made here: t.Fatal belongs to the test's goroutine
	for w := range paths {
		for i := range paths[w] {
			paths[w][i] = writeFile(t, dir, fmt.Sprintf("w%d-%d.pdf", w, i), makePDF(fmt.Sprintf("writer %d file %d", w, i), 64<<10, uint64(w*100+i)))
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				d := records.Document{PersonID: p.ID, Title: fmt.Sprintf("report %d %d", w, i)}
				if err := s.AddDocument(ctx, &d, []string{paths[w][i]}, records.AddOptions{}); err != nil {
					errs <- fmt.Errorf("AddDocument: %w", err)
				}
				m := records.Medication{PersonID: p.ID, Name: fmt.Sprintf("Medicine %d-%d", w, i)}
				if err := s.SaveMedication(ctx, &m); err != nil {
					errs <- fmt.Errorf("SaveMedication: %w", err)
				}
			}
		}()
	}
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				if _, err := s.Documents(ctx, records.DocumentFilter{Search: "report"}); err != nil {
					errs <- fmt.Errorf("Documents: %w", err)
				}
				if _, err := s.Stats(ctx); err != nil {
					errs <- fmt.Errorf("Stats: %w", err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st := snapshot(t, s)
	if st.Stats.Documents != writers*each || st.Stats.Medications != writers*each || len(st.Problems) != 0 {
		t.Errorf("after concurrent use: Stats %+v, Check %q, want %d documents and medications, no problems", st.Stats, st.Problems, writers*each)
	}
}

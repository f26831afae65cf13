package records

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Compacted says what Compact did.
type Compacted struct {
	Before, After         int64 // the library file's size in bytes
	PageBefore, PageAfter int   // page sizes in bytes
}

// Compact rewrites the library in place (SQLite's VACUUM): it gives an
// older library the page size new ones get (see PageSize), which makes
// adding faster, and returns the space of deleted records to the disk.
// progress, when set, is called from another goroutine with bytes written
// so far and the bytes the rewrite is expected to write (an estimate).
//
// It needs the library to itself: while another window or command has it
// open, it says so and changes nothing. A crash or power cut part way
// leaves the library as it was before (the rewrite is journalled).
func (s *Store) Compact(ctx context.Context, progress func(done, total int64)) (Compacted, error) {
	var out Compacted
	st, err := os.Stat(s.path)
	if err != nil {
		return out, err
	}
	out.Before = st.Size()
	if wal, err := os.Stat(s.path + "-wal"); err == nil {
		out.Before += wal.Size()
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return out, s.wrapWrite(err)
	}
	defer conn.Close()
	var pages, free int64
	if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&out.PageBefore); err != nil {
		return out, s.wrapWrite(err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return out, s.wrapWrite(err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA freelist_count").Scan(&free); err != nil {
		return out, s.wrapWrite(err)
	}
	whole := pages * int64(out.PageBefore)
	used := (pages - free) * int64(out.PageBefore)
	// The rewrite copies the records to a temporary file, journals every
	// page of the library, then writes the records back.
	if room, ok := freeSpace(filepath.Dir(s.path)); ok && room < uint64(whole+used) {
		return out, &Problem{Msg: fmt.Sprintf("There is not enough free disk space to compact the library: it needs about %s free next to it, and %s is free. Free some space and try again; nothing was changed.",
			humanBytes(whole+used), humanBytes(int64(room))), Err: ErrDiskFull}
	}

	// Only this connection may have the library open while the journal
	// mode changes: close the pool's idle ones.
	s.db.SetMaxIdleConns(0)
	defer s.db.SetMaxIdleConns(2) // database/sql's default
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = DELETE").Scan(&mode); err != nil || mode != "delete" {
		if ctx.Err() != nil {
			return out, &Problem{Msg: "Compacting was stopped. The library is as it was.", Err: ctx.Err()}
		}
		return out, errCompactBusy()
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA journal_mode = WAL")
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA page_size = %d", PageSize)); err != nil {
		return out, s.wrapWrite(err)
	}

	stop := make(chan struct{})
	done := make(chan struct{})
	if progress != nil {
		total := 2*used + whole
		start := writtenBytes()
		go func() {
			defer close(done)
			tick := time.NewTicker(200 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					progress(total, total)
					return
				case <-tick.C:
					if now := writtenBytes(); now >= 0 && start >= 0 {
						progress(min(now-start, total*99/100), total)
					}
				}
			}
		}()
	} else {
		close(done)
	}
	_, err = conn.ExecContext(ctx, "VACUUM")
	close(stop)
	<-done
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return out, &Problem{Msg: "Compacting was stopped. The library is as it was.", Err: err}
		}
		if isBusy(err) {
			return out, errCompactBusy()
		}
		return out, s.wrapWrite(err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA journal_mode = WAL"); err != nil {
		return out, s.wrapWrite(err)
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&out.PageAfter); err != nil {
		return out, s.wrapWrite(err)
	}
	if st, err := os.Stat(s.path); err == nil {
		out.After = st.Size()
	}
	return out, nil
}

// errCompactBusy is Compact's refusal while the library is open elsewhere.
func errCompactBusy() error {
	return &Problem{Msg: "Another Second Opinion window or command has the library open, so it cannot be compacted now. Close it and try again; nothing was changed.", Err: ErrBusy}
}

// writtenBytes is how many bytes this process has handed to write calls
// so far (Linux's /proc/self/io), or -1 where that cannot be read.
func writtenBytes() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err == nil {
				return n
			}
		}
	}
	return -1
}

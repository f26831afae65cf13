package records

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
)

// FileReader reads a stored file's bytes chunk by chunk, so even a very
// large file is never held whole in memory. It is an io.ReadSeeker and an
// io.ReaderAt (PDF libraries want both). Not safe for concurrent use.
type FileReader struct {
	s      *Store
	ctx    context.Context
	id     string
	size   int64
	off    int64
	seq    int64 // chunk held in buf, or -1
	buf    []byte
	closed bool
}

// OpenFile opens a stored file's bytes for reading.
func (s *Store) OpenFile(ctx context.Context, fileID string) (*FileReader, error) {
	var size int64
	err := s.db.QueryRowContext(ctx, `SELECT size FROM file WHERE id=?`, fileID).Scan(&size)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("file")
	}
	if err != nil {
		return nil, err
	}
	return &FileReader{s: s, ctx: ctx, id: fileID, size: size, seq: -1}, nil
}

// Size is the file's length in bytes.
func (r *FileReader) Size() int64 { return r.size }

func (r *FileReader) chunk(seq int64) ([]byte, error) {
	if seq == r.seq {
		return r.buf, nil
	}
	var data []byte
	err := r.s.db.QueryRowContext(r.ctx, `SELECT data FROM file_chunk WHERE file_id=? AND seq=?`, r.id, seq).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("file %s: chunk %d is missing from the library", r.id, seq)
	}
	if err != nil {
		return nil, err
	}
	r.seq, r.buf = seq, data
	return data, nil
}

// ReadAt reads len(p) bytes at offset off.
func (r *FileReader) ReadAt(p []byte, off int64) (int, error) {
	if r.closed {
		return 0, errors.New("records: read of closed file")
	}
	if off < 0 {
		return 0, errors.New("records: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		if pos >= r.size {
			return n, io.EOF
		}
		data, err := r.chunk(pos / ChunkSize)
		if err != nil {
			return n, err
		}
		in := pos % ChunkSize
		if in >= int64(len(data)) {
			return n, fmt.Errorf("file %s: chunk %d is shorter than expected", r.id, pos/ChunkSize)
		}
		n += copy(p[n:], data[in:])
	}
	return n, nil
}

// Read reads from the current offset.
func (r *FileReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	if rest := r.size - r.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := r.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the offset for the next Read.
func (r *FileReader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.size
	default:
		return 0, errors.New("records: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("records: negative position")
	}
	r.off = offset
	return offset, nil
}

// Close releases the reader.
func (r *FileReader) Close() error {
	r.closed, r.buf = true, nil
	return nil
}

// Derived returns work kept for a file (for example kind "print-200dpi-a4":
// the compact print version of a photo), and whether there was any.
func (s *Store) Derived(ctx context.Context, fileID, kind string) (data []byte, width, height int, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT data, width, height FROM file_derived WHERE file_id=? AND kind=?`, fileID, kind).Scan(&data, &width, &height)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, 0, false, nil
	}
	return data, width, height, err == nil, err
}

// SaveDerived keeps work made from a file alone, so it is done once.
func (s *Store) SaveDerived(ctx context.Context, fileID, kind string, data []byte, width, height int) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO file_derived (file_id, kind, width, height, data) VALUES (?, ?, ?, ?, ?)`,
			fileID, kind, width, height, data)
		return err
	})
}

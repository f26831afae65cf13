package records

import "database/sql"

// DBForTest hands tests the store's connection pool so they can simulate
// what no public call can: a full disk (PRAGMA max_page_count), a library
// written by a newer version. Only tests see it.
func DBForTest(s *Store) *sql.DB { return s.db }

// SkipRoomCheckForTest turns off the free-space check before migrations,
// so a test can fill the disk while they run; call the result to restore.
func SkipRoomCheckForTest() func() {
	skipRoomCheck = true
	return func() { skipRoomCheck = false }
}

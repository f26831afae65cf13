package records_test

import (
	"os"
	"testing"

	"secondopinion/records/sandbox"
)

// TestMain lets the test binary be the child process that reads unchecked
// files, as the real program is.
func TestMain(m *testing.M) {
	sandbox.Serve()
	os.Exit(m.Run())
}

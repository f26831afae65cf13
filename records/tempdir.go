package records

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"secondopinion/records/dicom"
)

// PrivateTemp makes an owner-only temporary folder for this process, named
// with prefix and the process's tag, and first removes folders with the
// same prefix left by processes that have ended (killed before they could
// clean up). The caller removes its folder when done.
func PrivateTemp(prefix string) (string, error) {
	RemoveStaleTemp(prefix)
	_, pid, start := ownerParts(owner())
	dir, err := os.MkdirTemp("", fmt.Sprintf("%s%s-%s-", prefix, pid, start))
	if err != nil {
		return "", &Problem{Msg: fmt.Sprintf("Second Opinion cannot make a private temporary folder (%v). Check that the disk is not full.", errBrief(err)), Err: err}
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

// RemoveStaleTemp removes temporary folders made by PrivateTemp with this
// prefix whose process has ended.
func RemoveStaleTemp(prefix string) {
	names, _ := filepath.Glob(filepath.Join(os.TempDir(), prefix+"*"))
	host, _ := os.Hostname()
	for _, n := range names {
		parts := strings.SplitN(strings.TrimPrefix(filepath.Base(n), prefix), "-", 3)
		if len(parts) != 3 {
			continue
		}
		if !ownerAlive(host + "/" + parts[0] + "/" + parts[1]) {
			os.RemoveAll(n)
		}
	}
}

func ownerParts(tag string) (host, pid, start string) {
	p := strings.SplitN(tag, "/", 3)
	for len(p) < 3 {
		p = append(p, "")
	}
	return p[0], p[1], p[2]
}

// Folders the DICOM reader unpacks compressed images in are ours too.
func init() { dicom.MakeTemp = PrivateTemp }

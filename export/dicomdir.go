package export

import (
	"errors"
)

// dicomDir is the DICOMDIR of an enclosure's studies.
func dicomDir(p *packet, studies []*encStudy) ([]byte, error) {
	return nil, errors.New("DICOMDIR writer not there yet")
}

//go:build !race

package media

// raceSlowdown scales time bounds in tests run with the race detector.
const raceSlowdown = 1

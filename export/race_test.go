//go:build race

package export_test

// raceDetector: the tests run with -race, which makes image work many
// times slower.
const raceDetector = true

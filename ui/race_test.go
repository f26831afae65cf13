//go:build race

package ui

// raceDetector: the tests run with -race, which makes every callback many
// times slower; time limits are checked without it.
const raceDetector = true

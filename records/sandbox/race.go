//go:build race

package sandbox

// raceEnabled: the race detector's shadow memory counts against the data
// rlimit, so a race-enabled child keeps only GOMEMLIMIT.
const raceEnabled = true

//go:build race

package ginsession_test

// raceEnabled: the race detector slows the requests and Porcupine twenty
// times, so the -race run of the linearizability check is a short one (the
// code paths under the detector); .ci/test runs the full one without it.
const raceEnabled = true

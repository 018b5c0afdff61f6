//go:build !race

package auth_test

// raceOn reports a -race build, which slows the pure-Go SQLite driver tens of times.
const raceOn = false

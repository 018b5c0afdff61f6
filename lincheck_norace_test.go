//go:build !race

package ginsession_test

const raceEnabled = false

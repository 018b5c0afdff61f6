// Package bench measures ginsession beside gin-contrib/sessions and
// alexedwards/scs through the same gin.Engine, in the same process run.
//
// It is a module of its own so that the library never depends on its peers.
// The benchmarks live in the _test.go files; run.sh runs them and writes
// BENCHMARKS.md at the repository root. See README.md beside this file for
// what is measured and how.
package bench

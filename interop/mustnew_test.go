package interop

// mustNew returns v and panics on err: for store constructors given options
// the test knows to be valid, so a call stays one expression.
func mustNew[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Package errprefix wraps an error with the operation that failed, saying
// the package's name once: "auth: login: " in front of "auth: no secret
// key" reads "auth: login: no secret key", not "auth: login: auth: no
// secret key".
package errprefix

import "strings"

// Wrap returns err with prefix ("pkg: operation") in front of its message,
// from which a leading "pkg: " is removed, as prefix already says it.
// errors.Is and errors.As see err through it. Wrap(prefix, nil) is nil.
func Wrap(prefix string, err error) error {
	if err == nil {
		return nil
	}
	pkg, _, _ := strings.Cut(prefix, ": ")
	return &wrapped{msg: prefix + ": " + strings.TrimPrefix(err.Error(), pkg+": "), err: err}
}

type wrapped struct {
	msg string
	err error
}

func (w *wrapped) Error() string { return w.msg }
func (w *wrapped) Unwrap() error { return w.err }

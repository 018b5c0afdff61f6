package errprefix

import (
	"errors"
	"fmt"
	"testing"
)

func TestWrapSaysThePackageOnce(t *testing.T) {
	inner := errors.New("auth: no secret key")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{Wrap("auth: login", inner), "auth: login: no secret key"},
		{Wrap("auth: login", fmt.Errorf("ginsession: cycle key: %w", inner)), "auth: login: ginsession: cycle key: auth: no secret key"},
		{Wrap("auth: login", errors.New("redis: down")), "auth: login: redis: down"},
		{Wrap("auth: login", Wrap("auth: current user", inner)), "auth: login: current user: no secret key"},
		{Wrap("messages: add", errors.New("messages: text is not valid UTF-8")), "messages: add: text is not valid UTF-8"},
	} {
		if tc.err.Error() != tc.want {
			t.Errorf("got %q, want %q", tc.err, tc.want)
		}
		if !errors.Is(tc.err, errors.Unwrap(tc.err)) {
			t.Errorf("%q does not unwrap", tc.err)
		}
	}
	if !errors.Is(Wrap("auth: login", inner), inner) {
		t.Error("errors.Is does not see the wrapped error")
	}
	if Wrap("auth: login", nil) != nil {
		t.Error("Wrap of nil is not nil")
	}
}

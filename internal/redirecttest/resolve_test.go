package redirecttest

import (
	"errors"
	"testing"
)

func TestResolveFollowsTheURLStandard(t *testing.T) {
	for _, v := range Vectors() {
		got, err := Resolve(Base, v.Ref)
		if v.Want == "" {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Resolve(%q) = %s, %v; want ErrInvalid", v.Ref, got, err)
			}
			continue
		}
		if err != nil || got.String() != v.Want {
			t.Errorf("Resolve(%q) = %s, %v; want %s", v.Ref, got, err, v.Want)
		}
	}
}

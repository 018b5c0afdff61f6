package auth

import (
	"errors"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/sessionindex"
	"github.com/ginsession/ginsession/stores"
)

// ErrSessionLimit is stores.ErrSessionLimit: Login refused the login
// because the user has ginsession.UserIndex.MaxSessions live sessions
// (AtLimit RefuseLogin). The session stays as it was, not logged in.
var ErrSessionLimit = stores.ErrSessionLimit

// admit puts the session in id's index before Login stores id, so a cap on
// the user's sessions refuses the login before anything is stored.
func admit(s *ginsession.Session, id string) error {
	t, err := sessionindex.Of(s)
	if errors.Is(err, stores.ErrNoIndex) {
		return nil
	}
	if err != nil {
		return err
	}
	return t.Admit(id)
}

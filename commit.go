package ginsession

import (
	"errors"
	"log/slog"
	"net/http"
)

// commit applies Django's SessionMiddleware.process_response to the headers
// of a response with the given status, saving the session if it must.
//
// Every response that carries the session's Set-Cookie, whether it sets or
// deletes the cookie, also carries Vary: Cookie, as in Django 5.2.14 and
// 6.0.5 (CVE-2026-35192). Django 3.2 left it out when SaveEveryRequest
// re-sent the cookie of a session the view never touched, so a shared cache
// could store that response and hand one user's session to everyone.
func (s *Session) commit(status int, w http.ResponseWriter) error {
	s.mu.Lock()
	if s.untouchedLocked() {
		// Most requests: no header to add, nothing to store.
		s.committed = true
		s.mu.Unlock()
		return nil
	}
	s.adoptKey()
	defer func() {
		s.committed = true
		s.mu.Unlock()
	}()
	err := s.commitLocked(status, w.Header())
	// A key cycle not saved by now (a 5xx answer, a failure) never will be.
	return errors.Join(err, s.m.backend.dropCycle(s))
}

// untouchedLocked reports whether commitLocked would do nothing: no error
// to report, the session neither used nor saved in this request, and no
// cookie to delete (none came, or it named a record). s.mu is held.
func (s *Session) untouchedLocked() bool {
	return s.err == nil && !s.accessed && !s.modified && !s.cookieDue && !s.m.opts.SaveEveryRequest &&
		(!s.hadCookie || !s.isEmptyLocked())
}

// commitLocked is commit with s.mu held.
func (s *Session) commitLocked(status int, h http.Header) error {
	if err := s.err; err != nil {
		return err
	}
	o := &s.m.opts
	accessed, modified, empty := s.accessed, s.modified, s.isEmptyLocked()
	if s.hadCookie && empty {
		s.sendCookie(h, s.m.deletion, false)
		return nil
	}
	if accessed {
		addVaryCookie(h)
	}
	save := (modified || o.SaveEveryRequest || s.slideDue()) && !empty
	if !save && !(s.cookieDue && !empty) {
		return nil
	}
	if status >= http.StatusInternalServerError {
		return nil
	}
	now := s.m.now()
	if save {
		if !s.loaded {
			// SaveEveryRequest on an untouched session loads it, as Django
			// does: the expiry and cookie attributes depend on its data. A
			// stale key then leaves nothing to save: the cookie is dropped
			// (Django would answer 400 from its forced update).
			s.load()
			if s.err != nil {
				return s.err
			}
			if s.isEmptyLocked() {
				s.sendCookie(h, s.m.deletion, accessed)
				return nil
			}
		}
		switch gone, err := s.m.backend.refresh(s, now); {
		case errors.Is(err, ErrUnstorable) && s.told && status >= http.StatusBadRequest:
			// The handler was told, and answered a client error of its own.
			s.m.log.Warn("ginsession: session not saved: it holds a value that cannot be stored; the handler's answer stands", slog.Int("status", status), slog.String("error", err.Error()))
			return nil
		case err != nil:
			return err
		case gone:
			s.sendCookie(h, s.m.deletion, accessed)
			return nil
		}
	}
	if s.expireAtBrowserCloseLocked() {
		s.sendCookie(h, s.cookie(now, 0), accessed)
		return nil
	}
	age := s.expiryAgeLocked(now)
	if age <= 0 {
		// An expiry already past (SetExpiry(-d), SetExpiryAt in the past):
		// the cookie is deleted, not sent with the key.
		s.sendCookie(h, s.m.deletion, accessed)
		return nil
	}
	s.sendCookie(h, s.cookie(now, age), accessed)
	return nil
}

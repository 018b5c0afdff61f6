package ginsession

import (
	"errors"
	"log/slog"
	"net/http"
)

// commit applies Django's SessionMiddleware.process_response to the headers
// of a response with the given status, saving the session if it must. Every
// response that sets or deletes the session cookie also carries Vary:
// Cookie (Django 5.2.14 and 6.0.5, CVE-2026-35192), so that no shared cache
// hands one user's session to everyone.
func (s *Session) commit(status int, w http.ResponseWriter) (err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	defer func() {
		s.committed = true
		// A key cycle not saved by now (a 5xx answer, a failure) never will be.
		err = errors.Join(err, s.m.backend.dropCycle(s))
	}()
	o, h := &s.m.opts, w.Header()
	if s.err == nil && !s.accessed && !s.modified && !s.cookieDue && !o.SaveEveryRequest &&
		(!s.hadCookie || !s.isEmptyLocked()) {
		// Untouched: nothing to store, and a cookie that came stays, even
		// one whose key was never checked (Django's rule).
		return nil
	}
	s.adoptKey()
	if s.err != nil {
		return s.err
	}
	accessed, empty := s.accessed, s.isEmptyLocked()
	if s.hadCookie && empty {
		s.sendCookie(h, s.m.deletionCookie(), false)
		return nil
	}
	if accessed {
		addVaryCookie(h)
	}
	save := (s.modified || o.SaveEveryRequest || s.slideDue()) && !empty
	if !save && !(s.cookieDue && !empty) || status >= http.StatusInternalServerError {
		return nil
	}
	now := s.m.now()
	if save && !s.loaded {
		// SaveEveryRequest on an untouched session loads it, as Django does:
		// the expiry and cookie attributes depend on its data. A stale key
		// then leaves nothing to save: the cookie is dropped (Django would
		// answer 400 from its forced update).
		if s.load(); s.err != nil {
			return s.err
		}
		if s.isEmptyLocked() {
			s.sendCookie(h, s.m.deletionCookie(), accessed)
			return nil
		}
	}
	if save {
		switch gone, err := s.m.backend.refresh(s, now); {
		case errors.Is(err, ErrUnstorable) && s.told && status >= http.StatusBadRequest:
			// The handler was told, and answered a client error of its own.
			s.m.log.Warn("ginsession: session not saved: it holds a value that cannot be stored; the handler's answer stands", slog.Int("status", status), slog.String("error", err.Error()))
			return nil
		case err != nil:
			return err
		case gone:
			s.sendCookie(h, s.m.deletionCookie(), accessed)
			return nil
		}
	}
	switch age := s.expiryAgeLocked(now); {
	case s.expireAtBrowserCloseLocked():
		s.sendCookie(h, s.cookie(now, 0), accessed)
	case age <= 0:
		// An expiry already past (SetExpiry(-d), SetExpiryAt in the past):
		// the cookie is deleted, not sent with the key.
		s.sendCookie(h, s.m.deletionCookie(), accessed)
	default:
		s.sendCookie(h, s.cookie(now, age), accessed)
	}
	return nil
}

package csrf

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// The secret lives in the session under SessionKey, or in the cookie. Both
// hold it masked (64 characters), as Django 3.2 writes it: Django 3.2 with
// CSRF_USE_SESSIONS refuses every token when the session holds a bare
// 32-character secret, and Django 4.0 and later unmask a 64-character value
// on reading, so the masked form is the one every version reads. Both forms
// are read.

// session returns the request's session; the session storage needs one.
func (st *state) session() *ginsession.Session {
	s, ok := ginsession.Lookup(st.c)
	if !ok {
		panic("csrf: the session storage needs a session: register ginsession.New before csrf.New, or use csrf.WithCookieStorage()")
	}
	return s
}

// load returns the stored value as found (possibly malformed; "" for a
// session value that is not a string) and whether there is one. An error
// is a session the store could not load.
func (st *state) load() (stored string, found bool, err error) {
	if st.cf.cookieStorage {
		st.readCookie()
		return st.stored, st.found, nil
	}
	s := st.session()
	v, ok := s.Get(SessionKey)
	if err := s.Err(); err != nil {
		return "", false, err
	}
	if !ok {
		return "", false, nil
	}
	str, _ := v.(string)
	return str, true, nil
}

// readCookie reads the request's cookie once.
func (st *state) readCookie() {
	if st.read {
		return
	}
	st.read = true
	if ck, err := st.c.Request.Cookie(st.cf.cookie.Name); err == nil {
		st.stored, st.found = ck.Value, true
	}
}

// secretForToken returns the request's secret, storing a new one when there is
// none or the stored one is malformed (Django replaces a malformed cookie
// the same way). The cookie storage re-sends its cookie, as Django does
// for every response that used the token, so its year starts again.
func (st *state) secretForToken() (string, error) {
	if !st.cf.cookieStorage {
		s := st.session()
		v, _ := s.Get(SessionKey)
		if err := s.Err(); err != nil {
			return "", err
		}
		if str, ok := v.(string); ok && checkFormat(str) == "" {
			return secretOf(str), nil
		}
		return st.store()
	}
	st.readCookie()
	if checkFormat(st.stored) != "" {
		return st.store()
	}
	if !st.c.Writer.Written() {
		st.sendCookie()
	}
	return secretOf(st.stored), nil
}

// store keeps a new secret, masked, and returns it.
func (st *state) store() (string, error) {
	if st.c.Writer.Written() {
		return "", ErrTooLate
	}
	secret := newSecret()
	if !st.cf.cookieStorage {
		st.session().Set(SessionKey, mask(secret))
		return secret, nil
	}
	st.read, st.found, st.stored = true, true, mask(secret)
	st.sendCookie()
	return secret, nil
}

// sendCookie sets the cookie to st.stored, replacing a Set-Cookie of it
// this request already added, and adds Vary: Cookie.
func (st *state) sendCookie() {
	ck := st.cf.cookie
	ck.Value = st.stored
	h := st.c.Writer.Header()
	lines := h.Values("Set-Cookie")
	kept := lines[:0:0]
	for _, l := range lines {
		if !strings.HasPrefix(l, ck.Name+"=") {
			kept = append(kept, l)
		}
	}
	h["Set-Cookie"] = append(kept, ck.String())
	addVary(h, "Cookie")
}

// addVary adds field to the Vary header unless it is listed already (in
// any case) or Vary is "*".
func addVary(h http.Header, field string) {
	for _, line := range h.Values("Vary") {
		for v := range strings.SplitSeq(line, ",") {
			if v = strings.TrimSpace(v); v == "*" || strings.EqualFold(v, field) {
				return
			}
		}
	}
	h.Add("Vary", field)
}

// Rotate gives the request a new secret, Django's rotate_token, so that
// tokens issued before no longer pass. auth.Login calls it: a token an
// attacker obtained before the login (login CSRF, a token fixation) is
// worthless after it. In a request the middleware did not serve it drops
// the session's SessionKey, if any, so that the next page makes a new one.
// It must be called before the response is written (ErrTooLate).
func Rotate(c *gin.Context) error {
	st, err := stateOf(c)
	if err != nil {
		if s, ok := ginsession.Lookup(c); ok && s.Has(SessionKey) {
			s.Delete(SessionKey)
		}
		return nil
	}
	_, err = st.store()
	return err
}

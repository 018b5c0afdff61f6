package ginsession

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/stores"
)

// maxClientCookie bounds the cookie value a client-side store is asked to
// open, so an oversized cookie costs nothing.
const maxClientCookie = 16 << 10

// cookieBackend keeps the whole record in the cookie, sealed by a
// stores.ClientSide. The sealed value, a bearer token, is kept in s.sealed,
// not in s.key, so that Key does not hand it out.
type cookieBackend struct {
	cs stores.ClientSide
}

func (b *cookieBackend) check(o *options) error {
	if o.UserIndex != nil {
		return fmt.Errorf("WithUserIndex: %w", stores.ErrClientSide)
	}
	if o.SecretKey == "" {
		return fmt.Errorf("a cookie store signs sessions with the secret: add WithSecretKey(<at least %d random bytes>)", MinSecretKeyLength)
	}
	if !isJSONCodec(o.Codec) {
		return fmt.Errorf("a cookie store signs the session itself, so it takes the default JSONCodec: remove WithCodec")
	}
	return nil
}

func (b *cookieBackend) load(s *Session) ([]byte, error) {
	raw, at, err := b.cs.Open(s.sealed, s.m.secrets)
	switch {
	case errors.Is(err, stores.ErrNotFound):
		s.m.log.Warn("ginsession: session cookie rejected (tampered, foreign secret or damaged)", slog.String("cookie", s.m.opts.CookieName))
		return nil, err
	case err != nil:
		return nil, errprefix.Wrap("ginsession: load session cookie", err)
	}
	s.sealedAt = at.Truncate(time.Second)
	return raw, nil
}

// decoded drops a cookie whose data is unreadable, and one past its expiry:
// a client-side record cannot be purged, so its expiry, the default age or
// a custom one, is enforced here from the time it was sealed.
func (b *cookieBackend) decoded(s *Session, decodeErr error) bool {
	if decodeErr != nil {
		return true
	}
	if !s.sealedAt.IsZero() && !s.m.now().Before(s.expiryDateLocked(s.sealedAt)) {
		s.m.log.Warn("ginsession: expired session cookie ignored", slog.String("cookie", s.m.opts.CookieName))
		return true
	}
	s.noteSealedTTL()
	return false
}

// save seals data whole: the browser keeps one cookie, so of two
// concurrent requests that change the session, the response the browser
// reads last wins, as in every cookie-based session.
func (b *cookieBackend) save(s *Session, data []byte, now time.Time) ([]byte, error) {
	v, err := b.cs.Seal(data, s.m.secrets)
	if err != nil {
		return nil, errprefix.Wrap("ginsession: seal session cookie", err)
	}
	s.sealed, s.sealedAt, s.cycling = v, now.Truncate(time.Second), false
	return data, nil
}

// refresh re-seals the session: a cookie's expiry travels inside it.
func (b *cookieBackend) refresh(s *Session, now time.Time) (bool, error) {
	return false, s.saveLocked(now)
}

// flush drops the cookie; copies of it cannot be revoked.
func (b *cookieBackend) flush(s *Session) error {
	s.sealed, s.cycling = "", false
	return nil
}

// cycle marks the next seal a key cycle's; old cookies cannot be revoked.
func (b *cookieBackend) cycle(s *Session) { s.cycling = true }

func (b *cookieBackend) dropCycle(s *Session) error {
	s.cycling = false
	return nil
}

func (b *cookieBackend) cookieValue(s *Session) string { return s.sealed }

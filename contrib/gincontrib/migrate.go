package gincontrib

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/gob"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/gorilla/securecookie"
	"github.com/redis/go-redis/v9"

	"github.com/ginsession/ginsession/stores"
)

// Migration configures the reader that carries gin-contrib sessions over to
// ginsession (WithMigration).
//
// At a request that carries a gin-contrib session cookie, the reader
// verifies it with KeyPairs (gorilla securecookie: HMAC-SHA256, and AES when
// the pairs have an encryption key) and decodes the session's gob data, from
// the cookie for gin-contrib's cookie store or from Redis for its Redis
// store. gob decodes a struct only if its type is registered, so the reader
// runs in the application, which calls gob.Register as before. The values
// are then set in the request's ginsession session, which is saved under a
// new key, and the old cookie is deleted; the handlers see the user logged
// in as before.
//
// A cookie that fails its HMAC (tampered, or signed with other keys), is
// older than MaxAge, or does not decode is not adopted: the reader logs why
// (never the cookie) and deletes it. A value that cannot be kept as JSON
// and read back equal is logged with its key and left out; the others are
// adopted. A Redis record is left for a minute after its adoption, so that
// requests the browser sent with the old cookie at the same time adopt it
// too, and then it is gone: the old cookie cannot bring a session back
// after a logout. A Redis failure fails the request (500), keeping the old
// cookie for the next one.
//
// Turn it on for the switch, and off once no old cookie can still be valid:
// after MaxAge (gin-contrib's default, 30 days) or the users' usual return
// interval, whichever comes first for the application.
type Migration struct {
	// KeyPairs are the keys given to gin-contrib's cookie.NewStore or
	// redis.NewStore, in the same order (an authentication key, then an
	// optional encryption key, per pair). Required.
	KeyPairs [][]byte
	// Redis reads gin-contrib's Redis store (boj/redistore): the cookie
	// carries the session id, the data is under KeyPrefix+id. Optional.
	// Default value is nil: gin-contrib's cookie store, whose cookie
	// carries the data.
	Redis redis.Scripter
	// KeyPrefix is the Redis store's key prefix. Optional. Default value is
	// "session_", redistore's.
	KeyPrefix string
	// CookieName is the gin-contrib session's name. Optional. Default value
	// is the name given to Sessions; leave it empty with SessionsMany, where
	// each name reads its own cookie.
	CookieName string
	// CookiePath and CookieDomain are the old cookie's, for deleting it.
	// Optional. Default values are "/" and "" (gin-contrib's defaults).
	CookiePath, CookieDomain string
	// MaxAge is the store's MaxAge: an older cookie is expired. Optional.
	// Default value is 30 days, gin-contrib's.
	MaxAge time.Duration

	codecs []securecookie.Codec
}

// WithMigration turns on the reader of gin-contrib sessions described at
// Migration. Optional. Default value is off.
func WithMigration(m Migration) Option {
	return func(c *config) { c.migration = &m }
}

// adoptGrace is how long a Redis record stays after its adoption.
const adoptGrace = time.Minute

// takeScript reads a record and shortens its time to live to the grace
// period (never lengthens it), in one step.
var takeScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then
  local t = redis.call('PTTL', KEYS[1])
  if t < 0 or t > tonumber(ARGV[1]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
end
return v`)

// prepare checks the settings and builds the codecs; it panics, naming the
// fix, on settings that cannot work.
func (m *Migration) prepare(many bool) {
	if len(m.KeyPairs) == 0 || len(m.KeyPairs[0]) == 0 {
		panic("gincontrib: Migration needs KeyPairs: the keys the application gave gin-contrib's cookie.NewStore or redis.NewStore")
	}
	if many && m.CookieName != "" {
		panic("gincontrib: Migration.CookieName is for Sessions; with SessionsMany leave it empty and each name reads its own cookie")
	}
	if m.KeyPrefix == "" {
		m.KeyPrefix = "session_"
	}
	if m.CookiePath == "" {
		m.CookiePath = "/"
	}
	if m.MaxAge == 0 {
		m.MaxAge = 30 * 24 * time.Hour
	}
	m.codecs = securecookie.CodecsFromPairs(m.KeyPairs...)
	for i, c := range m.codecs {
		sc := c.(*securecookie.SecureCookie)
		sc.MaxAge(int(m.MaxAge / time.Second))
		if _, err := sc.Encode("check", "check"); err != nil {
			panic(fmt.Sprintf("gincontrib: Migration.KeyPairs pair %d cannot work (%v): an encryption key must be 16, 24 or 32 bytes", i+1, err))
		}
	}
}

func (m *Migration) cookieName(session string) string {
	if m.CookieName != "" {
		return m.CookieName
	}
	return session
}

// takeCookies finds each session's gin-contrib cookie. One with the name of
// ginsession's own cookie is taken out of the request the ginsession
// middleware reads, which would otherwise take it for its own.
func (m *Migration) takeCookies(rq *request, req *http.Request) *http.Request {
	var drop []string
	for i, name := range rq.m.names {
		old := m.cookieName(name)
		c, err := req.Cookie(old)
		if err != nil || old == name && !looksLegacy(c.Value) {
			continue
		}
		if rq.legacy == nil {
			rq.legacy = make([]string, len(rq.m.names))
		}
		rq.legacy[i] = c.Value
		if old == name {
			drop = append(drop, old)
		}
	}
	if len(drop) == 0 {
		return req
	}
	r := new(http.Request)
	*r = *req
	r.Header = req.Header.Clone()
	r.Header.Del("Cookie")
	for _, c := range req.Cookies() {
		if !slices.Contains(drop, c.Name) {
			r.AddCookie(c)
		}
	}
	return r
}

// looksLegacy reports whether v has securecookie's form, base64 of
// "timestamp|value|mac", which no ginsession cookie has: a key is [a-z0-9]
// (and decodes to no digit first), a signed cookie has colons, an
// encrypted one starts "e1.".
func looksLegacy(v string) bool {
	if stores.CheckKey(v) == nil {
		return false
	}
	b, err := base64.URLEncoding.DecodeString(v)
	if err != nil {
		return false
	}
	parts := bytes.SplitN(b, []byte("|"), 3)
	if len(parts) != 3 {
		return false
	}
	_, err = strconv.ParseInt(string(parts[0]), 10, 64)
	return err == nil
}

// errStore marks a failure of the old store rather than of the cookie.
var errStore = errors.New("gincontrib: reading gin-contrib's Redis store")

// adopt moves the gin-contrib session in cookie value into s.
func (m *Migration) adopt(c *gin.Context, s *session, value string) {
	log := s.rq.m.cfg.log
	old := m.cookieName(s.name)
	values, err := m.read(c.Request.Context(), old, value)
	if errors.Is(err, errStore) {
		log.Error("gincontrib: the gin-contrib session could not be read; failing the request, the old cookie kept", "cookie", old, "error", err.Error())
		_ = s.rq.outer.Error(err)
		s.rq.outer.Abort()
		c.AbortWithStatus(http.StatusInternalServerError)
		return
	}
	http.SetCookie(s.rq.writer, &http.Cookie{Name: old, Path: m.CookiePath, Domain: m.CookieDomain, MaxAge: -1})
	if err != nil {
		log.Warn("gincontrib: a gin-contrib session cookie was not adopted, and is deleted", "cookie", old, "reason", err.Error())
		return
	}
	if s.gs.Len() > 0 {
		log.Info("gincontrib: the request has a ginsession session already; the gin-contrib one is dropped", "cookie", old)
		return
	}
	if s.gs.Key() != "" {
		if err := s.gs.CycleKey(); err != nil {
			log.Error("gincontrib: could not give the adopted session a new key", "cookie", old, "error", err.Error())
			return
		}
	}
	types := s.rq.m.cfg.types
	keys := make([]string, 0, len(values))
	byKey := make(map[string]any, len(values))
	for k, v := range values {
		if rv := reflect.ValueOf(k); rv.Kind() == reflect.String {
			keys = append(keys, rv.String())
			byKey[rv.String()] = v
			continue
		}
		log.Error("gincontrib: a gin-contrib session value under a key that is not a string is left out", "cookie", old, "key", fmt.Sprint(k), "key_type", fmt.Sprintf("%T", k))
	}
	slices.Sort(keys)
	adopted := 0
	for _, k := range keys {
		v := byKey[k]
		tag, err := types.tagFor(v)
		if err != nil {
			log.Error("gincontrib: a gin-contrib session value cannot become JSON and is left out", "cookie", old, "key", k, "type", fmt.Sprintf("%T", v), "error", err.Error())
			continue
		}
		types.warnUnknown(tag, k, log)
		s.gs.Set(k, v)
		s.setTag(k, tag)
		adopted++
	}
	log.Info("gincontrib: adopted a gin-contrib session as a new ginsession session", "cookie", old, "values", adopted, "left_out", len(values)-adopted)
}

// read verifies the cookie and returns the session's values.
func (m *Migration) read(ctx context.Context, name, value string) (map[any]any, error) {
	var values map[any]any
	if m.Redis == nil {
		if err := securecookie.DecodeMulti(name, value, &values, m.codecs...); err != nil {
			return nil, fmt.Errorf("cookie store: %w", err)
		}
		return values, nil
	}
	var id string
	if err := securecookie.DecodeMulti(name, value, &id, m.codecs...); err != nil {
		return nil, fmt.Errorf("redis store: %w", err)
	}
	data, err := takeScript.Run(ctx, m.Redis, []string{m.KeyPrefix + id}, adoptGrace.Milliseconds()).Text()
	if errors.Is(err, redis.Nil) {
		return nil, errors.New("redis store: the session has expired or was deleted")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errStore, err)
	}
	if err := gob.NewDecoder(bytes.NewReader([]byte(data))).Decode(&values); err != nil {
		return nil, fmt.Errorf("redis store: undecodable session data: %w", err)
	}
	return values, nil
}

package ginsession_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/signing"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

// relSecret signs cookie-store sessions and DjangoCodec data in these tests.
const relSecret = "reliability-secret-0123456789abcdefghijklmnop"

// relKnownKey is a session the fuzzing engine's store holds, so that seeds
// (and the fuzzer) reach the load path with a key that exists.
const relKnownKey = "k3yk3yk3yk3yk3yk3yk3yk3yk3yk3y00"

// relShort shortens a key for test messages: never print a whole key.
func relShort(k string) string {
	if len(k) > 6 {
		return k[:6] + "…"
	}
	return k
}

// relFuzzEngine is a gin.Engine on st whose routes report what the session
// saw, for driving the middleware with arbitrary Cookie headers in-process.
func relFuzzEngine(st stores.Store, opts ...ginsession.Option) *gin.Engine {
	opts = append([]ginsession.Option{ginsession.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))}, opts...)
	r := gin.New()
	r.Use(ginsession.New(st, opts...))
	// /key answers with the key the middleware took from the cookie, before
	// and after loading.
	r.GET("/key", func(c *gin.Context) {
		s := ginsession.From(c)
		before := s.Key()
		v, _ := s.Get("who")
		c.String(http.StatusOK, "%s\n%s\n%v", before, s.Key(), v)
	})
	r.GET("/write", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "n")
		s.Set("n", n+1)
		c.String(http.StatusOK, "%s", s.Key())
	})
	return r
}

func relServe(r http.Handler, path string, cookie []string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if cookie != nil {
		req.Header["Cookie"] = cookie
	}
	w := httptest.NewRecorder()
	r.ServeHTTP(w, req)
	return w
}

// relSetCookieValue returns the value of the sessionid Set-Cookie line, and
// whether there was one.
func relSetCookieValue(h http.Header) (string, bool) {
	for _, l := range h.Values("Set-Cookie") {
		if v, ok := strings.CutPrefix(l, "sessionid="); ok {
			if i := strings.IndexByte(v, ';'); i >= 0 {
				v = v[:i]
			}
			return v, true
		}
	}
	return "", false
}

// FuzzCookieHeader sends arbitrary Cookie headers through a gin.Engine with
// the middleware, on a server-side store and on the cookie store. No header
// may panic or fail the request; the key the session uses is always empty or
// valid (a server-side key is never adopted unless the store knows it); a
// cookie the server sets is always a fresh valid key or a deletion.
func FuzzCookieHeader(f *testing.F) {
	mem := testenv.Must(memstore.New())
	if err := mem.Create(context.Background(), relKnownKey, []byte(`{"who":"seed"}`), time.Now().Add(time.Hour)); err != nil {
		f.Fatal(err)
	}
	server := relFuzzEngine(mem)
	client := relFuzzEngine(testenv.Must(cookiestore.New()), ginsession.WithSecretKey(relSecret))
	sealed, err := testenv.Must(cookiestore.New()).Seal([]byte(`{"who":"sealed"}`), [][]byte{[]byte(relSecret)})
	if err != nil {
		f.Fatal(err)
	}
	for _, seed := range []string{
		"",
		"sessionid=" + relKnownKey,
		`sessionid="` + relKnownKey + `"`,
		"a=b; sessionid=" + relKnownKey + "; c=d",
		"sessionid=; sessionid=" + relKnownKey,
		"sessionid",
		"sessionid=abc",
		"sessionid=12345678",
		"sessionid=" + strings.ToUpper(relKnownKey),
		"sessionid=../../../../etc/passwd",
		"sessionid=" + relKnownKey + "\x00",
		"sessionid=" + strings.Repeat("a", 41),
		"sessionid=" + sealed,
		"sessionid=" + sealed[:len(sealed)-1] + "A",
		"sessionid=\"",
		"sessionidx=" + relKnownKey,
		"  sessionid =" + relKnownKey,
		"sessionid=" + strings.Repeat("z", 5000),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, header string) {
		for _, path := range []string{"/key", "/write"} {
			for name, r := range map[string]http.Handler{"server": server, "cookie": client} {
				w := relServe(r, path, []string{header})
				if w.Code != http.StatusOK {
					t.Fatalf("%s store, %s: status %d for Cookie %q", name, path, w.Code, header)
				}
				body := w.Body.String()
				set, hasSet := relSetCookieValue(w.Header())
				if name == "cookie" {
					if hasSet && set != "" && len(set) > cookiestore.DefaultMaxSize {
						t.Fatalf("cookie store set a %d-byte cookie", len(set))
					}
					continue
				}
				if path == "/key" {
					parts := strings.SplitN(body, "\n", 3)
					before, after, who := parts[0], parts[1], parts[2]
					if before != "" && !stores.ValidKey(before) {
						t.Fatalf("the session took invalid key %q from Cookie %q", relShort(before), header)
					}
					if after != "" && after != relKnownKey {
						t.Fatalf("a key the store does not know survived the load (%s)", relShort(after))
					}
					if (after == relKnownKey) != (who == "seed") {
						t.Fatalf("key %s loaded %q", relShort(after), who)
					}
					if hasSet && set != "" {
						t.Fatalf("a read-only request set cookie %s", relShort(set))
					}
					continue
				}
				// /write always ends with a valid key that is in the store:
				// the known one, or a fresh one.
				if !hasSet || !stores.ValidKey(set) {
					t.Fatalf("write: Set-Cookie %q for Cookie %q", relShort(set), header)
				}
				if ok, err := mem.Exists(context.Background(), set); !ok || err != nil {
					t.Fatalf("write: the cookie's key %s is not in the store (%v)", relShort(set), err)
				}
				if set != relKnownKey {
					if len(set) != stores.KeyLength {
						t.Fatalf("write: a new key of %d characters", len(set))
					}
					// Keep the store small: the fuzzer makes many sessions.
					_ = mem.Delete(context.Background(), set)
				}
			}
		}
	})
}

// FuzzJSONCodecRoundTrip: whatever JSONCodec.Decode accepts is JSON, and
// re-encodes to bytes that decode to equal keys and values, and that encode
// again to the same bytes.
func FuzzJSONCodecRoundTrip(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"a":1,"b":"x","c":[1,2.5,{"d":null}],"e":true}`,
		`{"_auth_user_id":"42","_auth_user_hash":"abc","_session_expiry":1209600}`,
		`{"u":"\u00e9\ud83d\ude00\u2028"}`,
		`{"big":12345678901234567890123,"neg":-0,"exp":1e308,"small":5e-324}`,
		`{"a":1,"a":2}`,
		`{"lone":"\ud800"}`,
		` { "sp" : [ ] , "t" : { } } `,
		`{"x":01}`,
		`{"deep":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
		"{\"raw\":\"\xff\xfe\"}",
		`[1,2]`,
		`"str"`,
	} {
		f.Add([]byte(seed))
	}
	var c ginsession.JSONCodec
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, values, err := c.Decode(data)
		if err != nil {
			return
		}
		if !json.Valid(data) {
			t.Fatalf("Decode accepted %q, which is not JSON", data)
		}
		enc, err := c.Encode(keys, values)
		if err != nil {
			t.Fatalf("decoded values do not re-encode: %v", err)
		}
		keys2, values2, err := c.Decode(enc)
		if err != nil {
			t.Fatalf("re-encoded %q does not decode: %v", enc, err)
		}
		if !reflect.DeepEqual(keys, keys2) || !reflect.DeepEqual(values, values2) {
			t.Fatalf("round trip changed the session:\n in  %q\n out %q", data, enc)
		}
		enc2, err := c.Encode(keys2, values2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding is not stable: %q then %q (%v)", enc, enc2, err)
		}
	})
}

// FuzzDjangoCodec feeds DjangoCodec.Decode arbitrary data, and arbitrary
// JSON under a valid signature so the stages behind the HMAC are reached.
// Anything accepted re-encodes and decodes to equal values, and is refused
// once one byte of its signature changes.
func FuzzDjangoCodec(f *testing.F) {
	codec := ginsession.DjangoCodec(relSecret)
	cfg := signing.Config{Key: relSecret, Salt: "django.contrib.sessions.SessionStore", Compress: true}
	good, err := codec.Encode([]string{"a"}, map[string]any{"a": 1})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(string(good), false)
	f.Add(`{"a":1,"b":[true,null,"x"]}`, true)
	f.Add(`{"_auth_user_id":"1"}`+strings.Repeat(" ", 200), true)
	f.Add("not json", true)
	f.Add("", false)
	f.Add(".eJyrVkrOzytLzSvOzFGyUkrJTMzJLFDSUcpMUbIyNDIwAJIGBgZ6SvlF:1tAbCd:sig", false)
	f.Fuzz(func(t *testing.T, s string, sign bool) {
		if sign {
			signed, err := signing.Dumps([]byte(s), cfg)
			if err != nil {
				return // over the size limit
			}
			s = signed
		}
		keys, values, err := codec.Decode([]byte(s))
		if err != nil {
			return
		}
		enc, err := codec.Encode(keys, values)
		if err != nil {
			t.Fatalf("decoded data does not re-encode: %v", err)
		}
		keys2, values2, err := codec.Decode(enc)
		if err != nil || !reflect.DeepEqual(keys, keys2) || !reflect.DeepEqual(values, values2) {
			t.Fatalf("round trip changed the data (%v)", err)
		}
		// Tamper with each byte of the signature in turn.
		i := strings.LastIndexByte(s, ':')
		for j := i + 1; j < len(s); j++ {
			b := []byte(s)
			b[j] ^= 0x01
			if _, _, err := codec.Decode(b); err == nil {
				t.Fatalf("a signature with byte %d changed was accepted", j)
			}
		}
	})
}

// relAllocated returns the bytes allocated per call of fn, averaged over n
// calls. It takes the least of three measurements: allocation is counted
// process-wide, and a goroutine left over from an earlier test can only add.
func relAllocated(n int, fn func()) uint64 {
	fn() // warm up: lazy initialisation is not per-request cost
	best := uint64(math.MaxUint64)
	for range 3 {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for range n {
			fn()
		}
		runtime.ReadMemStats(&after)
		best = min(best, (after.TotalAlloc-before.TotalAlloc)/uint64(n))
	}
	return best
}

// TestAOneMegabyteCookieCostsNoMoreThanASmallOne sends a 1 MB Cookie header
// (as a proxy with a large header limit would pass on) to the middleware on
// a server-side and on the cookie store: it is refused without being copied
// or verified, so the request costs about what a request without a cookie
// costs.
func TestAOneMegabyteCookieCostsNoMoreThanASmallOne(t *testing.T) {
	huge := []string{"sessionid=" + strings.Repeat("a", 1<<20)}
	hugeQuoted := []string{`sessionid="` + strings.Repeat("Ab.:", 1<<18) + `"`}
	for name, r := range map[string]http.Handler{
		"memstore":    relFuzzEngine(testenv.Must(memstore.New())),
		"cookiestore": relFuzzEngine(testenv.Must(cookiestore.New()), ginsession.WithSecretKey(relSecret)),
	} {
		t.Run(name, func(t *testing.T) {
			base := relAllocated(50, func() { relServe(r, "/key", nil) })
			for _, h := range [][]string{huge, hugeQuoted} {
				var w *httptest.ResponseRecorder
				got := relAllocated(50, func() { w = relServe(r, "/key", h) })
				if w.Code != http.StatusOK || !strings.HasPrefix(w.Body.String(), "\n\n") {
					t.Fatalf("status %d, body %q: the huge cookie was taken as a key", w.Code, w.Body.String())
				}
				// The deletion cookie and its header line are the only extra.
				if got > base+4<<10 {
					t.Errorf("a 1 MB cookie allocated %d bytes per request, a request without one %d", got, base)
				}
			}
		})
	}
}

func relMustZlib(t testing.TB, b []byte) io.Reader {
	zr, err := zlib.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return zr
}

// relHugeBomb returns a zlib stream that inflates to about n zero bytes,
// written by hand (one fixed-Huffman block of length-258 back-references, 13
// bits each) so that even under -race it costs nothing to make.
func relHugeBomb(n int) []byte {
	out := []byte{0x78, 0x01} // zlib header: deflate, no dictionary
	var acc uint64
	var nacc uint
	bits := func(v uint64, k uint) { // LSB first, as deflate packs them
		acc |= v << nacc
		nacc += k
		for nacc >= 8 {
			out = append(out, byte(acc))
			acc >>= 8
			nacc -= 8
		}
	}
	code := func(c uint64, k uint) { // Huffman codes go most significant bit first
		var r uint64
		for i := uint(0); i < k; i++ {
			r = r<<1 | (c>>i)&1
		}
		bits(r, k)
	}
	bits(1, 1)          // BFINAL
	bits(1, 2)          // BTYPE=01, fixed Huffman
	code(0x30, 8)       // literal 0
	for range n / 258 { // length 258 (code 285), distance 1 (code 0)
		code(0xc5, 8)
		code(0, 5)
	}
	code(0, 7) // end of block
	bits(0, 7) // flush to a byte boundary
	total := 1 + n/258*258
	adler := uint32(total%65521)<<16 | 1
	return append(out[:len(out):len(out)], byte(adler>>24), byte(adler>>16), byte(adler>>8), byte(adler))
}

// TestAZlibBombIsRefusedCheaply signs a zlib stream that inflates to 256 MiB
// as DjangoCodec data, and packs a bomb into a cookie-store cookie. A forged signature is refused before any inflating; a
// valid one (only the secret's holder can make it) stops inflating at the
// size limit, so memory stays bounded by the limit, not by the bomb.
func TestAZlibBombIsRefusedCheaply(t *testing.T) {
	payload := "." + base64.RawURLEncoding.EncodeToString(relHugeBomb(256<<20))
	salt := "django.contrib.sessions.SessionStore"
	ts := signing.TimestampSigner{Signer: signing.Signer{Key: relSecret, Salt: salt}}
	signed, err := ts.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	// The hand-made stream is a real zlib stream of zeros.
	if data, err := io.ReadAll(relMustZlib(t, relHugeBomb(1<<20))); err != nil || len(data) != 1+(1<<20)/258*258 || bytes.Count(data, []byte{0}) != len(data) {
		t.Fatalf("the bomb does not inflate to zeros: %d bytes, %v", len(data), err)
	}
	// io.ReadAll's growth, and -race's shadow memory, cost a few times the
	// limit; the bomb is 64 times the limit.
	const bound = 8 * signing.DefaultMaxSize
	forged := signed[:len(signed)-2] + "AA"
	codec := ginsession.DjangoCodec(relSecret)

	t.Run("DjangoCodec, valid signature: stops at the 4 MiB limit", func(t *testing.T) {
		var err error
		got := relAllocated(2, func() { _, _, err = codec.Decode([]byte(signed)) })
		if !errors.Is(err, signing.ErrTooLarge) {
			t.Fatalf("Decode: %v, want ErrTooLarge", err)
		}
		if got > bound {
			t.Errorf("inflating a %d-byte bomb allocated %d bytes; the limit is %d", len(signed), got, signing.DefaultMaxSize)
		}
		t.Logf("a validly signed bomb of 256 MiB costs %d bytes to refuse", got)
	})
	t.Run("DjangoCodec, forged signature: no inflating at all", func(t *testing.T) {
		var err error
		got := relAllocated(2, func() { _, _, err = codec.Decode([]byte(forged)) })
		if !errors.Is(err, signing.ErrBadSignature) {
			t.Fatalf("Decode: %v, want ErrBadSignature", err)
		}
		// The input itself is copied a few times (bytes to string, the
		// HMAC's input), never inflated.
		if limit := uint64(4*len(forged) + 64<<10); got > limit {
			t.Errorf("a forged bomb allocated %d bytes, more than %d", got, limit)
		}
	})

	// The cookie store: a bomb that fits in a 4096-byte cookie.
	small := relHugeBomb(450 << 10)
	if len(small)*4/3+60 > 4096 {
		t.Fatalf("the cookie bomb is %d bytes", len(small))
	}
	cookiePayload := "." + base64.RawURLEncoding.EncodeToString(small)
	cts := signing.TimestampSigner{Signer: signing.Signer{Key: relSecret, Salt: cookiestore.Salt}}
	cookieSigned, err := cts.Sign(cookiePayload)
	if err != nil {
		t.Fatal(err)
	}
	cookieForged := cookieSigned[:len(cookieSigned)-2] + "AA"
	st := testenv.Must(cookiestore.New())
	keys := [][]byte{[]byte(relSecret)}
	t.Run("cookie store, forged signature: no inflating at all", func(t *testing.T) {
		var err error
		got := relAllocated(20, func() { _, _, err = st.Open(cookieForged, keys) })
		if !errors.Is(err, stores.ErrNotFound) {
			t.Fatalf("Open: %v", err)
		}
		if got > 16<<10 {
			t.Errorf("a forged %d-byte bomb cookie allocated %d bytes", len(cookieForged), got)
		}
	})
	t.Run("cookie store through the middleware, valid signature: bounded, empty session", func(t *testing.T) {
		r := relFuzzEngine(st, ginsession.WithSecretKey(relSecret))
		var w *httptest.ResponseRecorder
		got := relAllocated(2, func() { w = relServe(r, "/key", []string{"sessionid=" + cookieSigned}) })
		if w.Code != http.StatusOK || !strings.HasSuffix(w.Body.String(), "\n\n<nil>") {
			t.Fatalf("status %d, body %.80q", w.Code, w.Body.String())
		}
		if got > bound {
			t.Errorf("a signed bomb cookie allocated %d bytes per request", got)
		}
		t.Logf("a validly signed %d-byte bomb cookie costs %d bytes per request (bounded by signing.DefaultMaxSize)", len(cookieSigned), got)
	})
}

// TestAnOutOfRangeNumberIsCorruptDataNotAStuckSession is the regression test
// for the first crash FuzzJSONCodecRoundTrip found ({"0":1e700}): a number
// beyond float64's range decoded to +Inf, which JSON cannot hold, so the
// session loaded but every later save failed and the user got 500 on every
// request that changed it, until the record expired. Python's json never
// writes such a float (it writes inf as Infinity); such a record is now
// unreadable data: a warning and an empty session, as Django does with
// corrupt session data, and the next save replaces it. An integer of any
// size (Python's json.dumps(10**400)) is no such number: it is kept exactly
// as a json.Number (TestJSONCodecKeepsEveryIntegerExactly).
func TestAnOutOfRangeNumberIsCorruptDataNotAStuckSession(t *testing.T) {
	for name, record := range map[string]string{
		"an exponent past float64": `{"big":1e400,"who":"x"}`,
		"a 400-digit float":        `{"big":1` + strings.Repeat("0", 400) + `.0,"who":"x"}`,
		"a negative one":           `{"big":-1e309}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := (ginsession.JSONCodec{}).Decode([]byte(record)); err == nil {
				t.Fatalf("Decode accepted %.40q, which cannot be saved again", record)
			}
			mem := testenv.Must(memstore.New())
			key := stores.NewKey()
			if err := mem.Create(context.Background(), key, []byte(record), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			logs := &logBuffer{}
			r := relFuzzEngine(mem, ginsession.WithLogger(logs.Logger()))
			w := relServe(r, "/write", []string{"sessionid=" + key})
			if w.Code != http.StatusOK {
				t.Fatalf("a write to the session answered %d", w.Code)
			}
			if !strings.Contains(logs.String(), "corrupted") {
				t.Fatalf("no warning logged:\n%s", logs.String())
			}
			data, err := mem.Load(context.Background(), key)
			if err != nil || string(data) != `{"n":1}` {
				t.Fatalf("the record is %q (%v), want it replaced by the new session", data, err)
			}
		})
	}
}

// TestAHugeExpiryIsClampedNotWrappedIntoThePast is the regression test for
// an overflow found while reviewing expiry handling for hostile input:
// _session_expiry in seconds was multiplied into a time.Duration, which
// wraps past about 292 years. SetExpiry(math.MaxInt64) ("never expire"), or
// a session Django saved with set_expiry(10**10), then got an expiry in the
// 1700s: a Max-Age=0 cookie and a record born expired, so the user was
// logged out by a request answered 200. Such ages now saturate at the
// largest Duration.
func TestAHugeExpiryIsClampedNotWrappedIntoThePast(t *testing.T) {
	mem := testenv.Must(memstore.New())
	r := gin.New()
	r.Use(ginsession.New(mem, ginsession.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
	r.GET("/forever", func(c *gin.Context) {
		s := ginsession.From(c)
		s.SetExpiry(math.MaxInt64)
		s.Set("a", 1)
	})
	r.GET("/touch", func(c *gin.Context) { ginsession.From(c).Set("a", 2) })
	for name, req := range map[string]func() (*httptest.ResponseRecorder, string){
		"SetExpiry(math.MaxInt64)": func() (*httptest.ResponseRecorder, string) {
			w := relServe(r, "/forever", nil)
			v, _ := relSetCookieValue(w.Header())
			return w, v
		},
		"Django's set_expiry(10**10)": func() (*httptest.ResponseRecorder, string) {
			key := stores.NewKey()
			if err := mem.Create(context.Background(), key, []byte(`{"_session_expiry":10000000000,"a":1}`), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			return relServe(r, "/touch", []string{"sessionid=" + key}), key
		},
		"Django's set_expiry(10**20), past 64 bits": func() (*httptest.ResponseRecorder, string) {
			key := stores.NewKey()
			if err := mem.Create(context.Background(), key, []byte(`{"_session_expiry":100000000000000000000,"a":1}`), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			return relServe(r, "/touch", []string{"sessionid=" + key}), key
		},
		"a float expiry past the range": func() (*httptest.ResponseRecorder, string) {
			key := stores.NewKey()
			if err := mem.Create(context.Background(), key, []byte(`{"_session_expiry":1e300,"a":1}`), time.Now().Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			return relServe(r, "/touch", []string{"sessionid=" + key}), key
		},
	} {
		t.Run(name, func(t *testing.T) {
			w, key := req()
			cs := (&http.Response{Header: w.Header()}).Cookies()
			if w.Code != 200 || len(cs) != 1 || cs[0].Value != key {
				t.Fatalf("status %d, %d cookies: the session was not kept under its key", w.Code, len(cs))
			}
			if cs[0].MaxAge < 100*365*24*3600 || cs[0].Expires.Before(time.Now().AddDate(100, 0, 0)) {
				t.Fatalf("cookie Max-Age %d, Expires %v: the huge expiry wrapped round", cs[0].MaxAge, cs[0].Expires)
			}
			if _, err := mem.Load(context.Background(), key); err != nil {
				t.Fatalf("the record is gone after the save: %v", err)
			}
		})
	}
}

// relPoint is a struct target for FuzzGetTyped.
type relPoint struct {
	X int      `json:"x"`
	Y []string `json:"y"`
}

// FuzzGetTyped stores an arbitrary JSON value in a session record and reads
// it back through the middleware with Get into many Go types: no panic, and
// a successful numeric read is exact.
func FuzzGetTyped(f *testing.F) {
	for _, seed := range []string{
		`1`, `-1`, `1.5`, `3.0`, `1e300`, `-9223372036854775808`, `9223372036854775807`, `18446744073709551615`,
		`300`, `"x"`, `true`, `null`, `[]`, `["a",1]`, `{"x":1,"y":["a"]}`, `{"x":"1"}`, `[[[]]]`, `{"x":1e400}`,
	} {
		f.Add(seed)
	}
	mem := testenv.Must(memstore.New())
	key := stores.NewKey()
	r := gin.New()
	r.Use(ginsession.New(mem, ginsession.WithLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))))
	var failure string
	r.GET("/", func(c *gin.Context) {
		s := ginsession.From(c)
		v, _ := s.Get("v")
		if n, ok := ginsession.Get[int](s, "v"); ok {
			if f, isF := v.(float64); isF && float64(n) != f {
				failure = fmt.Sprintf("Get[int] of %v gave %d", f, n)
			}
		}
		if n, ok := ginsession.Get[uint8](s, "v"); ok {
			if i, isI := v.(int); isI && int(n) != i {
				failure = fmt.Sprintf("Get[uint8] of %d gave %d", i, n)
			}
		}
		ginsession.Get[int64](s, "v")
		ginsession.Get[uint64](s, "v")
		ginsession.Get[float32](s, "v")
		ginsession.Get[string](s, "v")
		ginsession.Get[bool](s, "v")
		ginsession.Get[[]string](s, "v")
		ginsession.Get[[]any](s, "v")
		ginsession.Get[map[string]int](s, "v")
		ginsession.Get[relPoint](s, "v")
		ginsession.Get[*relPoint](s, "v")
		ginsession.Get[time.Time](s, "v")
		c.Status(http.StatusNoContent)
	})
	f.Fuzz(func(t *testing.T, value string) {
		record := []byte(`{"v":` + value + `}`)
		if _, _, err := (ginsession.JSONCodec{}).Decode(record); err != nil {
			return
		}
		_ = mem.Delete(context.Background(), key)
		if err := mem.Create(context.Background(), key, record, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		failure = ""
		if w := relServe(r, "/", []string{"sessionid=" + key}); w.Code != http.StatusNoContent {
			t.Fatalf("status %d", w.Code)
		}
		if failure != "" {
			t.Fatal(failure)
		}
	})
}

// FuzzGoValuesRoundTrip builds a session of Go values from the fuzzer's
// bytes (strings with and without valid UTF-8, integers at every edge,
// big.Int, json.Number, structs, linked lists and chains around the depth
// limit, json.RawMessage, ...) and checks the property of
// TestWhateverEncodeAcceptsDecodeReturnsUnchanged on both codecs: Encode
// refuses, naming a key, exactly what could not come back, and Decode
// returns whatever Encode accepted unchanged.
func FuzzGoValuesRoundTrip(f *testing.F) {
	for _, seed := range []string{"", "\x00", "\x02\x05\x11\x01", "\x03\x10\x00\x10\xff", "\x01\x11\x05", "\x04\x0f\x08\x09\x10\x11\x12\x13\x14"} {
		f.Add([]byte(seed))
	}
	codecs := []ginsession.Codec{ginsession.JSONCodec{}, ginsession.DjangoCodec(relSecret)}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, c := range codecs {
			g := &valueGen{src: &byteSource{b: data}, budget: 40}
			checkRoundTrip(t, c, g.session())
		}
	})
}

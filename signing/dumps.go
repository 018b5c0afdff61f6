package signing

import (
	"bytes"
	"cmp"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"
)

// DefaultSalt is the salt of Django's signing.dumps and loads without one.
const DefaultSalt = "django.core.signing"

// DefaultMaxSize is the default limit on the data Loads returns and Dumps
// accepts: 4 MiB, far beyond any sensible session, small enough that hostile
// input cannot make Loads allocate much.
const DefaultMaxSize = 4 << 20

// minCompress is the shortest data Dumps compresses: below it the saving is
// a few dozen bytes at most, and compressing costs more than all of Dumps.
const minCompress = 128

// Config holds the settings of Dumps and Loads.
type Config struct {
	// Key is the secret that signs, Django's SECRET_KEY. Required.
	Key string
	// Fallbacks are older secrets Loads still accepts, tried in order after
	// Key (Django's SECRET_KEY_FALLBACKS). Optional.
	Fallbacks []string
	// Salt namespaces the signatures. Optional. Default value is DefaultSalt.
	// Django's sessions use "django.contrib.sessions.SessionStore" and its
	// signed-cookie engine "django.contrib.sessions.backends.signed_cookies".
	Salt string
	// Compress makes Dumps zlib-compress data of at least 128 bytes when
	// that makes it shorter (Django tries any length). Loads reads both
	// forms whatever its value. Optional. Default value is false.
	Compress bool
	// MaxAge makes Loads refuse, with ErrSignatureExpired, a value signed
	// longer ago than this. Optional. Default value is 0, which means no limit.
	MaxAge time.Duration
	// MaxSize is the largest data, in bytes, that Dumps accepts and Loads
	// returns; Loads refuses longer input before any HMAC and stops
	// decompressing at it. Optional. Default value is DefaultMaxSize.
	MaxSize int
	// Now returns the current time; tests set it to freeze the clock.
	// Optional. Default value is time.Now.
	Now func() time.Time
}

// Prepared is a Config whose HMAC keys are derived once, in
// [Config.Prepare]: it gives the same results as the package's Dumps and
// Loads with that Config, and is safe for concurrent use.
type Prepared struct {
	c    Config
	keys [][]byte // the current secret's, then each fallback's
}

// Prepare checks c's keys and returns it ready for use. It fails with
// ErrNoKey when Key, or one of Fallbacks, is empty.
func (c Config) Prepare() (*Prepared, error) {
	keys, err := Signer{Key: c.Key, Fallbacks: c.Fallbacks, Salt: cmp.Or(c.Salt, DefaultSalt)}.keys()
	if err != nil {
		return nil, err
	}
	if c.MaxSize <= 0 {
		c.MaxSize = DefaultMaxSize
	}
	c.Now = orNow(c.Now)
	return &Prepared{c: c, keys: keys}, nil
}

// Dumps signs already-serialized JSON in the format of Django's
// signing.dumps: URL-safe base64 without padding, compressed with a leading
// "." when Compress is set, the data is at least 128 bytes and compression
// saves at least two bytes, then signed with a timestamp. Compressed output
// decodes in Django but is not byte-identical to Python's zlib.
//
// Dumps derives its HMAC key from Key on every call; code that signs often
// with one Config prepares it once with [Config.Prepare].
func Dumps(data []byte, c Config) (string, error) {
	p, err := c.Prepare()
	if err != nil {
		return "", err
	}
	return p.Dumps(data)
}

// Loads verifies a string made by Dumps (or by Django's signing.dumps) and
// returns the JSON it carries, unparsed, and the time it was signed.
//
// It fails with ErrTooLarge for input or data over MaxSize, ErrBadSignature
// for a signature that matches no key, ErrSignatureExpired when MaxAge is set
// and exceeded, and ErrMalformed for a correctly signed payload that cannot be
// decoded.
func Loads(signed string, c Config) ([]byte, time.Time, error) {
	p, err := c.Prepare()
	if err != nil {
		return nil, time.Time{}, err
	}
	return p.Loads(signed)
}

// Dumps is the package's Dumps with the prepared Config.
func (p *Prepared) Dumps(data []byte) (string, error) {
	if limit := p.c.MaxSize; len(data) > limit {
		return "", fmt.Errorf("%w: %d bytes of data, limit %d", ErrTooLarge, len(data), limit)
	}
	value := b64Encode(data)
	if p.c.Compress && len(data) >= minCompress {
		if z := compress(data); len(z) < len(data)-1 {
			value = "." + b64Encode(z)
		}
	}
	value += sep + base62(p.c.Now().Unix())
	return value + sep + signature(p.keys[0], value), nil
}

// Loads is the package's Loads with the prepared Config.
func (p *Prepared) Loads(signed string) ([]byte, time.Time, error) {
	// The longest input that can carry MaxSize bytes: their base64, with
	// room for the flag, timestamp, signature and separators.
	if limit := base64.RawURLEncoding.EncodedLen(p.c.MaxSize) + 128; len(signed) > limit {
		return nil, time.Time{}, fmt.Errorf("%w: %d bytes of input, limit %d", ErrTooLarge, len(signed), limit)
	}
	v, err := unsign(signed, p.keys)
	if err != nil {
		return nil, time.Time{}, err
	}
	payload, signedAt, err := splitTimestamp(v, p.c.MaxAge, p.c.Now)
	if err != nil {
		return nil, time.Time{}, err
	}
	payload, compressed := strings.CutPrefix(payload, ".")
	raw, err := b64Decode(payload)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	limit := p.c.MaxSize
	if compressed {
		raw, err = inflate(raw, limit)
		if err != nil {
			return nil, time.Time{}, err
		}
	}
	if len(raw) > limit {
		return nil, time.Time{}, fmt.Errorf("%w: %d bytes of data, limit %d", ErrTooLarge, len(raw), limit)
	}
	return raw, signedAt, nil
}

// compressionLevel costs a byte or so against the default level on
// session-sized JSON, and Django reads either.
const compressionLevel = zlib.BestSpeed

func compress(data []byte) []byte {
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, compressionLevel) // a valid level: no error
	_, _ = zw.Write(data)                                // a bytes.Buffer cannot fail
	_ = zw.Close()
	return buf.Bytes()
}

// inflate decompresses a zlib stream, giving up as soon as the output passes
// limit bytes.
func inflate(compressed []byte, limit int) ([]byte, error) {
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	defer zr.Close()
	// Reading one byte past the limit tells "exactly limit" from "more".
	data, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: zlib: %v", ErrMalformed, err)
	}
	if len(data) > limit {
		return nil, fmt.Errorf("%w: decompresses to more than %d bytes", ErrTooLarge, limit)
	}
	return data, nil
}

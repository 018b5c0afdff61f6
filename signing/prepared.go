package signing

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"
)

// Prepared is a Config made ready for many calls of Dumps and Loads: the
// HMAC keys Django derives from each secret and the salt are computed once,
// in [Config.Prepare], instead of on every call, and so are their keyed
// HMAC states. It gives the same results as the package's Dumps and Loads
// with the same Config, and is safe for concurrent use.
type Prepared struct {
	keys     keyring
	compress bool
	maxAge   time.Duration
	maxSize  int
	maxInput int
	now      func() time.Time
}

// Prepare checks c's keys and returns it ready for use. It fails with
// ErrNoKey when Key, or one of Fallbacks, is empty.
func (c Config) Prepare() (*Prepared, error) {
	s := c.signer()
	if err := s.checkKeys(); err != nil {
		return nil, err
	}
	now := c.Now
	if now == nil {
		now = time.Now
	}
	return &Prepared{
		keys:     newKeyring(s.salt(DefaultTimestampSignerSalt)+"signer", s.Key, s.Fallbacks),
		compress: c.Compress,
		maxAge:   c.MaxAge,
		maxSize:  c.maxSize(),
		maxInput: c.maxInput(),
		now:      now,
	}, nil
}

// scratch is the working memory of one Dumps call, reused across calls.
type scratch struct {
	z   bytes.Buffer // the compressed data
	out []byte       // the signed value being built
}

var scratches = sync.Pool{New: func() any { return new(scratch) }}

// Dumps is the package's Dumps with the prepared Config.
func (p *Prepared) Dumps(data []byte) (string, error) {
	if len(data) > p.maxSize {
		return "", fmt.Errorf("%w: %d bytes of data, limit %d", ErrTooLarge, len(data), p.maxSize)
	}
	sc := scratches.Get().(*scratch)
	defer putScratch(sc)
	enc := base64.RawURLEncoding
	payload, compressed := data, false
	if p.compress && !cannotShrink(data) {
		compress(&sc.z, data)
		if sc.z.Len() < len(data)-1 {
			payload, compressed = sc.z.Bytes(), true
		}
	}
	// payload [. ] base64 : timestamp : signature, in one buffer.
	out := sc.out[:0]
	if need := 1 + enc.EncodedLen(len(payload)) + 2*len(Sep) + 13 + sigLen; cap(out) < need {
		out = make([]byte, 0, need)
	}
	if compressed {
		out = append(out, '.')
	}
	out = enc.AppendEncode(out, payload)
	out = append(out, Sep...)
	out = appendBase62(out, p.now().Unix())
	value := out
	out = append(out, Sep...)
	out = p.keys[0].appendSignature(out, value)
	sc.out = out
	return string(out), nil
}

func putScratch(sc *scratch) {
	if cap(sc.out) > maxKeptBuf {
		sc.out = nil
	}
	if sc.z.Cap() > maxKeptBuf {
		sc.z = bytes.Buffer{}
	}
	scratches.Put(sc)
}

// Loads is the package's Loads with the prepared Config.
func (p *Prepared) Loads(signed string) ([]byte, time.Time, error) {
	if len(signed) > p.maxInput {
		return nil, time.Time{}, fmt.Errorf("%w: %d bytes of input, limit %d", ErrTooLarge, len(signed), p.maxInput)
	}
	i := strings.LastIndex(signed, Sep)
	if i < 0 {
		return nil, time.Time{}, fmt.Errorf("%w: no %q in value", ErrBadSignature, Sep)
	}
	if !p.keys.verify(signed[:i], signed[i+len(Sep):]) {
		return nil, time.Time{}, ErrBadSignature
	}
	payload, signedAt, err := splitTimestamp(signed[:i], p.maxAge, p.now)
	if err != nil {
		return nil, time.Time{}, err
	}
	compressed := len(payload) > 0 && payload[0] == '.'
	if compressed {
		payload = payload[1:]
	}
	raw, err := B64Decode(payload)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("%w: base64: %v", ErrMalformed, err)
	}
	if !compressed {
		if len(raw) > p.maxSize {
			return nil, time.Time{}, fmt.Errorf("%w: %d bytes of data, limit %d", ErrTooLarge, len(raw), p.maxSize)
		}
		return raw, signedAt, nil
	}
	data, err := inflate(raw, p.maxSize)
	if err != nil {
		return nil, time.Time{}, err
	}
	return data, signedAt, nil
}

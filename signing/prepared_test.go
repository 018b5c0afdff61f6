package signing

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// zlibLen is the length of data compressed as Dumps compresses it.
func zlibLen(data []byte) int {
	var buf bytes.Buffer
	compress(&buf, data)
	return buf.Len()
}

// TestCannotShrinkNeverSkipsACompressionThatPays: whenever cannotShrink
// spares the compressor, the compressor would indeed have saved fewer than
// two bytes, over inputs of every length up to 200 bytes drawn from
// alphabets of 1 to 256 symbols, uniform and skewed, plus repetitive
// strings (which only back-references could shrink, and BestSpeed uses
// none under 128 bytes).
func TestCannotShrinkNeverSkipsACompressionThatPays(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	skipped, paid, slack := 0, 0, math.Inf(1)
	for n := 0; n <= 200; n++ {
		for _, k := range []int{1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256} {
			for _, skew := range []float64{0, 0.5, 0.8, 0.95} {
				data := make([]byte, n)
				for i := range data {
					if rng.Float64() < skew {
						data[i] = 'a'
					} else {
						data[i] = byte(rng.IntN(k))
					}
				}
				for _, d := range [][]byte{data, []byte(strings.Repeat("ab1", n)[:n])} {
					if n > 16 && n < 128 {
						// The bound itself, not only the decision, must hold.
						got, bound := zlibLen(d), smallZlibLen(d)
						if float64(got) < bound {
							t.Fatalf("zlib makes %d bytes of %q, under the bound of %.2f", got, d, bound)
						}
						slack = min(slack, float64(got)-bound)
					}
					pays := zlibLen(d) < len(d)-1
					if pays {
						paid++
					}
					if cannotShrink(d) {
						skipped++
						if pays {
							t.Fatalf("cannotShrink(%q) is true, but zlib makes %d bytes of it %d", d, len(d), zlibLen(d))
						}
					}
				}
			}
		}
	}
	if skipped == 0 || paid == 0 {
		t.Fatalf("the inputs did not exercise both sides: %d skipped, %d paid", skipped, paid)
	}
	t.Logf("%d inputs skipped, %d compressed; the bound is at least %.1f bytes under the compressor's output", skipped, paid, slack)
}

// TestCannotShrinkSparesTypicalSmallSessions: the session JSON of a new
// visitor or a logged-in user, too small to shrink, never reaches the
// compressor, while a larger one does.
func TestCannotShrinkSparesTypicalSmallSessions(t *testing.T) {
	for _, js := range []string{
		`{"name":"gopher"}`,
		`{"count":12}`,
		`{"cart":[1,2,3],"x":"y"}`,
		`{"_auth_user_id":"42"}`,
		`{"name":"gopher","count":3}`,
	} {
		if !cannotShrink([]byte(js)) {
			t.Errorf("cannotShrink(%s) = false: the compressor runs for nothing (zlib: %d of %d bytes)", js, zlibLen([]byte(js)), len(js))
		}
	}
	if cannotShrink([]byte(bigJSON)) {
		t.Errorf("cannotShrink of %d bytes of session JSON = true", len(bigJSON))
	}
}

// TestPreparedGivesWhatDumpsAndLoadsGive: a prepared Config signs exactly
// as Dumps does with the same Config (Django's vectors among the inputs),
// reads what Dumps wrote, honours fallbacks, MaxAge and MaxSize, and
// refuses an empty key at Prepare.
func TestPreparedGivesWhatDumpsAndLoadsGive(t *testing.T) {
	for _, c := range []Config{
		{Key: vectorSecret, Salt: sessionSalt, Compress: true, Now: fixedClock(vectorTime)},
		{Key: vectorSecret, Salt: cookieSalt, Compress: true, Now: fixedClock(vectorTime)},
		{Key: vectorSecret, Now: fixedClock(vectorTime)},
		{Key: "new", Fallbacks: []string{"old"}, Salt: cookieSalt, Compress: true, Now: fixedClock(vectorTime), MaxSize: 4096},
	} {
		p, err := c.Prepare()
		if err != nil {
			t.Fatal(err)
		}
		for _, js := range []string{`{"a":1}`, `{"cart":[1,2,3],"x":"y"}`, bigJSON, strings.Repeat(`{"k":"v"}`, 300), ""} {
			want, err := Dumps([]byte(js), c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := p.Dumps([]byte(js))
			if err != nil || got != want {
				t.Fatalf("Prepared.Dumps(%.20s) = %q, %v\nwant %q", js, got, err, want)
			}
			data, at, err := p.Loads(want)
			if err != nil || string(data) != js || !at.Equal(vectorTime) {
				t.Fatalf("Prepared.Loads = %.20s, %v, %v", data, at, err)
			}
		}
	}
	old := Config{Key: "old", Salt: cookieSalt, Now: fixedClock(vectorTime)}
	signed, _ := Dumps([]byte(`{"a":1}`), old)
	rotated, _ := Config{Key: "new", Fallbacks: []string{"old"}, Salt: cookieSalt, MaxAge: time.Minute, Now: fixedClock(vectorTime.Add(time.Minute))}.Prepare()
	if data, _, err := rotated.Loads(signed); err != nil || string(data) != `{"a":1}` {
		t.Fatalf("a fallback's signature: %s, %v", data, err)
	}
	late, _ := Config{Key: "old", Salt: cookieSalt, MaxAge: time.Minute, Now: fixedClock(vectorTime.Add(time.Minute + time.Second))}.Prepare()
	if _, _, err := late.Loads(signed); !errors.Is(err, ErrSignatureExpired) {
		t.Fatalf("past MaxAge: %v, want ErrSignatureExpired", err)
	}
	other, _ := Config{Key: "other", Salt: cookieSalt}.Prepare()
	if _, _, err := other.Loads(signed); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a foreign key: %v, want ErrBadSignature", err)
	}
	if _, _, err := other.Loads(signed[:len(signed)-1]); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("a truncated signature: %v, want ErrBadSignature", err)
	}
	small, _ := Config{Key: "k", MaxSize: 10}.Prepare()
	if _, err := small.Dumps(make([]byte, 11)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("over MaxSize: %v, want ErrTooLarge", err)
	}
	for _, c := range []Config{{}, {Key: "k", Fallbacks: []string{""}}} {
		if _, err := c.Prepare(); !errors.Is(err, ErrNoKey) {
			t.Fatalf("Prepare(%+v) = %v, want ErrNoKey", c, err)
		}
	}
}

// TestPreparedIsSafeForConcurrentUse: goroutines sharing a Prepared (and
// its pooled HMAC states and buffers) each get their own, correct value,
// under -race.
func TestPreparedIsSafeForConcurrentUse(t *testing.T) {
	p, err := Config{Key: vectorSecret, Salt: cookieSalt, Compress: true}.Prepare()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				js := fmt.Sprintf(`{"g":%d,"i":%d,"pad":%q}`, g, i, strings.Repeat("x", i%200))
				s, err := p.Dumps([]byte(js))
				if err != nil {
					errs <- err
					return
				}
				data, _, err := p.Loads(s)
				if err != nil || string(data) != js {
					errs <- fmt.Errorf("round trip of %s: %s, %v", js, data, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func BenchmarkDumps(b *testing.B) {
	c := Config{Key: vectorSecret, Salt: cookieSalt, Compress: true}
	p, err := c.Prepare()
	if err != nil {
		b.Fatal(err)
	}
	for _, js := range []string{`{"name":"gopher"}`, bigJSON} {
		b.Run(fmt.Sprintf("%dB/Dumps", len(js)), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := Dumps([]byte(js), c); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("%dB/Prepared", len(js)), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, err := p.Dumps([]byte(js)); err != nil {
					b.Fatal(err)
				}
			}
		})
		s, _ := p.Dumps([]byte(js))
		b.Run(fmt.Sprintf("%dB/PreparedLoads", len(js)), func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				if _, _, err := p.Loads(s); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

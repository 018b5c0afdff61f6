package ginsession_test

import (
	"errors"
	"fmt"
	"math/big"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// TestGetConvertsAStoredIntegerOnlyWhereItIsExact is the regression test
// for Get[float32] and Get[float64] rounding an integer they cannot hold
// (16777217 read as 16777216), against Get's promise, and for integers past
// int64 that could not be read exactly at all: every conversion of a stored
// integer is now exact or ok=false, and any integer reads into *big.Int.
func TestGetConvertsAStoredIntegerOnlyWhereItIsExact(t *testing.T) {
	record := `{"f32max":16777216,"f32over":16777217,"f64max":9007199254740992,"f64over":9007199254740993,` +
		`"u64max":18446744073709551615,"min":-9223372036854775808,"p70":1180591620717411303424,"p70plus1":1180591620717411303425,"huge":1` + fmt.Sprintf("%0400d", 0) + `}`
	got := withSession(t, record, func(s *ginsession.Session) string {
		out := ""
		show := func(name string, v any, ok bool) { out += fmt.Sprintf("%s=%v/%v ", name, v, ok) }
		f32, ok := ginsession.Get[float32](s, "f32max")
		show("f32(2^24)", f32, ok)
		f32, ok = ginsession.Get[float32](s, "f32over")
		show("f32(2^24+1)", f32, ok)
		f64, ok := ginsession.Get[float64](s, "f64max")
		show("f64(2^53)", int64(f64), ok)
		f64, ok = ginsession.Get[float64](s, "f64over")
		show("f64(2^53+1)", f64, ok)
		f64, ok = ginsession.Get[float64](s, "u64max")
		show("f64(MaxUint64)", f64, ok)
		u, ok := ginsession.Get[uint64](s, "u64max")
		show("u64(MaxUint64)", u, ok)
		i, ok := ginsession.Get[int64](s, "u64max")
		show("i64(MaxUint64)", i, ok)
		f64, ok = ginsession.Get[float64](s, "min")
		show("f64(MinInt64)", f64, ok)
		f64, ok = ginsession.Get[float64](s, "p70")
		show("f64(2^70)", f64, ok)
		f64, ok = ginsession.Get[float64](s, "p70plus1")
		show("f64(2^70+1)", f64, ok)
		i, ok = ginsession.Get[int64](s, "p70")
		show("i64(2^70)", i, ok)
		b, ok := ginsession.Get[*big.Int](s, "p70plus1")
		show("big(2^70+1)", b, ok)
		f64, ok = ginsession.Get[float64](s, "huge")
		show("f64(10^400)", f64, ok)
		return out
	})
	want := "f32(2^24)=1.6777216e+07/true f32(2^24+1)=0/false f64(2^53)=9007199254740992/true f64(2^53+1)=0/false " +
		"f64(MaxUint64)=0/false u64(MaxUint64)=18446744073709551615/true i64(MaxUint64)=0/false f64(MinInt64)=-9.223372036854776e+18/true " +
		"f64(2^70)=1.1805916207174113e+21/true f64(2^70+1)=0/false i64(2^70)=0/false big(2^70+1)=1180591620717411303425/true f64(10^400)=0/false "
	if got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestGetErrTellsMissingFromWrongTypeFromUnreadable: a stored object read
// into a struct lacking one of its keys is not ok, and GetErr says why a
// read gave no value: no key, a value of another type, or a session the
// store could not load.
func TestGetErrTellsMissingFromWrongTypeFromUnreadable(t *testing.T) {
	type Prefs struct{ Color string }
	type Cart struct {
		Items []string
		Note  string `json:",omitempty"`
	}
	got := withSession(t, `{"prefs":{"Theme":"dark"},"cart":{"Items":["a"]},"n":42,"s":"x"}`, func(s *ginsession.Session) string {
		out := ""
		show := func(name string, v, err any) { out += fmt.Sprintf("%s=%v/%v ", name, v, err) }
		p, ok := ginsession.Get[Prefs](s, "prefs")
		show("Get[Prefs](Theme)", p, ok)
		c, err := ginsession.GetErr[Cart](s, "cart")
		show("GetErr[Cart](no Note)", c, err)
		str, err := ginsession.GetErr[string](s, "n")
		show("GetErr[string](42)", str, errors.Is(err, ginsession.ErrWrongType))
		_, err = ginsession.GetErr[Prefs](s, "prefs")
		show("GetErr[Prefs](Theme)", "", errors.Is(err, ginsession.ErrWrongType))
		_, err = ginsession.GetErr[string](s, "missing")
		show("GetErr(missing)", "", errors.Is(err, ginsession.ErrNoKey))
		str, err = ginsession.GetErr[string](s, "s")
		show("GetErr[string](x)", str, err)
		return out
	})
	want := "Get[Prefs](Theme)={}/false GetErr[Cart](no Note)={[a] }/<nil> GetErr[string](42)=/true GetErr[Prefs](Theme)=/true GetErr(missing)=/true GetErr[string](x)=x/<nil> "
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}

	down := errors.New("store down")
	store := newFaultStore()
	store.fail("Load", down)
	a := newApp(t, store)
	a.r.GET("/", func(c *gin.Context) {
		_, err := ginsession.GetErr[string](ginsession.From(c), "k")
		if !errors.Is(err, down) {
			t.Errorf("GetErr on a session the store could not load: %v, want the store's error", err)
		}
	})
	a.get("/", "sessionid=abcdefgh12345678abcdefgh12345678")
}

package ginsession_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

type cart struct {
	Items []string
	note  string
}

type secret struct{ token string }

type inner struct{ Shown int }

type embeds struct {
	inner        // its exported fields are promoted: nothing dropped
	Skip  string `json:"-"`
	At    time.Time
}

type holder struct{ Any any }

// TestUnexportedFieldsFailTheSaveNamingKeyAndField: a value encoding/json
// would store without one of its fields fails the save, naming the key and
// the field, wherever it sits; values that lose nothing save.
func TestUnexportedFieldsFailTheSaveNamingKeyAndField(t *testing.T) {
	refused := map[string]any{
		"cart.note":             cart{Items: []string{"a"}, note: "x"},
		"secret.token":          secret{token: "t"},
		"secret.token (in any)": holder{Any: &secret{token: "t"}},
		"cart.note (in []any)":  []any{map[string]any{"c": []cart{{note: "n"}}}},
	}
	for name, v := range refused {
		_, err := ginsession.JSONCodec{}.Encode([]string{"k"}, map[string]any{"k": v})
		field, _, _ := strings.Cut(name, " ")
		if err == nil || !strings.Contains(err.Error(), `"k"`) || !strings.Contains(err.Error(), field) {
			t.Errorf("%s: err %v, want one naming \"k\" and %s", name, err, field)
		}
	}
	for name, v := range map[string]any{
		"promoted fields, a \"-\" field, a time.Time": embeds{inner: inner{1}, Skip: "s", At: time.Unix(1, 0).UTC()},
		"an empty struct": struct{}{},
		"a byte slice":    []byte("x"),
	} {
		if _, err := (ginsession.JSONCodec{}).Encode([]string{"k"}, map[string]any{"k": v}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	for _, st := range []struct {
		name  string
		store func() stores.Store
	}{
		{"server store", func() stores.Store { return testenv.Must(memstore.New()) }},
		{"cookie store", func() stores.Store { return testenv.Must(cookiestore.New()) }},
	} {
		a := newApp(t, st.store(), ginsession.WithSecretKey(secretA))
		a.r.GET("/", func(c *gin.Context) {
			ginsession.From(c).Set("cart", cart{note: "x"})
			c.String(http.StatusOK, "saved?")
		})
		r := a.get("/", "")
		if r.StatusCode != http.StatusInternalServerError || r.cookie("sessionid") != "" {
			t.Errorf("%s: a value losing a field answered %d with Set-Cookie %q", st.name, r.StatusCode, r.cookie("sessionid"))
		}
		if logs := a.logs.String(); !strings.Contains(logs, `\"cart\"`) || !strings.Contains(logs, "cart.note") {
			t.Errorf("%s: the log names neither the key nor the field: %s", st.name, logs)
		}
	}
}

package otelginsession_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/otelginsession"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
	"github.com/ginsession/ginsession/stores/redis9store"
)

func init() { gin.SetMode(gin.TestMode) }

const secret = "otelginsession-test-secret-of-32-bytes-or-more"

type user string

func (u user) SessionAuthID() string { return string(u) }
func (u user) PasswordHash() string  { return "pbkdf2_sha256$1$salt$" + string(u) }

// rig is a gin engine with otelgin and ginsession, recording into memory.
type rig struct {
	spans  *tracetest.InMemoryExporter
	reader *sdkmetric.ManualReader
	logs   *syncBuffer
	r      *gin.Engine
	// race holds the /race requests until both have loaded the session.
	race sync.WaitGroup
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newRig(t *testing.T, store stores.Store, otelFirst bool) *rig {
	t.Helper()
	g := &rig{spans: tracetest.NewInMemoryExporter(), reader: sdkmetric.NewManualReader(), logs: &syncBuffer{}, r: gin.New()}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(g.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(g.reader))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()); _ = mp.Shutdown(context.Background()) })
	server := otelgin.Middleware("test", otelgin.WithTracerProvider(tp), otelgin.WithMeterProvider(mp))
	store = otelginsession.WrapStore(store, otelginsession.WithTracerProvider(tp))
	sessions := ginsession.New(store, ginsession.WithSecretKey(secret),
		ginsession.WithLogger(slog.New(slog.NewJSONHandler(g.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
		ginsession.WithObserver(otelginsession.New(otelginsession.WithTracerProvider(tp), otelginsession.WithMeterProvider(mp))))
	if otelFirst {
		g.r.Use(server, sessions)
	} else {
		g.r.Use(sessions, server)
	}
	g.r.GET("/visit", func(c *gin.Context) {
		s := ginsession.From(c)
		n, _ := ginsession.Get[int](s, "visits")
		s.Set("visits", n+1)
		c.String(http.StatusOK, "%d", n+1)
	})
	g.r.POST("/login", func(c *gin.Context) {
		if err := auth.Login(c, user("alice"), ""); err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
			return
		}
		c.String(http.StatusOK, "welcome")
	})
	g.r.POST("/logout", func(c *gin.Context) {
		if err := auth.Logout(c); err != nil {
			c.String(http.StatusInternalServerError, "%v", err)
			return
		}
		c.String(http.StatusOK, "bye")
	})
	g.r.GET("/race/:k", func(c *gin.Context) {
		s := ginsession.From(c)
		s.Get("visits")
		g.race.Done()
		g.race.Wait() // both requests loaded: the later save conflicts
		s.Set(c.Param("k"), true)
		c.String(http.StatusOK, "ok")
	})
	return g
}

// do serves one request with the session cookie value key and returns the
// status and the session cookie value after it.
func (g *rig) do(method, path, key string) (int, string) {
	req := httptest.NewRequest(method, path, nil)
	if key != "" {
		req.AddCookie(&http.Cookie{Name: "sessionid", Value: key})
	}
	w := httptest.NewRecorder()
	g.r.ServeHTTP(w, req)
	for _, c := range w.Result().Cookies() {
		if c.Name == "sessionid" {
			return w.Code, c.Value
		}
	}
	return w.Code, key
}

// stores9 returns the stores the tests run on: memory, and Redis through
// go-redis v9.
func testStores(t *testing.T) map[string]func(t *testing.T) stores.Store {
	return map[string]func(t *testing.T) stores.Store{
		"memstore": func(t *testing.T) stores.Store { return testenv.Must(memstore.New()) },
		"redis9store": func(t *testing.T) stores.Store {
			c := testenv.Redis9(t)
			return testenv.Must(redis9store.New(c, redis9store.WithPrefix(testenv.Redis9Prefix(t, c, "otel:"))))
		},
	}
}

func attr(attrs []attribute.KeyValue, k attribute.Key) string {
	for _, a := range attrs {
		if a.Key == k {
			return a.Value.String()
		}
	}
	return ""
}

// TestALoginIsTracedUnderTheServerSpan logs in through a real gin engine,
// with otelgin registered before and after ginsession: the login's
// request has one server span, and every ginsession span is its child.
func TestALoginIsTracedUnderTheServerSpan(t *testing.T) {
	for name, open := range testStores(t) {
		for _, otelFirst := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/otelgin first %v", name, otelFirst), func(t *testing.T) {
				g := newRig(t, open(t), otelFirst)
				_, key := g.do("GET", "/visit", "")
				g.spans.Reset()
				if code, _ := g.do("POST", "/login", key); code != http.StatusOK {
					t.Fatalf("login: %d", code)
				}
				spans := g.spans.GetSpans()
				var server []tracetest.SpanStub
				for _, s := range spans {
					if s.SpanKind == trace.SpanKindServer {
						server = append(server, s)
					}
				}
				if len(server) != 1 {
					t.Fatalf("%d server spans, want 1: %v", len(server), names(spans))
				}
				root := server[0].SpanContext
				var got, calls []string
				for _, s := range spans {
					if s.SpanKind == trace.SpanKindServer {
						continue
					}
					if s.Parent.SpanID() != root.SpanID() || s.SpanContext.TraceID() != root.TraceID() {
						t.Errorf("span %s is not a child of the server span", s.Name)
					}
					if strings.HasPrefix(s.Name, "ginsession.store.") { // WrapStore's
						calls = append(calls, strings.TrimPrefix(s.Name, "ginsession.store."))
						continue
					}
					if store := attr(s.Attributes, otelginsession.StoreKey); store != name {
						t.Errorf("span %s: store %q, want %q", s.Name, store, name)
					}
					got = append(got, s.Name+"/"+attr(s.Attributes, otelginsession.OutcomeKey))
				}
				// The login's key cycle is saved once, at the commit.
				want := "ginsession.load/hit ginsession.save/created ginsession.cycle/ok"
				if strings.Join(got, " ") != want {
					t.Errorf("spans %q, want %q", strings.Join(got, " "), want)
				}
				if c := strings.Join(calls, " "); !strings.HasPrefix(c, "Load Create ") {
					t.Errorf("store calls %q, want Load, Create, ...", c)
				}
				var events []string
				for _, e := range server[0].Events {
					events = append(events, e.Name+"/"+attr(e.Attributes, otelginsession.OutcomeKey))
				}
				if strings.Join(events, " ") != "ginsession.login/ok" {
					t.Errorf("events on the server span: %q, want ginsession.login/ok", events)
				}
			})
		}
	}
}

func names(spans tracetest.SpanStubs) []string {
	var n []string
	for _, s := range spans {
		n = append(n, s.Name)
	}
	return n
}

// TestAConflictIsCounted races two requests on one session: both load it
// before either saves, so the later save finds the record changed, merges
// and counts one conflict.
func TestAConflictIsCounted(t *testing.T) {
	for name, open := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			g := newRig(t, open(t), true)
			_, key := g.do("GET", "/visit", "")
			g.race.Add(2)
			var wg sync.WaitGroup
			for _, k := range []string{"a", "b"} {
				wg.Go(func() {
					if code, _ := g.do("GET", "/race/"+k, key); code != http.StatusOK {
						t.Errorf("race %s: %d", k, code)
					}
				})
			}
			wg.Wait()
			rm := collect(t, g)
			if n := sum(rm, "ginsession.save.conflicts", nil); n != 1 {
				t.Errorf("ginsession.save.conflicts = %d, want 1", n)
			}
			merged := attribute.NewSet(otelginsession.StoreKey.String(name), otelginsession.OutcomeKey.String("merged"),
				otelginsession.OperationKey.String("save"))
			if n := sum(rm, "ginsession.operations", &merged); n != 1 {
				t.Errorf("ginsession.operations{save, merged} = %d, want 1", n)
			}
			if n := count(rm, "ginsession.save.duration"); n != 3 {
				t.Errorf("ginsession.save.duration has %d saves, want 3", n)
			}
		})
	}
}

func collect(t *testing.T, g *rig) metricdata.ResourceMetrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := g.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	return rm
}

// sum adds up the counter name's points, those with attributes set only
// when it is not nil.
func sum(rm metricdata.ResourceMetrics, name string, set *attribute.Set) int64 {
	var n int64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if s, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == name {
				for _, p := range s.DataPoints {
					if set == nil || p.Attributes.Equals(set) {
						n += p.Value
					}
				}
			}
		}
	}
	return n
}

// count is the number of values histogram name recorded.
func count(rm metricdata.ResourceMetrics, name string) uint64 {
	var n uint64
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if h, ok := m.Data.(metricdata.Histogram[float64]); ok && m.Name == name {
				for _, p := range h.DataPoints {
					n += p.Count
				}
			}
		}
	}
	return n
}

// TestNoRawKeyInSpansMetricsOrLogs runs logins, logouts, a conflict and a
// store failure, then scans every span (name, attributes, events, status),
// every metric point and every log line for the session keys used.
func TestNoRawKeyInSpansMetricsOrLogs(t *testing.T) {
	for name, open := range testStores(t) {
		t.Run(name, func(t *testing.T) {
			var failing sync.Map
			store := stores.Wrap(open(t), func(ctx context.Context, call stores.Call, next func(context.Context) error) error {
				if _, ok := failing.Load(call.Key); ok {
					return errors.New("store down")
				}
				return next(ctx)
			})
			g := newRig(t, store, true)
			var keys []string
			_, k := g.do("GET", "/visit", "")
			_, k2 := g.do("POST", "/login", k)
			g.race.Add(2)
			var wg sync.WaitGroup
			for _, p := range []string{"a", "b"} {
				wg.Go(func() { g.do("GET", "/race/"+p, k2) })
			}
			wg.Wait()
			_, k3 := g.do("POST", "/logout", k2)
			_, k4 := g.do("GET", "/visit", "")
			failing.Store(k4, true)
			if code, _ := g.do("GET", "/visit", k4); code != http.StatusInternalServerError {
				t.Errorf("a failing store: %d, want 500", code)
			}
			keys = append(keys, k, k2, k3, k4)
			var text strings.Builder
			for _, s := range g.spans.GetSpans() {
				fmt.Fprintf(&text, "%s %v %v %v\n", s.Name, s.Attributes, s.Events, s.Status)
			}
			fmt.Fprintf(&text, "%+v\n", collect(t, g))
			text.WriteString(g.logs.String())
			all := text.String()
			if !strings.Contains(all, "ginsession.load") || !strings.Contains(all, "exception") {
				t.Fatalf("nothing recorded to scan:\n%s", all)
			}
			for _, key := range keys {
				if len(key) == 32 && strings.Contains(all, key) {
					t.Errorf("the raw session key %s… appears in the telemetry or logs", key[:6])
				}
			}
		})
	}
}

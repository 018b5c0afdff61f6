package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/stores/memstore"
)

// TestALoginShowsItsSpans logs in through the example site: the login's
// request has one server span, with ginsession's spans as its children
// and the login as an event on it.
func TestALoginShowsItsSpans(t *testing.T) {
	gin.SetMode(gin.TestMode)
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	r := newEngine(testenv.Must(memstore.New()), strings.Repeat("s", 32), tp, mp)

	w := httptest.NewRecorder()
	r.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/login?user=alice", nil))
	if w.Code != http.StatusOK {
		t.Fatalf("login: %d %s", w.Code, w.Body)
	}
	var server tracetest.SpanStub
	var children []string
	for _, s := range spans.GetSpans() {
		if s.SpanKind == trace.SpanKindServer {
			server = s
		}
	}
	for _, s := range spans.GetSpans() {
		if s.SpanKind != trace.SpanKindServer && s.Parent.SpanID() == server.SpanContext.SpanID() {
			for _, a := range s.Attributes {
				if a.Key == "ginsession.outcome" {
					children = append(children, s.Name+"/"+a.Value.AsString())
				}
			}
		}
	}
	// A login on a new session: nothing to load; the commit performs the
	// key cycle, creating the record with the user in it.
	want := "ginsession.save/created ginsession.cycle/ok"
	if got := strings.Join(children, " "); got != want {
		t.Errorf("children of the server span: %q, want %q", got, want)
	}
	if len(server.Events) != 1 || server.Events[0].Name != "ginsession.login" {
		t.Errorf("events of the server span: %v, want ginsession.login", server.Events)
	}
}

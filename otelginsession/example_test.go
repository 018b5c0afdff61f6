package otelginsession_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/otelginsession"
	"github.com/ginsession/ginsession/stores/memstore"
)

// otelgin goes first, so its server span is the parent of ginsession's.
// A real program passes its exporter (OTLP, stdout) to the TracerProvider,
// or sets the global providers and calls otelginsession.New() alone.
func ExampleNew() {
	spans := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans))
	store, err := memstore.New()
	if err != nil {
		panic(err)
	}
	r := gin.New()
	r.Use(otelgin.Middleware("shop", otelgin.WithTracerProvider(tp)))
	r.Use(ginsession.New(store, ginsession.WithObserver(otelginsession.New(otelginsession.WithTracerProvider(tp)))))
	r.GET("/", func(c *gin.Context) {
		ginsession.From(c).Set("cart", []string{"tea"})
		c.String(http.StatusOK, "ok")
	})

	r.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/", nil))
	got := spans.GetSpans()
	save, server := got[0], got[1] // in the order they ended
	fmt.Println(server.Name, server.SpanKind)
	fmt.Println(save.Name, save.Attributes)
	fmt.Println("child of the server span:", save.Parent.SpanID() == server.SpanContext.SpanID())
	// Output:
	// GET / server
	// ginsession.save [{"ginsession.store":"memstore"} {"ginsession.outcome":"created"}]
	// child of the server span: true
}

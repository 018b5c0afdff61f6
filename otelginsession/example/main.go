// Command example is a tiny login site with ginsession and otelgin, to see
// the spans and metrics of otelginsession:
//
//	go run ./example -otel  # in otelginsession/
//	curl -c jar -b jar -X POST 'localhost:8080/login?user=alice'
//
// With -otel, every request's spans (otelgin's server span with its
// ginsession.load and ginsession.save children, the ginsession.login
// event) are printed to stdout as they end, and the metrics every 10
// seconds and at exit. The users are made up: any name logs in.
package main

import (
	"context"
	"crypto/rand"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/gin-gonic/gin"
	"go.opentelemetry.io/contrib/instrumentation/github.com/gin-gonic/gin/otelgin"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/otelginsession"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/memstore"
)

func main() {
	addr := flag.String("addr", ":8080", "address to listen on")
	withOtel := flag.Bool("otel", false, "print spans and metrics to stdout")
	flag.Parse()
	tp, mp := otel.GetTracerProvider(), otel.GetMeterProvider() // no-ops
	if *withOtel {
		sdktp, sdkmp, err := stdoutProviders()
		if err != nil {
			log.Fatal(err)
		}
		defer func() { _ = sdktp.Shutdown(context.Background()); _ = sdkmp.Shutdown(context.Background()) }()
		tp, mp = sdktp, sdkmp
	}
	store, err := memstore.New()
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: *addr, Handler: newEngine(store, rand.Text()+rand.Text(), tp, mp)}
	go func() {
		if err := srv.ListenAndServe(); err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	<-stop.Done()
	_ = srv.Shutdown(context.Background())
}

// stdoutProviders print spans as they end and metrics every 10 seconds.
func stdoutProviders() (*sdktrace.TracerProvider, *sdkmetric.MeterProvider, error) {
	spans, err := stdouttrace.New(stdouttrace.WithPrettyPrint())
	if err != nil {
		return nil, nil, err
	}
	metrics, err := stdoutmetric.New(stdoutmetric.WithPrettyPrint())
	if err != nil {
		return nil, nil, err
	}
	return sdktrace.NewTracerProvider(sdktrace.WithSyncer(spans)),
		sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics, sdkmetric.WithInterval(10*time.Second)))), nil
}

type user string

func (u user) SessionAuthID() string { return string(u) }
func (u user) PasswordHash() string  { return "" } // a real site returns the stored hash

// newEngine is the site: otelgin first, so that every session operation
// is inside its server span, then ginsession with the observer.
func newEngine(store stores.Store, secret string, tp trace.TracerProvider, mp metric.MeterProvider) *gin.Engine {
	r := gin.New()
	r.Use(otelgin.Middleware("otelginsession-example", otelgin.WithTracerProvider(tp), otelgin.WithMeterProvider(mp)))
	r.Use(ginsession.New(store, ginsession.WithSecretKey(secret), ginsession.WithObserver(
		otelginsession.New(otelginsession.WithTracerProvider(tp), otelginsession.WithMeterProvider(mp)))))
	r.POST("/login", func(c *gin.Context) {
		if err := auth.Login(c, user(c.Query("user")), ""); err != nil {
			c.String(http.StatusBadRequest, "%v\n", err)
			return
		}
		c.String(http.StatusOK, "logged in as %s\n", c.Query("user"))
	})
	r.GET("/", func(c *gin.Context) {
		id, ok := auth.UserID(c)
		if !ok {
			c.String(http.StatusOK, "anonymous\n")
			return
		}
		c.String(http.StatusOK, "hello %s\n", id)
	})
	r.POST("/logout", func(c *gin.Context) {
		if err := auth.Logout(c); err != nil {
			c.String(http.StatusInternalServerError, "%v\n", err)
			return
		}
		c.String(http.StatusOK, "logged out\n")
	})
	return r
}

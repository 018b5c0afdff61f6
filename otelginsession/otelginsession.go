// Package otelginsession records ginsession's events as OpenTelemetry spans
// and metrics:
//
//	r.Use(otelgin.Middleware("my-service"))
//	r.Use(ginsession.New(store, ginsession.WithObserver(otelginsession.New())))
//
// # Spans
//
// Each load, save, key cycle and flush of a session becomes a span named
// ginsession.load, ginsession.save, ginsession.cycle or ginsession.flush,
// a child of the span in the request's context at the time (otelgin's
// server span), timed as the operation was: the span is recorded when the
// operation ends, so the store client's own spans (redisotel, otelsql) are
// its siblings, not its children. A failure sets the span's status to
// Error and records the error, whose message names the session only in
// the redacted form of ginsession's logs. Logins, logouts, hash
// mismatches and sessions ended from the devices page are events
// (ginsession.login, ...) on the request's span.
//
// [WrapStore] adds a span for each store call (ginsession.store.Load, ...),
// for when the round trips matter.
//
// otelgin may be registered before or after ginsession. Registered after
// it, otelgin restores the request's context when its handler returns, so
// a session saved by ginsession only after the handler chain (a handler
// that wrote no response) is saved outside the server span: register
// otelgin first to have every save inside it.
//
// # Metrics
//
//   - ginsession.operations, a counter ({operation}): every event, by
//     ginsession.operation and ginsession.outcome;
//   - ginsession.load.duration, a histogram (s): loads, by ginsession.outcome;
//   - ginsession.save.duration, a histogram (s): saves with their retries,
//     by ginsession.outcome;
//   - ginsession.save.conflicts, a counter ({conflict}): conditional writes
//     that found the record changed by a concurrent request (the save then
//     merges and writes again; each conflict is also an event,
//     ginsession.save.conflict, on the request's span).
//
// Every metric also has ginsession.store (the store's package name), and a
// failure error.type (failed, timeout or interrupted). The attributes take a
// handful of values each: no session key, no user id. With
// WithUserIDs(true), the auth events on spans carry enduser.id; metrics
// never do. For Prometheus, give New a MeterProvider with the
// OpenTelemetry Prometheus exporter (go.opentelemetry.io/otel/exporters/prometheus).
// The guide: docs/observability.md in the repository.
package otelginsession

import (
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/ginsession/ginsession"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/ginsession/ginsession/otelginsession"

// Attribute keys.
const (
	StoreKey     = attribute.Key("ginsession.store")
	OperationKey = attribute.Key("ginsession.operation")
	OutcomeKey   = attribute.Key("ginsession.outcome")
	AttemptKey   = attribute.Key("ginsession.save.attempt")
	errorTypeKey = attribute.Key("error.type")
	userIDKey    = attribute.Key("enduser.id")
)

// Option configures New.
type Option func(*config)

type config struct {
	tp      trace.TracerProvider
	mp      metric.MeterProvider
	userIDs bool
}

// WithTracerProvider sets where spans go. Optional. Default value is
// otel.GetTracerProvider().
func WithTracerProvider(tp trace.TracerProvider) Option { return func(c *config) { c.tp = tp } }

// WithMeterProvider sets where metrics go. Optional. Default value is
// otel.GetMeterProvider().
func WithMeterProvider(mp metric.MeterProvider) Option { return func(c *config) { c.mp = mp } }

// WithUserIDs adds the user's id as enduser.id to the span events of
// logins, hash mismatches and ended sessions. Optional. Default value is
// false: no user id leaves the process.
func WithUserIDs(on bool) Option { return func(c *config) { c.userIDs = on } }

func newConfig(opts []Option) config {
	c := config{tp: otel.GetTracerProvider(), mp: otel.GetMeterProvider()}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// observer holds the instruments.
type observer struct {
	tracer    trace.Tracer
	userIDs   bool
	ops       metric.Int64Counter
	conflicts metric.Int64Counter
	loads     metric.Float64Histogram
	saves     metric.Float64Histogram
}

// New returns an observer for ginsession.WithObserver that records spans
// and metrics as the package doc describes.
func New(opts ...Option) ginsession.Observer {
	c := newConfig(opts)
	m := c.mp.Meter(ScopeName)
	o := &observer{tracer: c.tp.Tracer(ScopeName), userIDs: c.userIDs}
	var errs [4]error
	o.ops, errs[0] = m.Int64Counter("ginsession.operations", metric.WithUnit("{operation}"),
		metric.WithDescription("Session operations, by operation and outcome."))
	o.conflicts, errs[1] = m.Int64Counter("ginsession.save.conflicts", metric.WithUnit("{conflict}"),
		metric.WithDescription("Conditional saves that found the record changed by a concurrent request and merged its changes."))
	o.loads, errs[2] = m.Float64Histogram("ginsession.load.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of session loads."))
	o.saves, errs[3] = m.Float64Histogram("ginsession.save.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of session saves, retries included."))
	for _, err := range errs {
		if err != nil {
			otel.Handle(err) // a no-op instrument is returned alongside
		}
	}
	return o.observe
}

func (o *observer) observe(e ginsession.Event) {
	ctx := e.Context
	attrs := []attribute.KeyValue{StoreKey.String(e.Store), OutcomeKey.String(string(e.Outcome))}
	failed := e.Err != nil
	if failed {
		attrs = append(attrs, errorTypeKey.String(string(e.Outcome)))
	}
	o.ops.Add(ctx, 1, metric.WithAttributes(append(attrs, OperationKey.String(string(e.Op)))...))
	switch e.Op {
	case ginsession.OpLoad:
		o.loads.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attrs...))
	case ginsession.OpSave:
		if e.Outcome == ginsession.OutcomeConflict { // the save goes on: an event on the request's span
			o.conflicts.Add(ctx, 1, metric.WithAttributes(StoreKey.String(e.Store)))
			trace.SpanFromContext(ctx).AddEvent("ginsession.save.conflict",
				trace.WithAttributes(StoreKey.String(e.Store), AttemptKey.Int(e.Attempts)))
			return
		}
		o.saves.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(attrs...))
	case ginsession.OpCycle, ginsession.OpFlush:
	default: // auth's events: on the request's span
		if o.userIDs && e.User != "" {
			attrs = append(attrs, userIDKey.String(e.User))
		}
		span := trace.SpanFromContext(ctx)
		span.AddEvent("ginsession."+string(e.Op), trace.WithAttributes(attrs...))
		if failed {
			span.RecordError(e.Err)
		}
		return
	}
	end := time.Now()
	_, span := o.tracer.Start(ctx, "ginsession."+string(e.Op), trace.WithTimestamp(end.Add(-e.Duration)),
		trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	if failed {
		span.RecordError(e.Err, trace.WithTimestamp(end))
		span.SetStatus(codes.Error, string(e.Outcome))
	}
	span.End(trace.WithTimestamp(end))
}

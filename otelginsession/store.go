package otelginsession

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/ginsession/ginsession/stores"
)

// WrapStore returns store with a client span around each of its calls,
// named ginsession.store.Load, ginsession.store.CompareAndSwap and so on,
// a child of the span in the call's context (the request's, as for New's
// spans) and the parent of the store client's own spans. The session key
// is not recorded. Answers a store gives in its normal course (not found,
// a conflict, a key taken, a capability it lacks) are not errors; any
// other error sets the span's status to Error. Only WithTracerProvider
// applies. The store keeps every capability (stores.Wrap).
func WrapStore(store stores.Store, opts ...Option) stores.Store {
	tracer := newConfig(opts).tp.Tracer(ScopeName)
	return stores.Wrap(store, func(ctx context.Context, call stores.Call, next func(context.Context) error) error {
		ctx, span := tracer.Start(ctx, "ginsession.store."+call.Method, trace.WithSpanKind(trace.SpanKindClient))
		defer span.End()
		err := next(ctx)
		switch {
		case err == nil, errors.Is(err, stores.ErrNotFound), errors.Is(err, stores.ErrConflict),
			errors.Is(err, stores.ErrExists), errors.Is(err, errors.ErrUnsupported):
		default:
			span.RecordError(err)
			span.SetStatus(codes.Error, "store call failed")
		}
		return err
	})
}

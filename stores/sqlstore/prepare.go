package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// prepareTimeout bounds one prepare. The prepare runs under a context of its
// own, not the caller's: a caller that gives up (a cancelled request) must not
// fail the prepare that every other caller of the statement is waiting for.
const prepareTimeout = 30 * time.Second

// preparing is one prepare of a statement; done closes once st or err is set.
type preparing struct {
	done chan struct{}
	st   *sql.Stmt
	err  error
}

// stmt returns the prepared statement for o, preparing it on first use.
//
// Each statement is prepared at most once at a time: the first caller starts
// the prepare, later callers wait for it, and each waits only as long as its
// own context allows. No lock is held while the database answers, so a slow
// prepare of one statement delays no call of another, and a failed prepare
// is started again by the next caller.
func (s *Store) stmt(ctx context.Context, o op) (*sql.Stmt, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	p := s.stmts[o]
	if p == nil {
		p = &preparing{done: make(chan struct{})}
		s.stmts[o] = p
		// context.WithoutCancel keeps the caller's values (tracing) but
		// not its cancellation or deadline.
		go s.runPrepare(context.WithoutCancel(ctx), o, p)
	}
	s.mu.Unlock()
	select {
	case <-p.done:
		return p.st, p.err
	case <-ctx.Done():
		return nil, fmt.Errorf("prepare: %w", ctx.Err())
	}
}

// runPrepare prepares o's query for p and publishes the result.
func (s *Store) runPrepare(ctx context.Context, o op, p *preparing) {
	ctx, cancel := context.WithTimeout(ctx, prepareTimeout)
	defer cancel()
	st, err := s.prepare(ctx, s.queries[o])
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		err = fmt.Errorf("prepare: %w", err)
		s.stmts[o] = nil // the next caller starts again
	} else if s.closed {
		st.Close()
		st, err = nil, errClosed
	}
	p.st, p.err = st, err
	close(p.done)
}

package bench

import (
	"context"
	"net"
	"sync/atomic"
	"testing"
)

// rtCounter counts store round trips at the connection.
//
// A round trip is a write to the socket that follows a read on the same
// connection, or the first write on it. A request and its reply are one
// round trip however many write calls the client splits the request into;
// a pipeline (several commands, then several replies) is one round trip,
// because that is what costs a network latency. A fire-and-forget write
// sent after a reply (such as MySQL's COM_STMT_CLOSE) counts as one too.
type rtCounter struct{ n atomic.Int64 }

func (c *rtCounter) reset() {
	if c != nil {
		c.n.Store(0)
	}
}

func (c *rtCounter) load() int64 {
	if c == nil {
		return 0
	}
	return c.n.Load()
}

// report adds the rtt/op metric; stores without a connection report none.
func (c *rtCounter) report(b *testing.B) {
	if c != nil {
		b.ReportMetric(float64(c.load())/float64(b.N), "rtt/op")
	}
}

// wrap returns conn counting its round trips into c.
func (c *rtCounter) wrap(conn net.Conn) net.Conn {
	cc := &countingConn{Conn: conn, c: c}
	cc.afterRead.Store(true) // the first write is a round trip
	return cc
}

// dial dials a TCP connection counted by c.
func (c *rtCounter) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return c.wrap(conn), nil
}

type countingConn struct {
	net.Conn
	c         *rtCounter
	afterRead atomic.Bool
}

func (cc *countingConn) Read(p []byte) (int, error) {
	n, err := cc.Conn.Read(p)
	if n > 0 {
		cc.afterRead.Store(true)
	}
	return n, err
}

func (cc *countingConn) Write(p []byte) (int, error) {
	if cc.afterRead.Swap(false) {
		cc.c.n.Add(1)
	}
	return cc.Conn.Write(p)
}

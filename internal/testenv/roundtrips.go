package testenv

import (
	"context"
	"net"
	"sync"
	"time"
)

// RoundTrips counts request/response turns on the connections it dials, so
// a test can assert how many times a store waits on its server.
//
// A round trip is counted when a connection reads after having written since
// its previous read: the client sent something and now waits for the answer.
// Several writes before one read (a pipeline, or a fire-and-forget packet
// such as MySQL's COM_STMT_CLOSE followed by the next query) are one turn;
// a response that arrives in several reads is one turn. The TCP and protocol
// handshakes count too, which is why tests take a reading only once the
// connection is warm.
type RoundTrips struct {
	mu    sync.Mutex
	turns int64
}

// Count returns the number of round trips so far, over all connections.
func (r *RoundTrips) Count() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.turns
}

// DialContext dials like net.Dialer and returns a counting connection; its
// signature fits mysql.Config.DialFunc and redis.Options.Dialer.
func (r *RoundTrips) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return &countingConn{Conn: c, rt: r}, nil
}

// Dial and DialTimeout, with DialContext, make RoundTrips a lib/pq Dialer
// (pq.Connector.Dialer).
func (r *RoundTrips) Dial(network, addr string) (net.Conn, error) {
	return r.DialContext(context.Background(), network, addr)
}

// DialTimeout dials with a timeout; see Dial.
func (r *RoundTrips) DialTimeout(network, addr string, timeout time.Duration) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return r.DialContext(ctx, network, addr)
}

type countingConn struct {
	net.Conn
	rt      *RoundTrips
	mu      sync.Mutex
	written bool // wrote since the last read
}

func (c *countingConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.written = true
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countingConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	turn := c.written
	c.written = false
	c.mu.Unlock()
	if turn {
		c.rt.mu.Lock()
		c.rt.turns++
		c.rt.mu.Unlock()
	}
	return c.Conn.Read(p)
}

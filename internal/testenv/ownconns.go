package testenv

import (
	"context"
	"net"
	"sync"

	"github.com/jmoiron/sqlx"
)

// OwnConns tells a test's own MySQL connections from everyone else's, so a
// test that kills connections on the server kills only its own, even while
// another checkout's tests use the same server. Set Dial as the pool's
// mysql.Config.DialFunc; IDs lists the processlist ids of the connections
// it dialed that are still open. A local address is forgotten before its
// socket closes, so a port reused by another process afterwards is never
// taken for one of ours.
type OwnConns struct {
	mu   sync.Mutex
	open map[string]bool // local "host:port" of each open connection
}

// Dial dials like net.Dialer and remembers the connection until it closes.
func (o *OwnConns) Dial(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	local := c.LocalAddr().String()
	o.mu.Lock()
	if o.open == nil {
		o.open = map[string]bool{}
	}
	o.open[local] = true
	o.mu.Unlock()
	return &ownConn{Conn: c, forget: func() {
		o.mu.Lock()
		delete(o.open, local)
		o.mu.Unlock()
	}}, nil
}

// IDs returns the processlist ids, as admin sees them, of the connections
// Dial made that are still open.
func (o *OwnConns) IDs(ctx context.Context, admin *sqlx.DB) ([]int64, error) {
	var procs []struct {
		ID   int64  `db:"ID"`
		Host string `db:"HOST"`
	}
	if err := admin.SelectContext(ctx, &procs, "SELECT ID, HOST FROM information_schema.PROCESSLIST"); err != nil {
		return nil, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	var ids []int64
	for _, p := range procs {
		if o.open[p.Host] {
			ids = append(ids, p.ID)
		}
	}
	return ids, nil
}

type ownConn struct {
	net.Conn
	once   sync.Once
	forget func()
}

func (c *ownConn) Close() error {
	c.once.Do(c.forget)
	return c.Conn.Close()
}

package testenv

import (
	"context"
	"io"
	"net"
	"testing"
)

// The counter counts turns (a read after writes), not packets: pipelined
// writes are one turn and a reply read in pieces is one turn.
func TestRoundTripsCountTurns(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		// Answer each 2-byte request with 4 bytes.
		buf := make([]byte, 2)
		for {
			if _, err := io.ReadFull(c, buf); err != nil {
				return
			}
			if _, err := c.Write([]byte("abcd")); err != nil {
				return
			}
		}
	}()
	rt := new(RoundTrips)
	c, err := rt.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	reply := make([]byte, 4)
	steps := []struct {
		name string
		do   func() error
		want int64
	}{
		{"one request, one reply", func() error {
			if _, err := c.Write([]byte("q1")); err != nil {
				return err
			}
			_, err := io.ReadFull(c, reply)
			return err
		}, 1},
		{"two pipelined requests, both replies", func() error {
			if _, err := c.Write([]byte("q2")); err != nil {
				return err
			}
			if _, err := c.Write([]byte("q3")); err != nil {
				return err
			}
			_, err := io.ReadFull(c, make([]byte, 8))
			return err
		}, 1},
		{"a reply read a byte at a time", func() error {
			if _, err := c.Write([]byte("q4")); err != nil {
				return err
			}
			for i := 0; i < 4; i++ {
				if _, err := io.ReadFull(c, reply[:1]); err != nil {
					return err
				}
			}
			return nil
		}, 1},
	}
	for _, st := range steps {
		before := rt.Count()
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := rt.Count() - before; got != st.want {
			t.Errorf("%s: counted %d round trips, want %d", st.name, got, st.want)
		}
	}
}

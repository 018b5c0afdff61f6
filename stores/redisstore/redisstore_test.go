package redisstore

import (
	"strings"
	"testing"

	"github.com/go-redis/redis/v8"
)

func TestNewRefusesBadArguments(t *testing.T) {
	if _, err := New(nil); err == nil {
		t.Error("New(nil) succeeded")
	}
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer c.Close()
	if _, err := New(c, WithPrefix(strings.Repeat("p", 513))); err == nil {
		t.Error("a 513-byte prefix was accepted")
	}
	s, err := New(c)
	if err != nil || s.Prefix() != DefaultPrefix {
		t.Errorf("New(c) = %v, %v; want prefix %q", s, err, DefaultPrefix)
	}
}

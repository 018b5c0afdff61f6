package sqlstore

import (
	"context"
	"time"
)

// LoadWithTTL implements stores.TTLLoader: the SELECT of LoadWithExpiry,
// with the time from the store's clock, the one the query compared with,
// to the row's expire_date.
func (s *Store) LoadWithTTL(ctx context.Context, key string) ([]byte, time.Duration, error) {
	now := s.now()
	data, exp, err := s.loadAt(ctx, key, now)
	if err != nil {
		return nil, 0, err
	}
	return data, exp.Sub(now), nil
}

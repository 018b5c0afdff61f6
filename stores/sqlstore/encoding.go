package sqlstore

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"time"
)

// binaryPrefix marks a session_data value that holds the record's bytes in
// base64 rather than verbatim; the package doc says when and why.
const binaryPrefix = "!base64:"

// storedForm returns data as it goes into session_data.
func storedForm(data []byte) []byte {
	if verbatim(data) {
		return data
	}
	out := make([]byte, len(binaryPrefix)+base64.StdEncoding.EncodedLen(len(data)))
	copy(out, binaryPrefix)
	base64.StdEncoding.Encode(out[len(binaryPrefix):], data)
	return out
}

func verbatim(data []byte) bool {
	for _, c := range data {
		if c == 0 || c >= 0x80 {
			return false
		}
	}
	return !bytes.HasPrefix(data, []byte(binaryPrefix))
}

// fromStored reverses storedForm, decoding base64 into a new slice, and
// returns empty data as []byte{}, not nil; ok is false for a value marked as
// base64 that does not decode (an unreadable record).
func fromStored(stored []byte) (data []byte, ok bool) {
	if stored == nil {
		return []byte{}, true
	}
	if !bytes.HasPrefix(stored, []byte(binaryPrefix)) {
		return stored, true
	}
	data, err := base64.StdEncoding.AppendDecode([]byte{}, stored[len(binaryPrefix):])
	return data, err == nil
}

// mysqlTimeLayout is how instants are sent to MySQL: UTC wall-clock text at
// datetime(6)'s microseconds, so the stored value is UTC, as Django
// (USE_TZ=True) has it, whatever loc= the DSN sets.
const mysqlTimeLayout = "2006-01-02 15:04:05.000000"

// sqliteTime is an instant as Django's SQLite backend writes it with
// USE_TZ=True: naive UTC text, Python's str(datetime), which drops the
// fraction when the microseconds are zero. SQLite compares these as text,
// as Django's own queries do, and text order is time order for them.
func sqliteTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// expiryScanner reads a time column. MySQL's and SQLite's hold a UTC wall
// clock (wallClock), which the drivers hand back as text or as a time.Time
// in the DSN's location; PostgreSQL's timestamptz is an instant.
type expiryScanner struct {
	wallClock bool
	t         time.Time
}

// timeScanner returns an expiryScanner for the store's dialect.
func (s *Store) timeScanner() *expiryScanner {
	return &expiryScanner{wallClock: s.dialect != Postgres}
}

func (e *expiryScanner) Scan(src any) error {
	if b, ok := src.([]byte); ok {
		src = string(b)
	}
	switch v := src.(type) {
	case time.Time:
		if e.wallClock {
			e.t = time.Date(v.Year(), v.Month(), v.Day(), v.Hour(), v.Minute(), v.Second(), v.Nanosecond(), time.UTC)
		} else {
			e.t = v.UTC()
		}
		return nil
	case string:
		var err error
		e.t, err = time.ParseInLocation("2006-01-02 15:04:05.999999999", v, time.UTC)
		return err
	}
	return fmt.Errorf("sqlstore: cannot read expire_date from %T", src)
}

package storetest

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ginsession/ginsession/stores"
)

// IndexStore is a store with a per-user index.
type IndexStore interface {
	stores.Store
	stores.Indexer
}

// Index runs the per-user index cases ([stores.Indexer]) against stores
// made by newStore, which must implement it with the index switched on.
// [Run] calls it for every store whose CheckIndex reports nil.
func Index(t *testing.T, newStore Factory) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(*testing.T, IndexStore)
	}{
		{"AnAddedEntryIsListedWithEveryField", testIndexAddList},
		{"AListShowsOnlyEntriesOfLiveRecordsAndDropsTheRest", testIndexLiveOnly},
		{"EachUserSeesOnlyTheirOwnEntries", testIndexPerUser},
		{"AddReplacesTheEntryOfAKey", testIndexAddReplaces},
		{"TouchSetsLastActiveAndNeverCreates", testIndexTouch},
		{"MoveRenamesTheEntryKeepingItsDetailsAndNeverCreates", testIndexMove},
		{"RemoveIsIdempotentAndTakesSeveralKeys", testIndexRemove},
		{"ClearExpiredKeepsLiveEntries", testIndexClearExpired},
		{"UserIDsAreOpaqueBytes", testIndexUserIDs},
		{"UserIDsCompareByteForByte", testIndexUserIDsExact},
		{"InvalidKeysAndUserIDsAreRefused", testIndexInvalid},
		{"TwentyGoroutinesAddAndRemoveAtOnce", testIndexConcurrent},
		{"AnEntryKeepsNoRecordAlive", testIndexKeepsNothingAlive},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, ok := newStore(t).(IndexStore)
			if !ok {
				t.Fatal("the store is not a stores.Indexer")
			}
			if err := s.CheckIndex(); err != nil {
				t.Fatalf("CheckIndex: %v", err)
			}
			tc.fn(t, s)
		})
	}
}

// runIndex runs Index as part of Run for a store whose index is on.
func runIndex(t *testing.T, newStore Factory) {
	t.Run("Index", func(t *testing.T) {
		if ix, ok := newStore(t).(stores.Indexer); !ok || ix.CheckIndex() != nil {
			t.Skip("the store keeps no per-user index")
		}
		Index(t, newStore)
		t.Run("Limit", func(t *testing.T) { Limit(t, newStore) })
	})
}

// entry returns an IndexEntry for key with every field set, times in
// whole milliseconds (what every store keeps at least).
func entry(key string) stores.IndexEntry {
	now := time.Now().Truncate(time.Millisecond)
	return stores.IndexEntry{
		Key:        key,
		Created:    now.Add(-time.Hour),
		LastActive: now.Add(-time.Minute),
		Expiry:     now.Add(2 * time.Hour),
		UserAgent:  "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 \u2603",
		IP:         "2001:db8::1",
		Backend:    "django.contrib.auth.backends.ModelBackend",
	}
}

func indexUser(t *testing.T) string { return "user-" + stores.NewKey()[:8] }

func mustAdd(t *testing.T, s IndexStore, user string, e stores.IndexEntry) {
	t.Helper()
	if err := s.IndexAdd(ctx(t), user, e); err != nil {
		t.Fatalf("IndexAdd(%q, %s): %v", user, stores.Redact(e.Key), err)
	}
}

// liveSession creates a record and its entry under user.
func liveSession(t *testing.T, s IndexStore, user string) stores.IndexEntry {
	t.Helper()
	e := entry(stores.NewKey())
	mustCreate(t, s, e.Key, []byte(`{"_auth_user_id":"x"}`), later())
	mustAdd(t, s, user, e)
	return e
}

func list(t *testing.T, s IndexStore, user string) []stores.IndexEntry {
	t.Helper()
	l, err := s.IndexList(ctx(t), user)
	if err != nil {
		t.Fatalf("IndexList(%q): %v", user, err)
	}
	sort.Slice(l, func(i, j int) bool { return l[i].Key < l[j].Key })
	return l
}

func keysOf(l []stores.IndexEntry) []string {
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = e.Key
	}
	sort.Strings(out)
	return out
}

func wantKeys(t *testing.T, s IndexStore, user string, want ...string) []stores.IndexEntry {
	t.Helper()
	l := list(t, s, user)
	sort.Strings(want)
	if got := keysOf(l); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("IndexList(%q) has keys %v, want %v", user, redactAll(got), redactAll(want))
	}
	return l
}

func redactAll(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = stores.Redact(k)
	}
	return out
}

func sameInstant(a, b time.Time) bool {
	return a.Truncate(time.Millisecond).Equal(b.Truncate(time.Millisecond))
}

func checkEntry(t *testing.T, got, want stores.IndexEntry) {
	t.Helper()
	if got.Key != want.Key || got.UserAgent != want.UserAgent || got.IP != want.IP || got.Backend != want.Backend {
		t.Errorf("entry = {%s %q %q %q}, want {%s %q %q %q}", stores.Redact(got.Key), got.UserAgent, got.IP, got.Backend,
			stores.Redact(want.Key), want.UserAgent, want.IP, want.Backend)
	}
	if !sameInstant(got.Created, want.Created) {
		t.Errorf("Created = %v, want %v", got.Created, want.Created)
	}
	if !sameInstant(got.LastActive, want.LastActive) {
		t.Errorf("LastActive = %v, want %v", got.LastActive, want.LastActive)
	}
}

func testIndexAddList(t *testing.T, s IndexStore) {
	u := indexUser(t)
	if l := list(t, s, u); len(l) != 0 {
		t.Fatalf("a user without entries lists %d", len(l))
	}
	e := liveSession(t, s, u)
	l := wantKeys(t, s, u, e.Key)
	checkEntry(t, l[0], e)
	empty := stores.IndexEntry{Key: stores.NewKey(), Created: e.Created, LastActive: e.LastActive, Expiry: e.Expiry}
	mustCreate(t, s, empty.Key, []byte("x"), later())
	mustAdd(t, s, u, empty)
	l = wantKeys(t, s, u, e.Key, empty.Key)
	for _, got := range l {
		if got.Key == empty.Key {
			checkEntry(t, got, empty)
		}
	}
}

func testIndexLiveOnly(t *testing.T, s IndexStore) {
	u := indexUser(t)
	live := liveSession(t, s, u)
	deleted := liveSession(t, s, u)
	if err := s.Delete(ctx(t), deleted.Key); err != nil {
		t.Fatal(err)
	}
	never := entry(stores.NewKey()) // an entry whose record never existed
	mustAdd(t, s, u, never)
	expired := entry(stores.NewKey())
	mustCreate(t, s, expired.Key, []byte("x"), time.Now().Add(-time.Minute))
	mustAdd(t, s, u, expired)
	wantKeys(t, s, u, live.Key)
	wantKeys(t, s, u, live.Key)
	// The dropped entries are gone, not only hidden: touching one finds
	// nothing.
	for _, k := range []string{deleted.Key, never.Key, expired.Key} {
		if err := s.IndexTouch(ctx(t), u, k, time.Now(), later()); !errors.Is(err, stores.ErrNotFound) {
			t.Errorf("IndexTouch of a pruned entry = %v, want ErrNotFound", err)
		}
	}
}

func testIndexPerUser(t *testing.T, s IndexStore) {
	a, b := indexUser(t), indexUser(t)
	ea := liveSession(t, s, a)
	eb := liveSession(t, s, b)
	wantKeys(t, s, a, ea.Key)
	wantKeys(t, s, b, eb.Key)
	// Another user's name for a key changes nothing of the owner's entry.
	if err := s.IndexRemove(ctx(t), b, ea.Key); err != nil {
		t.Fatal(err)
	}
	if err := s.IndexTouch(ctx(t), b, ea.Key, time.Now(), later()); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("IndexTouch of another user's key = %v, want ErrNotFound", err)
	}
	if err := s.IndexMove(ctx(t), b, ea.Key, stores.NewKey(), time.Now(), later()); !errors.Is(err, stores.ErrNotFound) {
		t.Errorf("IndexMove of another user's key = %v, want ErrNotFound", err)
	}
	wantKeys(t, s, a, ea.Key)
	wantKeys(t, s, b, eb.Key)
}

func testIndexAddReplaces(t *testing.T, s IndexStore) {
	u := indexUser(t)
	e := liveSession(t, s, u)
	e2 := e
	e2.UserAgent, e2.IP, e2.LastActive = "curl/8.0", "192.0.2.7", e.LastActive.Add(30*time.Second)
	mustAdd(t, s, u, e2)
	l := wantKeys(t, s, u, e.Key)
	checkEntry(t, l[0], e2)
}

func testIndexTouch(t *testing.T, s IndexStore) {
	u := indexUser(t)
	e := liveSession(t, s, u)
	at := time.Now().Add(time.Second).Truncate(time.Millisecond)
	if err := s.IndexTouch(ctx(t), u, e.Key, at, later()); err != nil {
		t.Fatalf("IndexTouch: %v", err)
	}
	l := wantKeys(t, s, u, e.Key)
	want := e
	want.LastActive = at
	checkEntry(t, l[0], want)

	other := stores.NewKey()
	mustCreate(t, s, other, []byte("x"), later())
	if err := s.IndexTouch(ctx(t), u, other, at, later()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("IndexTouch without an entry = %v, want ErrNotFound", err)
	}
	wantKeys(t, s, u, e.Key)
}

func testIndexMove(t *testing.T, s IndexStore) {
	u := indexUser(t)
	e := liveSession(t, s, u)
	nk := stores.NewKey()
	mustCreate(t, s, nk, []byte("x"), later())
	at := time.Now().Add(time.Second).Truncate(time.Millisecond)
	if err := s.IndexMove(ctx(t), u, e.Key, nk, at, later()); err != nil {
		t.Fatalf("IndexMove: %v", err)
	}
	l := wantKeys(t, s, u, nk)
	want := e
	want.Key, want.LastActive = nk, at
	checkEntry(t, l[0], want)

	missing, target := stores.NewKey(), stores.NewKey()
	mustCreate(t, s, target, []byte("x"), later())
	if err := s.IndexMove(ctx(t), u, missing, target, at, later()); !errors.Is(err, stores.ErrNotFound) {
		t.Fatalf("IndexMove of a missing entry = %v, want ErrNotFound", err)
	}
	wantKeys(t, s, u, nk)
}

func testIndexRemove(t *testing.T, s IndexStore) {
	u := indexUser(t)
	a, b, c := liveSession(t, s, u), liveSession(t, s, u), liveSession(t, s, u)
	for range 2 {
		if err := s.IndexRemove(ctx(t), u, a.Key, b.Key); err != nil {
			t.Fatalf("IndexRemove: %v", err)
		}
	}
	if err := s.IndexRemove(ctx(t), u); err != nil {
		t.Fatalf("IndexRemove of no keys: %v", err)
	}
	wantKeys(t, s, u, c.Key)
	// Removing an entry leaves the record alone: ending a session is the
	// caller's Delete.
	wantData(t, s, a.Key, []byte(`{"_auth_user_id":"x"}`))
}

func testIndexClearExpired(t *testing.T, s IndexStore) {
	u := indexUser(t)
	live := liveSession(t, s, u)
	expired := entry(stores.NewKey())
	mustCreate(t, s, expired.Key, []byte("x"), time.Now().Add(-time.Minute))
	mustAdd(t, s, u, expired)
	if err := s.ClearExpired(ctx(t)); err != nil {
		t.Fatalf("ClearExpired: %v", err)
	}
	wantKeys(t, s, u, live.Key)
}

func testIndexUserIDs(t *testing.T, s IndexStore) {
	ids := []string{"42", "0", "a:b", "../etc/passwd", "user@example.com", "\u00e9l\u00e8ve \u2603", "*", "%",
		"550e8400-e29b-41d4-a716-446655440000", strings.Repeat("x", stores.MaxIndexUserID)}
	suffix := stores.NewKey()[:6]
	keys := make(map[string]string)
	for _, id := range ids {
		id = id + suffix
		if len(id) > stores.MaxIndexUserID {
			id = id[len(id)-stores.MaxIndexUserID:]
		}
		keys[id] = liveSession(t, s, id).Key
	}
	for id, k := range keys {
		wantKeys(t, s, id, k)
	}
}

// testIndexUserIDsExact: an id that a collation would fold into another
// (trailing space, case, Unicode normalisation) neither lists nor ends
// that other user's sessions.
func testIndexUserIDsExact(t *testing.T, s IndexStore) {
	suffix := stores.NewKey()[:6]
	bob := "bob\u00e9" + suffix
	e := liveSession(t, s, bob)
	for _, other := range []string{bob + " ", bob + "  ", bob + "\t", " " + bob, strings.ToUpper(bob), "Bob\u00e9" + suffix, "bobe\u0301" + suffix} {
		if l := list(t, s, other); len(l) != 0 {
			t.Errorf("IndexList(%q) lists %v, the sessions of %q", other, redactAll(keysOf(l)), bob)
		}
		if err := s.IndexTouch(ctx(t), other, e.Key, time.Now(), later()); !errors.Is(err, stores.ErrNotFound) {
			t.Errorf("IndexTouch(%q) of %q's key = %v, want ErrNotFound", other, bob, err)
		}
		if err := s.IndexRemove(ctx(t), other, e.Key); err != nil {
			t.Fatal(err)
		}
		wantKeys(t, s, bob, e.Key)
	}
}

func testIndexInvalid(t *testing.T, s IndexStore) {
	u := indexUser(t)
	bad := entry("NOT-a-key")
	if err := s.IndexAdd(ctx(t), u, bad); !errors.Is(err, stores.ErrInvalidKey) {
		t.Errorf("IndexAdd of an invalid key = %v, want ErrInvalidKey", err)
	}
	if err := s.IndexTouch(ctx(t), u, "../x", time.Now(), later()); !errors.Is(err, stores.ErrInvalidKey) {
		t.Errorf("IndexTouch of an invalid key = %v, want ErrInvalidKey", err)
	}
	if err := s.IndexMove(ctx(t), u, stores.NewKey(), "short", time.Now(), later()); !errors.Is(err, stores.ErrInvalidKey) {
		t.Errorf("IndexMove to an invalid key = %v, want ErrInvalidKey", err)
	}
	if err := s.IndexRemove(ctx(t), u, "x y"); !errors.Is(err, stores.ErrInvalidKey) {
		t.Errorf("IndexRemove of an invalid key = %v, want ErrInvalidKey", err)
	}
	for _, id := range []string{"", strings.Repeat("x", stores.MaxIndexUserID+1)} {
		if err := s.IndexAdd(ctx(t), id, entry(stores.NewKey())); err == nil {
			t.Errorf("IndexAdd for a user id of %d bytes succeeded", len(id))
		}
		if _, err := s.IndexList(ctx(t), id); err == nil {
			t.Errorf("IndexList for a user id of %d bytes succeeded", len(id))
		}
	}
	if l := list(t, s, u); len(l) != 0 {
		t.Errorf("refused writes left %d entries", len(l))
	}
}

func testIndexConcurrent(t *testing.T, s IndexStore) {
	u := indexUser(t)
	const n = 20
	kept := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keep, drop := entry(stores.NewKey()), entry(stores.NewKey())
			kept[i] = keep.Key
			for _, e := range []stores.IndexEntry{keep, drop} {
				if err := s.Create(ctx(t), e.Key, []byte("x"), later()); err != nil {
					errs <- err
				}
				if err := s.IndexAdd(ctx(t), u, e); err != nil {
					errs <- fmt.Errorf("IndexAdd: %w", err)
				}
			}
			if err := s.IndexRemove(ctx(t), u, drop.Key); err != nil {
				errs <- fmt.Errorf("IndexRemove: %w", err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantKeys(t, s, u, kept...)
}

func testIndexKeepsNothingAlive(t *testing.T, s IndexStore) {
	u := indexUser(t)
	k := shortLived(t, s, []byte("brief"), 1500*time.Millisecond, func(k string) error {
		e := entry(k)
		e.Expiry = time.Now().Add(time.Hour)
		if err := s.IndexAdd(ctx(t), u, e); err != nil {
			return err
		}
		return s.IndexTouch(ctx(t), u, k, time.Now(), time.Now().Add(2*time.Hour))
	})
	time.Sleep(2600 * time.Millisecond)
	wantNotFound(t, s, k)
	wantKeys(t, s, u)
}

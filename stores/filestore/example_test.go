package filestore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/filestore"
)

func Example() {
	dir, _ := os.MkdirTemp("", "sessions") // in production: a directory only the app can write
	defer os.RemoveAll(dir)

	store, err := filestore.New(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	key := "k3jx0a7qmhl2h3x5tlsyvbd0c1ipn9q2"
	_ = store.Create(ctx, key, []byte(`{"cart":3}`), time.Now().Add(time.Hour))

	// One file per session, named as Django names it, holding the data only.
	content, _ := os.ReadFile(filepath.Join(dir, "sessionid"+key))
	fmt.Printf("%s\n", content)

	data, err := store.Load(ctx, key)
	fmt.Printf("%s %v\n", data, err)

	// A key is checked before any path is built.
	_, err = store.Load(ctx, "../../etc/passwd")
	fmt.Println(errors.Is(err, stores.ErrNotFound))
	err = store.Delete(ctx, "../../etc/passwd")
	fmt.Println(errors.Is(err, stores.ErrInvalidKey))
	// Output:
	// {"cart":3}
	// {"cart":3} <nil>
	// true
	// true
}

func ExampleWithDjangoMtime() {
	dir, _ := os.MkdirTemp("", "sessions")
	defer os.RemoveAll(dir)

	// Sharing the directory with Django: pass its SESSION_FILE_PATH, its
	// SESSION_COOKIE_NAME as the prefix and its SESSION_COOKIE_AGE.
	store, err := filestore.New(dir,
		filestore.WithPrefix("sessionid"),
		filestore.WithDjangoMtime(1209600*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	// A file Django wrote a day ago has a day-old mtime; it expires after
	// the cookie age, for Django and for ginsession alike.
	key := "0123456789abcdefghijklmnopqrstuv"
	path := filepath.Join(dir, "sessionid"+key)
	_ = os.WriteFile(path, []byte("written by Django"), 0o600)
	day := time.Now().Add(-24 * time.Hour)
	_ = os.Chtimes(path, day, day)

	data, err := store.Load(context.Background(), key)
	fmt.Printf("%s %v\n", data, err)
	// Output:
	// written by Django <nil>
}

func ExampleStore_ClearExpired() {
	dir, _ := os.MkdirTemp("", "sessions")
	defer os.RemoveAll(dir)
	store, _ := filestore.New(dir)
	ctx := context.Background()

	_ = store.Create(ctx, stores.NewKey(), []byte("live"), time.Now().Add(time.Hour))
	_ = store.Create(ctx, stores.NewKey(), []byte("dead"), time.Now().Add(-time.Hour))
	_ = os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600) // not a session: left alone

	// Django's clearsessions; run it from a cron job or stores.StartJanitor.
	_ = store.ClearExpired(ctx)
	entries, _ := os.ReadDir(dir)
	fmt.Println(len(entries))
	// Output:
	// 2
}

package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/ginsession/ginsession/auth"
)

// demoAccounts are the users the login page lists, with their passwords.
var demoAccounts = []struct{ Name, Password string }{
	{"alice", "wonderland"},
	{"bob", "builder"},
}

// minPasswordLength is the shortest new password the change form accepts.
const minPasswordLength = 8

// user is a snapshot of one user row; it implements auth.User.
type user struct {
	ID   int
	Name string
	Hash string // bcrypt hash of the password
}

// SessionAuthID returns the user's id as Django stores it.
func (u user) SessionAuthID() string { return strconv.Itoa(u.ID) }

// PasswordHash returns the stored bcrypt hash.
func (u user) PasswordHash() string { return u.Hash }

// userDB keeps the users and their current password hashes in memory.
type userDB struct {
	cost  int
	dummy []byte // a hash to compare against for unknown names, so timing does not tell
	mu    sync.RWMutex
	byID  map[int]*user
	names map[string]int
}

// errBadCredentials is the one answer for an unknown name or a wrong
// password, so the form does not reveal which names exist.
var errBadCredentials = errors.New("wrong username or password")

func newUserDB(cost int) (*userDB, error) {
	if cost == 0 {
		cost = bcrypt.DefaultCost
	}
	db := &userDB{cost: cost, byID: map[int]*user{}, names: map[string]int{}}
	dummy, err := bcrypt.GenerateFromPassword([]byte("no such user"), cost)
	if err != nil {
		return nil, fmt.Errorf("hash the dummy password: %w", err)
	}
	db.dummy = dummy
	for i, a := range demoAccounts {
		h, err := bcrypt.GenerateFromPassword([]byte(a.Password), cost)
		if err != nil {
			return nil, fmt.Errorf("hash %s's password: %w", a.Name, err)
		}
		id := i + 1
		db.byID[id] = &user{ID: id, Name: a.Name, Hash: string(h)}
		db.names[a.Name] = id
	}
	return db, nil
}

// authenticate returns the user whose name and password match.
func (db *userDB) authenticate(name, password string) (user, error) {
	db.mu.RLock()
	var u user
	id, ok := db.names[name]
	if ok {
		u = *db.byID[id]
	}
	db.mu.RUnlock()
	hash := db.dummy
	if ok {
		hash = []byte(u.Hash)
	}
	if err := bcrypt.CompareHashAndPassword(hash, []byte(password)); err != nil || !ok {
		return user{}, errBadCredentials
	}
	return u, nil
}

// load is the auth.LoadFunc of the app: the user with id, or ErrUserNotFound.
func (db *userDB) load(_ context.Context, id string) (auth.User, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil, fmt.Errorf("user id %q: %w", id, auth.ErrUserNotFound)
	}
	db.mu.RLock()
	defer db.mu.RUnlock()
	u, ok := db.byID[n]
	if !ok {
		return nil, fmt.Errorf("user id %d: %w", n, auth.ErrUserNotFound)
	}
	return *u, nil
}

// changePassword checks u's current password and stores a hash of the new
// one, returning the updated user.
func (db *userDB) changePassword(id int, current, next string) (user, error) {
	db.mu.RLock()
	u, ok := db.byID[id]
	var hash string
	if ok {
		hash = u.Hash
	}
	db.mu.RUnlock()
	if !ok {
		return user{}, auth.ErrUserNotFound
	}
	if bcrypt.CompareHashAndPassword([]byte(hash), []byte(current)) != nil {
		return user{}, errors.New("the current password is wrong")
	}
	if len(next) < minPasswordLength {
		return user{}, fmt.Errorf("the new password must have at least %d characters", minPasswordLength)
	}
	if len(next) > 72 {
		return user{}, errors.New("the new password must have at most 72 bytes (bcrypt's limit)")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(next), db.cost)
	if err != nil {
		return user{}, fmt.Errorf("hash the new password: %w", err)
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	u = db.byID[id]
	if u.Hash != hash {
		return user{}, errors.New("the password was changed meanwhile; try again")
	}
	u.Hash = string(h)
	return *u, nil
}

package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/auth/djangohash"
	"github.com/ginsession/ginsession/stores/sqlstore"
)

// demoAccounts are the users the login page lists, with their passwords.
// They are written to auth_user only when the app creates the table, never
// into a table that already exists (a Django site's, say).
var demoAccounts = []struct{ Name, Password string }{
	{"alice", "wonderland"},
	{"bob", "builder"},
}

// minPasswordLength is the shortest new password the change form accepts.
const minPasswordLength = 8

// maxPasswordLength bounds a new password, as Django once did with
// MAXIMUM_PASSWORD_LENGTH; PBKDF2's cost does not grow with it, but a
// megabyte form field has no business being a password.
const maxPasswordLength = 4096

// user is a snapshot of one auth_user row; it implements auth.User.
type user struct {
	ID   int
	Name string
	Hash string // auth_user.password, a Django hash (djangohash)
}

// SessionAuthID returns the user's id as Django stores it.
func (u user) SessionAuthID() string { return strconv.Itoa(u.ID) }

// PasswordHash returns auth_user.password, what Django's session auth hash
// is made from.
func (u user) PasswordHash() string { return u.Hash }

// userDB reads and writes Django's auth_user table: in the app's SQLite
// file by default, in MySQL or PostgreSQL with -users mysql or postgres.
// Every instance of the app
// on the same database sees the same users and password changes.
type userDB struct {
	db      *sqlx.DB
	dialect sqlstore.Dialect
	hasher  djangohash.Hasher
	dummy   string // a hash to check unknown names against, so timing does not tell
}

// errBadCredentials is the one answer for an unknown name or a wrong
// password, so the form does not reveal which names exist.
var errBadCredentials = errors.New("wrong username or password")

// newUserDB uses auth_user in db, creating it with the demo users when it
// does not exist. iterations is the PBKDF2 count of new hashes (zero:
// Django's, djangohash.DefaultIterations); hashes of every Django hasher
// djangohash knows log in.
func newUserDB(ctx context.Context, db *sqlx.DB, dialect sqlstore.Dialect, iterations int) (*userDB, error) {
	hasher := djangohash.Hasher{Iterations: iterations}
	dummy, err := hasher.Make("no such user")
	if err != nil {
		return nil, err
	}
	u := &userDB{db: db, dialect: dialect, hasher: hasher, dummy: dummy}
	if err := u.ensureTable(ctx); err != nil {
		return nil, err
	}
	return u, nil
}

// authUserDDL is Django 3.2's auth_user as its migrations leave it (read
// back from sqlite_master and SHOW CREATE TABLE after `manage.py migrate`;
// on PostgreSQL, `sqlmigrate auth 0001`..`0012` folded into one CREATE, which
// pg_dump shows equal to the migrated table, with the varchar_pattern_ops
// index Django adds to every unique varchar so LIKE 'x%' uses an index).
var authUserDDL = map[sqlstore.Dialect]string{
	sqlstore.SQLite: `CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, ` +
		`"password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL, ` +
		`"username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL, ` +
		`"email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL, ` +
		`"date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL)`,
	sqlstore.MySQL: "CREATE TABLE `auth_user` (`id` int(11) NOT NULL AUTO_INCREMENT, " +
		"`password` varchar(128) NOT NULL, `last_login` datetime(6) DEFAULT NULL, " +
		"`is_superuser` tinyint(1) NOT NULL, `username` varchar(150) NOT NULL, " +
		"`first_name` varchar(150) NOT NULL, `last_name` varchar(150) NOT NULL, " +
		"`email` varchar(254) NOT NULL, `is_staff` tinyint(1) NOT NULL, `is_active` tinyint(1) NOT NULL, " +
		"`date_joined` datetime(6) NOT NULL, PRIMARY KEY (`id`), UNIQUE KEY `username` (`username`)" +
		") DEFAULT CHARSET=utf8mb4",
	sqlstore.Postgres: `CREATE TABLE "auth_user" ("id" serial NOT NULL PRIMARY KEY, ` +
		`"password" varchar(128) NOT NULL, "last_login" timestamp with time zone NULL, ` +
		`"is_superuser" boolean NOT NULL, "username" varchar(150) NOT NULL UNIQUE, ` +
		`"first_name" varchar(150) NOT NULL, "last_name" varchar(150) NOT NULL, ` +
		`"email" varchar(254) NOT NULL, "is_staff" boolean NOT NULL, "is_active" boolean NOT NULL, ` +
		`"date_joined" timestamp with time zone NOT NULL); ` +
		`CREATE INDEX "auth_user_username_6821ab7c_like" ON "auth_user" ("username" varchar_pattern_ops)`,
}

// ensureTable creates auth_user with the demo users in one transaction
// unless the table exists. Of two instances starting at once, one creates
// it; the other's CREATE fails, and it finds the table made.
func (u *userDB) ensureTable(ctx context.Context) error {
	if u.tableExists(ctx) {
		return nil
	}
	ddl, ok := authUserDDL[u.dialect]
	if !ok {
		return fmt.Errorf("users: no auth_user schema for %v", u.dialect)
	}
	// The demo passwords are hashed before the database work starts: at
	// Django's iteration count, hashing on a loaded machine can take
	// longer than the start-up timeout that bounds the database calls.
	hashes := make([]string, len(demoAccounts))
	for i, a := range demoAccounts {
		hash, err := u.hasher.Make(a.Password)
		if err != nil {
			return err
		}
		hashes[i] = hash
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), connectTimeout)
	defer cancel()
	tx, err := u.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	defer tx.Rollback()
	// Without arguments lib/pq sends the DDL as one simple query, so
	// PostgreSQL's two statements run together, inside tx.
	if _, err := tx.ExecContext(ctx, ddl); err != nil {
		tx.Rollback()
		if u.tableExists(ctx) {
			return nil
		}
		return fmt.Errorf("users: create auth_user: %w", err)
	}
	now := u.timeArg(time.Now())
	for i, a := range demoAccounts {
		hash := hashes[i]
		// FALSE and TRUE, not 0 and 1: PostgreSQL's boolean takes no integers.
		if _, err := tx.ExecContext(ctx, u.db.Rebind("INSERT INTO auth_user (password, last_login, is_superuser, username, first_name, last_name, email, is_staff, is_active, date_joined) "+
			"VALUES (?, NULL, FALSE, ?, '', '', '', FALSE, TRUE, ?)"), hash, a.Name, now); err != nil {
			return fmt.Errorf("users: add demo user %s: %w", a.Name, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("users: create auth_user: %w", err)
	}
	return nil
}

func (u *userDB) tableExists(ctx context.Context) bool {
	var n int
	return u.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM auth_user WHERE 1 = 0").Scan(&n) == nil
}

// timeArg is an instant as Django stores it in a datetime column with
// USE_TZ=True: naive UTC, and on SQLite Python's str(), which leaves out a
// zero fraction. PostgreSQL's column is timestamp with time zone, so it
// gets the time.Time itself, offset included: a naive string would be read
// in the session's TimeZone, which need not be UTC.
func (u *userDB) timeArg(t time.Time) any {
	t = t.UTC()
	if u.dialect == sqlstore.Postgres {
		return t
	}
	if u.dialect == sqlstore.SQLite && t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}

// authenticate returns the active user whose name and password match, as
// Django's ModelBackend does, and records the login in last_login as
// Django's user_logged_in handler does.
func (u *userDB) authenticate(ctx context.Context, name, password string) (user, error) {
	var found user
	var active bool
	err := u.db.QueryRowContext(ctx, u.db.Rebind("SELECT id, username, password, is_active FROM auth_user WHERE username = ?"), name).
		Scan(&found.ID, &found.Name, &found.Hash, &active)
	if errors.Is(err, sql.ErrNoRows) {
		_, _ = u.hasher.Check(password, u.dummy) // the same work as for a real user
		return user{}, errBadCredentials
	}
	if err != nil {
		return user{}, fmt.Errorf("users: %w", err)
	}
	ok, err := u.hasher.Check(password, found.Hash)
	if err != nil || !ok || !active {
		return user{}, errBadCredentials
	}
	if _, err := u.db.ExecContext(ctx, u.db.Rebind("UPDATE auth_user SET last_login = ? WHERE id = ?"), u.timeArg(time.Now()), found.ID); err != nil {
		return user{}, fmt.Errorf("users: record the login: %w", err)
	}
	return found, nil
}

// load is the auth.LoadFunc of the app: the active user with id, or
// ErrUserNotFound. It reads the row at every request, so a password changed
// by another instance, or by Django, ends old sessions here at once.
func (u *userDB) load(ctx context.Context, id string) (auth.User, error) {
	n, err := strconv.Atoi(id)
	if err != nil {
		return nil, fmt.Errorf("user id %q: %w", id, auth.ErrUserNotFound)
	}
	var found user
	err = u.db.QueryRowContext(ctx, u.db.Rebind("SELECT id, username, password FROM auth_user WHERE id = ? AND is_active"), n).
		Scan(&found.ID, &found.Name, &found.Hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("user id %d: %w", n, auth.ErrUserNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return found, nil
}

// changePassword checks the user's current password and stores a Django
// hash of the new one, returning the updated user. The UPDATE only applies
// if the hash is still the one checked, so of two changes at once the
// second fails instead of silently undoing the first.
func (u *userDB) changePassword(ctx context.Context, id int, current, next string) (user, error) {
	got, err := u.load(ctx, strconv.Itoa(id))
	if err != nil {
		return user{}, err
	}
	old := got.(user)
	if ok, err := u.hasher.Check(current, old.Hash); err != nil || !ok {
		return user{}, errors.New("the current password is wrong")
	}
	if len(next) < minPasswordLength {
		return user{}, fmt.Errorf("the new password must have at least %d characters", minPasswordLength)
	}
	if len(next) > maxPasswordLength {
		return user{}, fmt.Errorf("the new password must have at most %d bytes", maxPasswordLength)
	}
	hash, err := u.hasher.Make(next)
	if err != nil {
		return user{}, err
	}
	res, err := u.db.ExecContext(ctx, u.db.Rebind("UPDATE auth_user SET password = ? WHERE id = ? AND password = ?"), hash, id, old.Hash)
	if err != nil {
		return user{}, fmt.Errorf("users: change password: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return user{}, errors.New("the password was changed meanwhile; try again")
	}
	old.Hash = hash
	return old, nil
}

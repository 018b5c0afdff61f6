package main

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/auth"
	"github.com/ginsession/ginsession/csrf"
	"github.com/ginsession/ginsession/messages"
	"github.com/ginsession/ginsession/stores"
)

//go:embed templates/*.html static/*
var assets embed.FS

// server is the example site: an http.Handler with the stores it opened.
type server struct {
	http.Handler
	log     *slog.Logger
	store   stores.Store
	closers closers
	users   *userDB
	pages   map[string]*template.Template
	// sessions is the session middleware, for tests that look at a
	// session from outside a request (sessiontest.WithMiddleware).
	sessions gin.HandlerFunc
}

// newServer builds the site for cfg. Close releases what it opened.
func newServer(cfg config) (*server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if len(cfg.Secret) < ginsession.MinSecretKeyLength {
		return nil, fmt.Errorf("the secret is %d bytes long: use at least %d random bytes (for example `openssl rand -base64 48`), or leave it unset for a random one", len(cfg.Secret), ginsession.MinSecretKeyLength)
	}
	for i, f := range cfg.SecretFallbacks {
		if len(f) < ginsession.MinSecretKeyLength {
			return nil, fmt.Errorf("fallback secret #%d is %d bytes long: use at least %d bytes", i+1, len(f), ginsession.MinSecretKeyLength)
		}
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	static, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	users, userClosers, err := openUsers(cfg)
	if err != nil {
		return nil, err
	}
	s := &server{log: cfg.Log, users: users, pages: pages}
	store, closers, err := openStore(cfg)
	if err != nil {
		userClosers.close()
		return nil, err
	}
	s.store, s.closers = store, append(closers, userClosers...)

	r := gin.New()
	r.HandleMethodNotAllowed = true
	r.Use(gin.Recovery(), securityHeaders)
	r.StaticFileFS("/static/style.css", "style.css", http.FS(static))

	opts := []ginsession.Option{
		ginsession.WithSecretKey(cfg.Secret, cfg.SecretFallbacks...),
		ginsession.WithCookieSecure(cfg.SecureCookie),
		ginsession.WithLogger(cfg.Log),
		ginsession.WithIdleTimeout(idleTimeout),
	}
	if _, cookie := store.(stores.ClientSide); !cookie {
		// Every server store keeps a per-user index: the Devices page.
		opts = append(opts, ginsession.WithUserIndex(ginsession.UserIndex{}))
	}
	// Every form carries a CSRF token (Django's CsrfViewMiddleware, the
	// secret in the session); a post from another site is refused before
	// its token is looked at (Sec-Fetch-Site, Origin).
	s.sessions = ginsession.New(store, opts...)
	site := r.Group("/", s.sessions, csrf.New(csrf.WithLogger(cfg.Log)))
	requireUser := auth.RequireUser("/login", users.load)
	// A password change and signing out the other devices ask for the
	// password again when the last proof is older than ReauthAge.
	recent := auth.RequireRecentLogin(cmp.Or(cfg.ReauthAge, defaultReauthAge), "/reauth")
	site.GET("/", s.home)
	site.GET("/login", s.loginForm)
	site.POST("/login", s.login)
	site.GET("/profile", requireUser, s.profile)
	site.GET("/password", requireUser, recent, s.passwordForm)
	site.POST("/password", requireUser, recent, s.changePassword)
	site.GET("/reauth", requireUser, s.reauthForm)
	site.POST("/reauth", requireUser, s.reauth)
	site.POST("/logout", s.logout)
	site.GET("/devices", requireUser, s.devices)
	site.POST("/devices/end", requireUser, s.endDevice)
	site.POST("/devices/end-others", requireUser, recent, s.endOtherDevices)
	// After the password is confirmed, a sign-out that asked for it comes
	// back here: to the page of its button, to be clicked again.
	site.GET("/devices/end-others", func(c *gin.Context) { c.Redirect(http.StatusSeeOther, "/devices") })

	s.Handler = r
	return s, nil
}

// Close closes the store's connections.
func (s *server) Close() error {
	return s.closers.close()
}

// startJanitor removes expired sessions every interval until ctx ends
// (Django's clearsessions, without a cron job).
func (s *server) startJanitor(ctx context.Context, interval time.Duration) error {
	_, err := stores.StartJanitor(ctx, s.store, interval, s.log)
	return err
}

// securityHeaders keeps the pages out of frames and caches and limits what
// they may load.
func securityHeaders(c *gin.Context) {
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.Next()
}

// page is what every template gets.
type page struct {
	Title    string
	User     *user              // nil when nobody is logged in
	Messages []messages.Message // the pending notices, consumed by this page
	Error    string
	Next     string
	Visits   int
	Demo     []struct{ Name, Password string }
	Session  sessionInfo
	Username string
	MinLen   int
	Devices  []auth.Device
	Others   int           // how many of Devices are not this browser
	NoIndex  bool          // the store cannot list sessions (the cookie store)
	CSRF     template.HTML // the hidden input every form that posts carries
}

// idleTimeout ends a session 30 minutes after its last request, unless
// "remember me" gave it the two weeks of rememberedIdle.
const (
	idleTimeout    = 30 * time.Minute
	rememberedIdle = ginsession.DefaultCookieAge
)

// sessionInfo is what the profile shows of the session: never the full key.
type sessionInfo struct {
	KeyPrefix   string
	Expires     time.Time     // when the session ends unless another request comes first
	Idle        time.Duration // how long it lasts after each request
	Remembered  bool
	BrowserOnly bool
}

// userPage is newPage for a route behind auth.RequireUser; false when it
// has answered instead (an error, or no user after all).
func (s *server) userPage(c *gin.Context, title string) (page, bool) {
	p, err := s.newPage(c, title)
	if err != nil {
		s.fail(c, err)
		return p, false
	}
	if p.User == nil { // RequireUser let it through, so this does not happen
		c.Redirect(http.StatusSeeOther, "/login")
		return p, false
	}
	return p, true
}

// newPage fills what the layout needs: the verified user and the pending
// notices (Django's messages framework: shown once, then gone).
func (s *server) newPage(c *gin.Context, title string) (page, error) {
	p := page{Title: title, MinLen: minPasswordLength}
	u, err := auth.CurrentUser(c, s.users.load)
	switch {
	case err == nil:
		if uu, ok := u.(user); ok {
			p.User = &uu
		}
	case !errors.Is(err, auth.ErrNotLoggedIn):
		return p, err
	}
	if p.Messages, err = messages.Consume(c); err != nil {
		return p, err
	}
	if p.CSRF, err = csrf.Field(c); err != nil {
		return p, err
	}
	return p, nil
}

// render writes page name with p and status code, or a 500 if that fails.
func (s *server) render(c *gin.Context, code int, name string, p page) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.fail(c, fmt.Errorf("render %s: %w", name, err))
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(code, "text/html; charset=utf-8", buf.Bytes())
}

// fail logs err and answers 500 without details.
func (s *server) fail(c *gin.Context, err error) {
	s.log.Error("request failed", slog.String("path", c.Request.URL.Path), slog.String("error", err.Error()))
	c.Header("Cache-Control", "no-store")
	c.String(http.StatusInternalServerError, "Something went wrong; please try again.")
}

func (s *server) home(c *gin.Context) {
	p, err := s.newPage(c, "Home")
	if err != nil {
		s.fail(c, err)
		return
	}
	sess := ginsession.From(c)
	n, _ := ginsession.Get[int](sess, "visits")
	p.Visits = n + 1
	sess.Set("visits", p.Visits)
	s.render(c, http.StatusOK, "home", p)
}

func (s *server) loginForm(c *gin.Context) {
	p, err := s.newPage(c, "Log in")
	if err != nil {
		s.fail(c, err)
		return
	}
	p.Next = auth.SafeNext(c.Query("next"), "/profile")
	p.Demo = demoAccounts
	s.render(c, http.StatusOK, "login", p)
}

func (s *server) login(c *gin.Context) {
	next := auth.SafeNext(c.PostForm("next"), "/profile")
	u, err := s.users.authenticate(c.Request.Context(), c.PostForm("username"), c.PostForm("password"))
	if err != nil {
		p, perr := s.newPage(c, "Log in")
		if perr != nil {
			s.fail(c, perr)
			return
		}
		p.Error, p.Next, p.Demo, p.Username = err.Error(), next, demoAccounts, c.PostForm("username")
		s.render(c, http.StatusOK, "login", p)
		return
	}
	if err := auth.Login(c, u, ""); err != nil {
		s.fail(c, err)
		return
	}
	sess := ginsession.From(c)
	if c.PostForm("remember") == "" {
		sess.SetExpiry(0) // a browser session: ends when the browser closes, or 30 minutes idle
		sess.ResetIdleTimeout()
	} else {
		sess.ResetExpiry() // the default age, two weeks
		if err := sess.SetIdleTimeout(rememberedIdle); err != nil {
			s.fail(c, err)
			return
		}
	}
	if err := messages.Success(c, "Welcome, "+u.Name+"!"); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, next)
}

func (s *server) profile(c *gin.Context) {
	p, err := s.newPage(c, "Profile")
	if err != nil {
		s.fail(c, err)
		return
	}
	sess := ginsession.From(c)
	p.Visits, _ = ginsession.Get[int](sess, "visits")
	p.Session = sessionInfo{
		KeyPrefix:   keyPrefix(sess.Key()),
		Expires:     sess.ExpiryDate().UTC(),
		Idle:        sess.IdleTimeout(),
		BrowserOnly: sess.ExpireAtBrowserClose(),
	}
	p.Session.Remembered = !p.Session.BrowserOnly
	s.render(c, http.StatusOK, "profile", p)
}

// keyPrefix shows enough of a session key to tell sessions apart, too
// little to use it.
func keyPrefix(k string) string {
	if len(k) < 6 {
		return "(none yet)"
	}
	return stores.Redact(k)
}

func (s *server) passwordForm(c *gin.Context) {
	p, err := s.newPage(c, "Change password")
	if err != nil {
		s.fail(c, err)
		return
	}
	s.render(c, http.StatusOK, "password", p)
}

func (s *server) changePassword(c *gin.Context) {
	p, ok := s.userPage(c, "Change password")
	if !ok {
		return
	}
	newPw := c.PostForm("new_password")
	if newPw != c.PostForm("confirm_password") {
		p.Error = "the two new passwords differ"
		s.render(c, http.StatusOK, "password", p)
		return
	}
	u, err := s.users.changePassword(c.Request.Context(), p.User.ID, c.PostForm("current_password"), newPw)
	if err != nil {
		p.Error = err.Error()
		s.render(c, http.StatusOK, "password", p)
		return
	}
	// This session stays logged in on a new key; the user's other
	// sessions hold the old hash and end at their next request.
	if err := auth.UpdateSessionAuthHash(c, u); err != nil {
		s.fail(c, err)
		return
	}
	if err := messages.Success(c, "Password changed. Your other browsers are logged out."); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/profile")
}

func (s *server) logout(c *gin.Context) {
	if err := auth.Logout(c); err != nil {
		s.fail(c, err)
		return
	}
	c.Redirect(http.StatusSeeOther, "/")
}

// humanDuration says d in the largest whole unit: "30 minutes", "14 days".
func humanDuration(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "day"}, {time.Hour, "hour"}, {time.Minute, "minute"}, {time.Second, "second"}} {
		if d >= u.d && d%u.d == 0 {
			if n := int(d / u.d); n != 1 {
				return strconv.Itoa(n) + " " + u.name + "s"
			}
			return "1 " + u.name
		}
	}
	return d.String()
}

// parsePages parses each page with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"date":       func(t time.Time) string { return t.Format("Mon 2 Jan 2006 15:04 MST") },
		"deviceName": deviceName,
		"duration":   humanDuration,
		"itoa":       strconv.Itoa,
	}
	pages := map[string]*template.Template{}
	for _, name := range []string{"home", "login", "profile", "password", "devices", "reauth"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession/internal/testenv"
	"github.com/ginsession/ginsession/sessiontest"
)

func init() { gin.SetMode(gin.TestMode) }

const testSecret = "example-app-test-secret-0123456789abcdef"

// testConfig is a config for an in-process app with fast password hashes.
func testConfig(t *testing.T, store string) config {
	return config{
		Store:          store,
		DataDir:        filepath.Join(t.TempDir(), "data"),
		Secret:         testSecret,
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		hashIterations: 1000, // Django's 1,500,000 would make every test login slow
	}
}

// startApp builds the app for cfg, closed at the end of the test. Tests
// send it requests in process, through sessiontest clients (newBrowser).
func startApp(t *testing.T, cfg config) *server {
	t.Helper()
	s, err := newServer(cfg)
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// userAgent is what the test browsers say they are (the devices page shows
// it).
const userAgent = "example-app-test-browser"

// browser is one user agent with its own cookies (a sessiontest client);
// it does not follow redirects, so tests see each answer.
type browser struct {
	t   *testing.T
	srv *server
	c   *sessiontest.Client
	ua  string // the User-Agent header, if not userAgent
}

func newBrowser(t *testing.T, srv *server) *browser {
	// The app registers its session middleware on a group, and wraps the
	// engine in its cross-origin protection: the client is given it.
	return &browser{t: t, srv: srv, c: sessiontest.NewClient(t, srv, sessiontest.WithMiddleware(srv.sessions))}
}

// answer is one response: its status, headers and body.
type answer struct {
	StatusCode int
	Header     http.Header
	body       string
}

func (b *browser) do(method, path string, form url.Values, header ...string) answer {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", userAgent)
	if b.ua != "" {
		req.Header.Set("User-Agent", b.ua)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	r := b.c.Do(req)
	return answer{r.Code, r.Header, r.Body}
}

func (b *browser) get(path string) answer {
	b.t.Helper()
	return b.do("GET", path, nil)
}

// post submits a form as a browser does: it opens the page that holds the
// form and sends the form with that page's CSRF token.
func (b *browser) post(path string, form url.Values, header ...string) answer {
	b.t.Helper()
	form.Set("csrfmiddlewaretoken", b.pageToken(formPage(path)))
	return b.do("POST", path, form, header...)
}

// formPage is the page whose form posts to path: the logout button is on
// every page of a logged-in user.
func formPage(path string) string {
	switch {
	case strings.HasPrefix(path, "/devices/"):
		return "/devices"
	case path == "/logout":
		return "/password"
	}
	return path
}

var tokenRe = regexp.MustCompile(`<input type="hidden" name="csrfmiddlewaretoken" value="([a-zA-Z0-9]{64})">`)

// pageToken returns the CSRF token of the page at path, or of the login
// page when that page redirects (a logged-out browser's logout button).
func (b *browser) pageToken(path string) string {
	b.t.Helper()
	for _, p := range []string{path, "/login"} {
		if tok := find(tokenRe, b.get(p).body); tok != "" {
			return tok
		}
	}
	b.t.Fatalf("neither %s nor /login has a CSRF token", path)
	return ""
}

// key returns the session cookie's value, "" when there is none.
func (b *browser) key() string {
	if c := b.c.Cookie("sessionid"); c != nil {
		return c.Value
	}
	return ""
}

// login posts the login form and expects the redirect of a success.
func (b *browser) login(name, password string, remember bool) answer {
	b.t.Helper()
	form := url.Values{"username": {name}, "password": {password}}
	if remember {
		form.Set("remember", "1")
	}
	p := b.post("/login", form)
	if p.StatusCode != http.StatusSeeOther {
		b.t.Fatalf("login %s: %d, want 303 (%s)", name, p.StatusCode, errorText(p.body))
	}
	return p
}

var (
	visitsRe = regexp.MustCompile(`id="visits">(\d+)<`)
	errorRe  = regexp.MustCompile(`class="error" role="alert">([^<]*)<`)
	flashRe  = regexp.MustCompile(`class="flash" role="status">([^<]*)<`)
	userIDRe = regexp.MustCompile(`id="user-id">([^<]*)<`)
	keyRe    = regexp.MustCompile(`id="session-key">([^<]*)<`)
)

func find(re *regexp.Regexp, body string) string {
	if m := re.FindStringSubmatch(body); m != nil {
		return m[1]
	}
	return ""
}

func errorText(body string) string { return find(errorRe, body) }

// loggedInAs returns the user the profile page shows, or "" when the
// profile redirects to the login page.
func (b *browser) loggedInAs() string {
	b.t.Helper()
	p := b.get("/profile")
	switch p.StatusCode {
	case http.StatusOK:
		return find(userIDRe, p.body)
	case http.StatusFound:
		if !strings.HasPrefix(p.Header.Get("Location"), "/login?next=") {
			b.t.Fatalf("profile redirected to %q", p.Header.Get("Location"))
		}
		return ""
	}
	b.t.Fatalf("profile: %d", p.StatusCode)
	return ""
}

func TestHomeCountsVisitsInTheSession(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	for want := 1; want <= 3; want++ {
		if got := find(visitsRe, b.get("/").body); got != string(rune('0'+want)) {
			t.Fatalf("visit %d shows %q", want, got)
		}
	}
	if got := find(visitsRe, newBrowser(t, srv).get("/").body); got != "1" {
		t.Fatalf("another browser starts at %q, want 1", got)
	}
}

func TestLoginMovesTheSessionToANewKeyAndKeepsTheCounter(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	b.get("/")
	b.get("/")
	before := b.key()
	p := b.login("alice", "wonderland", true)
	if loc := p.Header.Get("Location"); loc != "/profile" {
		t.Errorf("login redirected to %q, want /profile", loc)
	}
	if !strings.Contains(p.Header.Get("Set-Cookie"), "Max-Age=1209600") {
		t.Errorf("remember me: cookie %q, want two weeks", p.Header.Get("Set-Cookie"))
	}
	after := b.key()
	if after == before || after == "" {
		t.Fatal("the session key did not change at login")
	}
	prof := b.get("/profile")
	if prof.StatusCode != http.StatusOK {
		t.Fatalf("profile: %d", prof.StatusCode)
	}
	if got := find(userIDRe, prof.body); got != "1" {
		t.Errorf("profile shows user id %q, want 1", got)
	}
	if got := find(visitsRe, prof.body); got != "2" {
		t.Errorf("profile shows %q visits, want the 2 from before login", got)
	}
	if got := find(keyRe, prof.body); got != after[:6]+"…" {
		t.Errorf("profile shows key %q, want the first 6 characters of %s…", got, after[:6])
	}
	if strings.Contains(prof.body, after) || strings.Contains(prof.body, after[:7]) {
		t.Error("the profile shows more than 6 characters of the session key")
	}
	if !strings.Contains(prof.body, "yes: the cookie lasts two weeks") {
		t.Error("profile does not say the session is remembered")
	}
	if got := find(flashRe, prof.body); got != "Welcome, alice!" {
		t.Errorf("flash %q", got)
	}
	if got := find(flashRe, b.get("/profile").body); got != "" {
		t.Errorf("the flash showed twice: %q", got)
	}
}

// TestTheWelcomeNoticeWaitsForAPageThatShowsIt: a request that shows no page
// (a stylesheet) leaves the notice for the next page, which shows it once,
// tagged with its level.
func TestTheWelcomeNoticeWaitsForAPageThatShowsIt(t *testing.T) {
	b := newBrowser(t, startApp(t, testConfig(t, "memory")))
	b.login("alice", "wonderland", true)
	if css := b.get("/static/style.css"); css.StatusCode != http.StatusOK {
		t.Fatalf("stylesheet: %d", css.StatusCode)
	}
	if ms := b.c.Messages(); len(ms) != 1 || ms[0].Text != "Welcome, alice!" || ms[0].LevelTag != "success" {
		t.Fatalf("pending after the stylesheet: %+v, want alice's welcome, tagged success", ms)
	}
	body := b.get("/").body
	if got := find(flashRe, body); got != "Welcome, alice!" {
		t.Fatalf("the first page after the stylesheet shows %q", got)
	}
	if !strings.Contains(body, `data-level="success" class="flash"`) {
		t.Error("the notice is not tagged success")
	}
	if got := find(flashRe, b.get("/").body); got != "" {
		t.Errorf("the notice showed twice: %q", got)
	}
}

// TestPagesBehindTheLoginWithAForcedLogin: a test of a page behind the
// login logs its user in without the password form (sessiontest's
// ForceLogin, auth.Login itself), and sees what the page stored.
func TestPagesBehindTheLoginWithAForcedLogin(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	bob, err := srv.users.load(context.Background(), "2")
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, srv)
	b.c.SetSession("visits", 41)
	b.c.ForceLogin(bob, "")
	if got := b.loggedInAs(); got != "2" {
		t.Fatalf("after ForceLogin the profile shows user %q, want bob (2)", got)
	}
	b.get("/")
	if n, _ := sessiontest.Get[int](b.c.Session(), "visits"); n != 42 {
		t.Errorf("the counter is %d, want the 41 from before the login, plus one", n)
	}
	b.c.Logout()
	if got := b.loggedInAs(); got != "" {
		t.Errorf("after Logout the profile shows user %q", got)
	}
}

func TestLoginWithoutRememberMeEndsWithTheBrowser(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	p := b.login("bob", "builder", false)
	ck := p.Header.Get("Set-Cookie")
	if !strings.HasPrefix(ck, "sessionid=") || strings.Contains(ck, "Max-Age") || strings.Contains(ck, "Expires") {
		t.Fatalf("cookie %q, want a browser-session cookie", ck)
	}
	if !strings.Contains(b.get("/profile").body, "no: the cookie ends when the browser closes") {
		t.Error("profile does not say the session ends with the browser")
	}
}

func TestWrongCredentialsAreRefusedAlike(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	var msgs []string
	for _, form := range []url.Values{
		{"username": {"alice"}, "password": {"builder"}},
		{"username": {"mallory"}, "password": {"wonderland"}},
		{"username": {"alice"}, "password": {""}},
	} {
		p := b.post("/login", form)
		if p.StatusCode != http.StatusOK {
			t.Fatalf("%v: %d, want the form again", form, p.StatusCode)
		}
		msgs = append(msgs, errorText(p.body))
	}
	for _, m := range msgs {
		if m != "wrong username or password" {
			t.Errorf("message %q; every failure should read the same", m)
		}
	}
	if got := b.loggedInAs(); got != "" {
		t.Fatalf("logged in as %q after failed logins", got)
	}
}

func TestProfileRedirectsToLoginAndBackSafely(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	p := b.get("/profile")
	if p.StatusCode != http.StatusFound || p.Header.Get("Location") != "/login?next=%2Fprofile" {
		t.Fatalf("anonymous profile: %d to %q", p.StatusCode, p.Header.Get("Location"))
	}
	form := b.get("/login?next=%2Fpassword")
	if !strings.Contains(form.body, `name="next" value="/password"`) {
		t.Error("the login form does not carry next")
	}
	evil := b.get("/login?next=%2F%2Fevil.example%2F")
	if !strings.Contains(evil.body, `name="next" value="/profile"`) {
		t.Error("the login form carries an off-site next")
	}
	for next, want := range map[string]string{"/password": "/password", "//evil.example/": "/profile", "https://evil.example/": "/profile", "/\\evil.example": "/profile"} {
		p := b.post("/login", url.Values{"username": {"alice"}, "password": {"wonderland"}, "next": {next}})
		if got := p.Header.Get("Location"); got != want {
			t.Errorf("next=%q redirected to %q, want %q", next, got, want)
		}
	}
}

func TestChangingThePasswordLogsTheOtherBrowsersOut(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	here, there := newBrowser(t, srv), newBrowser(t, srv)
	here.login("alice", "wonderland", true)
	there.login("alice", "wonderland", true)
	bob := newBrowser(t, srv)
	bob.login("bob", "builder", true)
	keyBefore := here.key()

	p := here.post("/password", url.Values{"current_password": {"wonderland"}, "new_password": {"looking-glass"}, "confirm_password": {"looking-glass"}})
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/profile" {
		t.Fatalf("password change: %d %q (%s)", p.StatusCode, p.Header.Get("Location"), errorText(p.body))
	}
	if here.key() == keyBefore {
		t.Error("the session key did not change with the password")
	}
	if got := here.loggedInAs(); got != "1" {
		t.Errorf("the browser that changed the password is logged in as %q, want 1", got)
	}
	if got := there.loggedInAs(); got != "" {
		t.Errorf("the other browser is still logged in as %q", got)
	}
	if got := bob.loggedInAs(); got != "2" {
		t.Errorf("bob was logged out too (%q)", got)
	}
	if p := newBrowser(t, srv).post("/login", url.Values{"username": {"alice"}, "password": {"wonderland"}}); p.StatusCode != http.StatusOK {
		t.Error("the old password still logs in")
	}
	newBrowser(t, srv).login("alice", "looking-glass", false)
}

func TestThePasswordFormChecksItsInput(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	b.login("bob", "builder", true)
	tests := []struct {
		name          string
		current, a, b string
		want          string
	}{
		{"a wrong current password", "wrong", "new-password", "new-password", "the current password is wrong"},
		{"two different new passwords", "builder", "new-password", "new-passw0rd", "the two new passwords differ"},
		{"a short new password", "builder", "short", "short", "the new password must have at least 8 characters"},
	}
	for _, tc := range tests {
		p := b.post("/password", url.Values{"current_password": {tc.current}, "new_password": {tc.a}, "confirm_password": {tc.b}})
		if p.StatusCode != http.StatusOK || errorText(p.body) != tc.want {
			t.Errorf("%s: %d %q, want the form with %q", tc.name, p.StatusCode, errorText(p.body), tc.want)
		}
	}
	newBrowser(t, srv).login("bob", "builder", false) // unchanged
}

func TestLogoutIsAPostThatEndsTheSession(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	b.login("alice", "wonderland", true)
	if p := b.get("/logout"); p.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /logout: %d, want 405", p.StatusCode)
	}
	if got := b.loggedInAs(); got != "1" {
		t.Fatal("GET /logout logged out")
	}
	p := b.post("/logout", url.Values{})
	if p.StatusCode != http.StatusSeeOther || p.Header.Get("Location") != "/" {
		t.Fatalf("POST /logout: %d %q", p.StatusCode, p.Header.Get("Location"))
	}
	if !strings.Contains(p.Header.Get("Set-Cookie"), "Max-Age=0") {
		t.Errorf("logout did not delete the cookie: %q", p.Header.Get("Set-Cookie"))
	}
	if b.key() != "" {
		t.Error("the browser kept its session cookie")
	}
	if got := b.loggedInAs(); got != "" {
		t.Fatalf("still logged in as %q", got)
	}
}

func TestCrossSiteFormPostsAreRefused(t *testing.T) {
	logs := new(testenv.LogBuffer)
	cfg := testConfig(t, "memory")
	cfg.Log = logs.Logger()
	srv := startApp(t, cfg)
	b := newBrowser(t, srv)
	b.login("alice", "wonderland", true)
	// A token the attacker somehow holds (alice's own): a post from
	// another site is refused all the same, before the token counts.
	stolen := b.pageToken("/password")
	tests := []struct {
		name   string
		path   string
		form   url.Values
		header []string
		reason string
	}{
		{"a logout from another site (Sec-Fetch-Site)", "/logout", url.Values{}, []string{"Sec-Fetch-Site", "cross-site"}, "Sec-Fetch-Site is cross-site"},
		{"a logout from another site (Origin only)", "/logout", url.Values{}, []string{"Origin", "http://evil.example"}, "Origin checking failed - http://evil.example does not match"},
		{"a password change from another site", "/password", url.Values{"current_password": {"wonderland"}, "new_password": {"hijacked!"}, "confirm_password": {"hijacked!"}}, []string{"Sec-Fetch-Site", "cross-site", "Origin", "http://evil.example"}, "Sec-Fetch-Site is cross-site"},
		{"a login from a sibling site (login CSRF)", "/login", url.Values{"username": {"bob"}, "password": {"builder"}}, []string{"Sec-Fetch-Site", "same-site", "Origin", "http://sub.example"}, "Origin checking failed - http://sub.example does not match"},
		{"a logout from this site without a token", "/logout", url.Values{}, []string{"Sec-Fetch-Site", "same-origin", "Origin", b.c.BaseURL()}, "CSRF token missing."},
	}
	for _, tc := range tests {
		form := url.Values{}
		for k, v := range tc.form {
			form[k] = v
		}
		if tc.reason != "CSRF token missing." {
			form.Set("csrfmiddlewaretoken", stolen)
		}
		p := b.do("POST", tc.path, form, tc.header...)
		if p.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", tc.name, p.StatusCode)
		}
		if !strings.Contains(logs.String(), tc.reason) {
			t.Errorf("%s: the log does not give %q", tc.name, tc.reason)
		}
	}
	if got := b.loggedInAs(); got != "1" {
		t.Fatalf("after refused cross-site posts the browser is logged in as %q, want alice (1)", got)
	}
	// The same form from the site itself, with its page's token, goes through.
	p := b.post("/logout", url.Values{}, "Sec-Fetch-Site", "same-origin", "Origin", b.c.BaseURL())
	if p.StatusCode != http.StatusSeeOther {
		t.Fatalf("same-origin logout: %d", p.StatusCode)
	}
	if strings.Contains(logs.String(), stolen) || strings.Contains(logs.String(), stolen[32:]) {
		t.Errorf("a token reached the log:\n%s", logs.String())
	}
}

// Every page's token is new; the one a page gave before login is refused
// after it.
func TestEveryFormCarriesAFreshTokenAndLoginRotatesIt(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	b := newBrowser(t, srv)
	before := b.pageToken("/login")
	if again := b.pageToken("/login"); again == before {
		t.Error("two pages carry the same token")
	}
	b.login("alice", "wonderland", true)
	p := b.do("POST", "/logout", url.Values{"csrfmiddlewaretoken": {before}})
	if p.StatusCode != http.StatusForbidden {
		t.Errorf("a token from before login: %d, want 403", p.StatusCode)
	}
	for _, page := range []string{"/", "/profile", "/password", "/devices"} {
		if !tokenRe.MatchString(b.get(page).body) {
			t.Errorf("%s has no form token", page)
		}
	}
}

func TestPagesSendSecurityHeaders(t *testing.T) {
	srv := startApp(t, testConfig(t, "memory"))
	p := newBrowser(t, srv).get("/login")
	for h, want := range map[string]string{
		"X-Content-Type-Options": "nosniff",
		"Cache-Control":          "no-store",
		"Referrer-Policy":        "same-origin",
	} {
		if got := p.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if csp := p.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("CSP %q does not forbid framing", csp)
	}
	css := newBrowser(t, srv).get("/static/style.css")
	if css.StatusCode != http.StatusOK || !strings.HasPrefix(css.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: %d %s", css.StatusCode, css.Header.Get("Content-Type"))
	}
}

func TestTheLoginFlowWorksOnEveryLocalStore(t *testing.T) {
	for _, store := range []string{"memory", "file", "cookie"} {
		t.Run(store, func(t *testing.T) {
			cfg := testConfig(t, store)
			loginFlow(t, cfg)
			if store == "file" {
				fi, err := os.Stat(cfg.DataDir)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != 0o700 {
					t.Errorf("data directory mode %v, want 0700", fi.Mode().Perm())
				}
			}
		})
	}
}

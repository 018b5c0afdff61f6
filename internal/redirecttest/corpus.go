package redirecttest

import "strings"

// Hostile returns "next" values an attacker would try, so that a login that
// redirects to them would land on another site or run script: backslashes,
// control characters, encoded slashes, dot segments, schemes in any case,
// userinfo, Unicode look-alikes of "/", IDN hosts and oversized values.
// Some are harmless paths in the end; the tests only require that none
// leaves the site.
func Hostile() []string {
	return []string{
		// The reported bug: path.Clean in http.Redirect turns these into "/\evil".
		"/./\\evil.example",
		"/../\\evil.example",
		"/a/../\\evil.example",
		"/a/b/../../\\evil.example",
		"/.\\evil.example",
		"/%2e/\\evil.example",
		// Network-path references, with slashes and backslashes mixed.
		"//evil.example",
		"///evil.example",
		"////evil.example/",
		"/\\evil.example",
		"\\/evil.example",
		"\\\\evil.example",
		"/\\/evil.example",
		"\\/\\/evil.example",
		"/\\\\evil.example",
		// Controls a browser strips or a header would split on.
		"/\t/evil.example",
		"/\n/evil.example",
		"/\r/evil.example",
		"\t//evil.example",
		" //evil.example",
		"\x01//evil.example",
		"/\x00/evil.example",
		"/\x0b/evil.example",
		"/\x7f/evil.example",
		"/\r\nSet-Cookie: sessionid=attacker",
		"/\t\\evil.example",
		// Percent-encoded slashes, backslashes and controls.
		"/%2F%2Fevil.example",
		"/%2f/evil.example",
		"%2F%2Fevil.example",
		"/%5Cevil.example",
		"/%5c%5cevil.example",
		"%5C%5Cevil.example",
		"/%09/evil.example",
		"/%0a/evil.example",
		"/%0d%0aSet-Cookie:%20x=y",
		"/a/../%2F%2Fevil.example",
		"/%2e%2e/%2e%2e//evil.example",
		"/.%2e/%5Cevil.example",
		// Dot segments that collapse onto a second slash.
		"/./..//evil.example",
		"/..//evil.example",
		"/a/..//evil.example",
		strings.Repeat("/..", 600) + "//evil.example",
		// Absolute URLs and schemes, in odd case and with odd slashes.
		"https://evil.example/",
		"HTTPS://evil.example/",
		"hTtP://evil.example/",
		"http:evil.example",
		"https:/evil.example",
		"https:\\\\evil.example",
		"http:/\\evil.example",
		"ftp://evil.example/",
		"wss://evil.example/",
		"//evil.example:443/",
		"javascript:alert(1)",
		"JavaScript:alert(document.cookie)",
		" javascript:alert(1)",
		"java\tscript:alert(1)",
		"\njavascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"DATA:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
		"vbscript:msgbox(1)",
		"evil.example",
		"./\\evil.example",
		// Userinfo: the host is after the last "@".
		"//user:pass@evil.example",
		"//site.example@evil.example",
		"https://site.example@evil.example/",
		"http://site.example\\@evil.example/",
		"//evil.example\\@site.example/",
		"/\\site.example@evil.example",
		// Unicode look-alikes of "/" and "\", and look-alike hosts.
		"/\uff0fevil.example",
		"\uff0f\uff0fevil.example",
		"/\uff3cevil.example",
		"/\u2215evil.example",
		"\u2215\u2215evil.example",
		"/\u29f8evil.example",
		"\u29f8\u29f8evil.example",
		"/\u2044\u2044evil.example",
		"//\uff45\uff56\uff49\uff4c.example",
		"//evil\u3002example",
		"//xn--80ak6aa92e.com",
		"//\u0430pple.com",
		"/\u202e//evil.example",
		"\ufeff//evil.example",
		"/\u00a0/evil.example",
		"/\u0085/evil.example",
		"//%65vil.example",
		"//evil%2Eexample",
		// Too long, in bytes and once encoded.
		"/" + strings.Repeat("a", 5000),
		"/" + strings.Repeat("\u00e9", 1500),
		"",
	}
}

// Legit is a "next" value that must be kept, and the Location it must
// produce (its canonical form: dot segments removed as http.Redirect
// removes them, non-ASCII bytes percent-encoded).
type Legit struct {
	Next, Location string
}

// Legitimate returns paths on the site that SafeNext must keep.
func Legitimate() []Legit {
	return []Legit{
		{"/profile", "/profile"},
		{"/", "/"},
		{"/password", "/password"},
		{"/a/b?x=1#frag", "/a/b?x=1#frag"},
		{"/search?q=a%2Fb", "/search?q=a%2Fb"},
		{"/search?q=a%20b&page=2#results", "/search?q=a%20b&page=2#results"},
		{"/profile?tab=2", "/profile?tab=2"},
		{"/dir/", "/dir/"},
		{"/a/b/../c", "/a/c"},
		{"/a/./b", "/a/b"},
		{"/p;v=1", "/p;v=1"},
		{"/users/@alice", "/users/@alice"},
		{"/a:b", "/a:b"},
		{"/caf\u00e9", "/caf%C3%A9"},
		{"/%E2%82%AC", "/%E2%82%AC"},
		{"/back?next=//evil.example", "/back?next=//evil.example"},
		{"/?", "/?"},
	}
}

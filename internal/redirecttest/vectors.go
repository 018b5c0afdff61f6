package redirecttest

// Base is the page the [Vectors] are resolved against.
const Base = "https://site.example/login"

// A Vector is a reference and where a browser at [Base] goes for it, as the
// URL Standard reads it; Want is "" where the browser refuses the URL.
type Vector struct{ Ref, Want string }

// Vectors returns the resolver's own test cases. They are shared so the
// e2e module can check them against a real Chromium too (TestResolveAgreesWithChromium).
func Vectors() []Vector {
	return []Vector{
		{"/profile", "https://site.example/profile"},
		{"", "https://site.example/login"},
		{"x", "https://site.example/x"},
		{"?a=1", "https://site.example/login?a=1"},
		{"#f", "https://site.example/login#f"},
		{"/a/./b/../c", "https://site.example/a/c"},
		{"/a/%2e%2E/b", "https://site.example/b"},
		{"/a/..", "https://site.example/"},
		{"/caf\u00e9", "https://site.example/caf%C3%A9"},
		{"/a b?c d#e f", "https://site.example/a%20b?c%20d#e%20f"},
		{"/%2F%2Fevil.example", "https://site.example/%2F%2Fevil.example"},
		{"/.\\evil.example", "https://site.example/evil.example"},
		{"/\uff0fevil.example", "https://site.example/%EF%BC%8Fevil.example"},
		{"https:evil.example", "https://site.example/evil.example"},
		{"https:/evil.example", "https://site.example/evil.example"},
		{"//evil.example", "https://evil.example/"},
		{"///evil.example", "https://evil.example/"},
		{"/\\evil.example", "https://evil.example/"},
		{"\\\\evil.example/x", "https://evil.example/x"},
		{"/\t/evil.example", "https://evil.example/"},
		{" \n//evil.example", "https://evil.example/"},
		{"https:\\\\evil.example", "https://evil.example/"},
		{"http:/\\evil.example", "http://evil.example/"},
		{"http:evil.example", "http://evil.example/"},
		{"HTTPS://EVIL.example:443/a", "https://evil.example/a"},
		{"//evil.example:8080", "https://evil.example:8080/"},
		{"//user:pw@evil.example", "https://user:pw@evil.example/"},
		{"//site.example@evil.example", "https://site.example@evil.example/"},
		{"//evil.example\\@site.example/", "https://evil.example/@site.example/"},
		{"//\uff45\uff56\uff49\uff4c.example", "https://evil.example/"},
		{"//evil\u3002example", "https://evil.example/"},
		{"//%65vil.example", "https://evil.example/"},
		{"//\u0430pple.com", "https://xn--pple-43d.com/"},
		{"//evil.example?q", "https://evil.example/?q"},
		{"javascript:alert(1)", "javascript:alert(1)"},
		{"JavaScript:x", "javascript:x"},
		{"//", ""},
		{"https://", ""},
		{"//evil.example:x", ""},
	}
}

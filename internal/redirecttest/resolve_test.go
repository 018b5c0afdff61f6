package redirecttest

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ginsession/ginsession/internal/testenv"
)

const base = "https://site.example/login"

// vectors are references and where a browser at base goes for them, as
// the URL Standard reads them ("" = the browser refuses the URL).
var vectors = []struct{ ref, want string }{
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

func TestResolveFollowsTheURLStandard(t *testing.T) {
	for _, v := range vectors {
		got, err := Resolve(base, v.ref)
		if v.want == "" {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Resolve(%q) = %s, %v; want ErrInvalid", v.ref, got, err)
			}
			continue
		}
		if err != nil || got.String() != v.want {
			t.Errorf("Resolve(%q) = %s, %v; want %s", v.ref, got, err, v.want)
		}
	}
}

// TestResolveAgreesWithChromium checks the resolver against a real
// browser's URL parser for every vector and every corpus value, so the
// redirect tests that rely on it judge as a browser would.
func TestResolveAgreesWithChromium(t *testing.T) {
	const chromium = "/usr/bin/chromium"
	if _, err := os.Stat(chromium); err != nil {
		if testenv.InCI() {
			t.Fatalf("chromium is missing at %s; .ci/setup.d/30-chromium.sh should have installed it", chromium)
		}
		t.Skipf("chromium is not installed at %s", chromium)
	}
	refs := []string{}
	for _, v := range vectors {
		refs = append(refs, v.ref)
	}
	refs = append(refs, Hostile()...)
	for _, l := range Legitimate() {
		refs = append(refs, l.Next, l.Location)
	}

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(chromium), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	tctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	arg, err := json.Marshal(refs)
	if err != nil {
		t.Fatal(err)
	}
	// "" where the browser refuses the URL.
	script := `(function(refs, base) { return refs.map(r => { try { return new URL(r, base).href } catch (e) { return "" } }) })(` +
		string(arg) + `, "` + base + `")`
	hrefs, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](script))
	if err != nil {
		t.Fatalf("evaluate in chromium: %v", err)
	}
	if len(hrefs) != len(refs) {
		t.Fatalf("chromium answered %d URLs for %d references", len(hrefs), len(refs))
	}
	for i, ref := range refs {
		got, err := Resolve(base, ref)
		mine := got.String()
		if err != nil {
			mine = ""
		}
		if mine != hrefs[i] {
			t.Errorf("%q: Resolve gives %q, chromium %q", ref, mine, hrefs[i])
		}
	}
}

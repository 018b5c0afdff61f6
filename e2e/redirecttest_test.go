package e2e_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/ginsession/ginsession/internal/redirecttest"
)

// TestResolveAgreesWithChromium checks the resolver against a real
// browser's URL parser for every vector and every corpus value, so the
// redirect tests that rely on it judge as a browser would.
func TestResolveAgreesWithChromium(t *testing.T) {
	needChromium(t)
	refs := []string{}
	for _, v := range redirecttest.Vectors() {
		refs = append(refs, v.Ref)
	}
	refs = append(refs, redirecttest.Hostile()...)
	for _, l := range redirecttest.Legitimate() {
		refs = append(refs, l.Next, l.Location)
	}

	ctx := newChromium(t)
	tctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()
	arg, err := json.Marshal(refs)
	if err != nil {
		t.Fatal(err)
	}
	// "" where the browser refuses the URL.
	script := `(function(refs, base) { return refs.map(r => { try { return new URL(r, base).href } catch (e) { return "" } }) })(` +
		string(arg) + `, "` + redirecttest.Base + `")`
	hrefs, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](script))
	if err != nil {
		t.Fatalf("evaluate in chromium: %v", err)
	}
	if len(hrefs) != len(refs) {
		t.Fatalf("chromium answered %d URLs for %d references", len(hrefs), len(refs))
	}
	for i, ref := range refs {
		got, err := redirecttest.Resolve(redirecttest.Base, ref)
		mine := got.String()
		if err != nil {
			mine = ""
		}
		if mine != hrefs[i] {
			t.Errorf("%q: Resolve gives %q, chromium %q", ref, mine, hrefs[i])
		}
	}
}

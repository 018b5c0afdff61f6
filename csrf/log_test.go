package csrf_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/ginsession/ginsession/csrf"
)

// Every token, secret and stored value the requests carried or received
// must be absent from every log line: csrf's refusals, ginsession's log and
// Gin's access log (which prints the URL).
func TestNoTokenOrSecretReachesALogLine(t *testing.T) {
	for _, st := range storages {
		t.Run(st.name, func(t *testing.T) {
			s := newSite(t, st.opts...)
			b := s.browser(t)
			var seen []string
			tok := b.token()
			seen = append(seen, tok)
			evil := s.browser(t)
			evilTok := evil.token()
			seen = append(seen, evilTok)
			// Accepted and refused requests, tokens in every place a
			// token can be, and in a Referer's query.
			for _, r := range []req{
				{},
				{header: map[string]string{"X-CSRFToken": tok}},
				{header: map[string]string{"Origin": "https://evil.example.org"}},
				{https: true},
				{https: true, header: map[string]string{"Referer": "https://evil.example.org/page?csrfmiddlewaretoken=" + tok + "#" + tok}},
				{https: true, header: map[string]string{"Referer": "http://www.example.com/?t=" + tok}},
				{header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
			} {
				b.post("/form", tok, r)
				b.post("/form", evilTok, r)
				b.post("/form", tok[:40], r)
				b.do(http.MethodPost, "/api/thing", req{form: url.Values{"csrfmiddlewaretoken": {tok}}, header: r.header, https: r.https})
			}
			b.post("/login?id=42", tok, req{})
			seen = append(seen, b.token())
			for _, v := range b.cookies {
				seen = append(seen, v)
			}
			logs := s.log()
			if !strings.Contains(logs, "csrf: Forbidden (") {
				t.Fatalf("nothing was refused, so nothing was checked:\n%s", logs)
			}
			for _, v := range seen {
				forms := []string{v}
				if len(v) == csrf.TokenLength {
					forms = append(forms, csrf.Unmask(v), v[:csrf.SecretLength], v[csrf.SecretLength:])
				}
				for _, f := range forms {
					if strings.Contains(logs, f) {
						t.Errorf("the log holds %q:\n%s", f, logs)
					}
				}
			}
		})
	}
}

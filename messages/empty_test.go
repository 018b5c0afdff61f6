package messages_test

import (
	"fmt"
	"testing"

	"github.com/ginsession/ginsession/messages"
)

// TestFalseStoredMessagesAreNoMessages stores under "_messages" each value
// Django's SessionStorage reads as no messages (a false value, or a string
// whose JSON is false), saved and loaded through a store as a Django view
// could leave it: every page answers as with no messages, Consume removes
// the value, and a new message is added after it.
func TestFalseStoredMessagesAreNoMessages(t *testing.T) {
	for _, v := range []any{
		nil, false, 0, 0.0, []any{}, map[string]any{}, "",
		"null", "false", "0", "0.0", "[]", "{}", `""`,
	} {
		t.Run(fmt.Sprintf("%T(%#v)", v, v), func(t *testing.T) {
			b := newBrowser(t, newApp(t, newCounting()))
			b.c.SetSession(messages.SessionKey, v)
			if ms := b.get("/peek"); len(ms) != 0 {
				t.Fatalf("Peek: %+v", ms)
			}
			if ms := b.get("/show"); len(ms) != 0 {
				t.Fatalf("Consume: %+v", ms)
			}
			if b.c.Session().Has(messages.SessionKey) {
				t.Fatal("Consume left the value in the session")
			}
			b.c.SetSession(messages.SessionKey, v)
			if got := texts(b.add(form("text", "after"))); len(got) != 1 || got[0] != "after" {
				t.Fatalf("after adding to it: %q", got)
			}
		})
	}
}

// TestAddAfterAFalseValueIsDjangosString: a message added over a false
// value is stored as Django's MessageEncoder writes it, alone.
func TestAddAfterAFalseValueIsDjangosString(t *testing.T) {
	b := newBrowser(t, newApp(t, newCounting()))
	b.c.SetSession(messages.SessionKey, "{}")
	b.post(form("text", "hi"))
	if got, _ := b.c.Session().Get(messages.SessionKey); got != `[["__json_message", 0, 20, "hi", ""]]` {
		t.Fatalf("stored %#v", got)
	}
}

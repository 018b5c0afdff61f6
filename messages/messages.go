// Package messages keeps one-time notices ("Saved.", "Wrong password") in
// the session until a later page shows them: Django's messages framework
// with its session storage, in Django's own format, so a message added by a
// Django view sharing the session shows in a Gin handler and the other way
// round.
//
// # Use
//
//	r.Use(ginsession.New(store))
//	r.POST("/profile", func(c *gin.Context) {
//		if err := messages.Success(c, "Profile <saved>.", "toast"); err != nil {
//			c.AbortWithStatus(http.StatusInternalServerError)
//			return
//		}
//		c.Redirect(http.StatusSeeOther, "/profile")
//	})
//	r.GET("/profile", func(c *gin.Context) {
//		pending, err := messages.Consume(c) // shown once, then gone from the session
//		if err != nil {
//			c.AbortWithStatus(http.StatusInternalServerError)
//			return
//		}
//		_ = page.Execute(os.Stdout, pending) // html/template: the text is escaped
//		c.Status(http.StatusOK)
//	})
//
// where page is an html/template that ranges over the messages (see the
// package example). [New] is needed only to change the minimum level or the
// level tags (Django's MESSAGE_LEVEL and MESSAGE_TAGS):
//
//	r.Use(messages.New(
//		messages.WithMinLevel(messages.LevelDebug),
//		messages.WithLevelTags(map[messages.Level]string{messages.LevelError: "danger"}),
//	))
//
// # Semantics (Django's)
//
// A message is written to the session when it is added, and removed from it
// when it is consumed; a page that does not call [Consume] leaves the
// pending messages for the next one. A request that neither adds nor
// consumes does not modify the session, so it is not saved. Messages below
// the minimum level ([LevelInfo] unless [WithMinLevel] or [SetMinLevel] says
// otherwise) and empty texts are dropped, as Django drops them.
//
// Unlike Django, concurrent requests on one session lose no message on a
// server store: a save that finds the pending messages changed meanwhile
// keeps the others' additions and drops what this request consumed. With
// the cookie store the response the browser reads last wins.
//
// # Format
//
// Pending messages live under the session key "_messages" ([SessionKey]) as
// the JSON string Django's MessageEncoder writes, which Django's
// SessionStorage reads: [["__json_message", 0, 25, "Saved.", ""]], the
// second item being 1 for a safe (mark_safe) text. As Django, a value that
// is false in Python's sense (null, false, 0, "", [], {}), or a string whose
// JSON is one, is read as no messages.
//
// # HTML
//
// A message's Text is data: html/template escapes {{.Text}} like any other
// string. Only a message added with [AddSafe] (or by Django with mark_safe)
// renders as HTML, and only through its [Message.HTML] method.
package messages

import (
	"errors"
	"html/template"
)

// SessionKey is the session key of Django's SessionStorage.
const SessionKey = "_messages"

// Level is a message's importance: Django's levels below, or a custom one.
type Level int

// Django's levels (django.contrib.messages.constants).
const (
	LevelDebug   Level = 10
	LevelInfo    Level = 20
	LevelSuccess Level = 25
	LevelWarning Level = 30
	LevelError   Level = 40
)

// DefaultMinLevel is Django's default MESSAGE_LEVEL.
const DefaultMinLevel = LevelInfo

// ErrCorrupt reports pending messages the session holds in a form neither
// Django nor this package writes. They are left where they are; [Clear]
// discards them.
var ErrCorrupt = errors.New("messages: the session's pending messages are unreadable")

// ErrInvalidText reports a message text or extra tag that is not valid
// UTF-8: stored, it would come back changed.
var ErrInvalidText = errors.New("messages: text is not valid UTF-8")

// Message is one pending message.
type Message struct {
	Level Level
	// Text is the message, Django's message.message.
	Text string
	// ExtraTags are the space-separated tags given when it was added.
	ExtraTags string
	// Safe is true for a text marked safe HTML: added with AddSafe, or by
	// Django with mark_safe. Whoever can write the session can set it (this
	// application, a Django site sharing the session), so it is trusted as
	// Django trusts it.
	Safe bool
	// LevelTag is the level's tag ("success"), from Django's defaults and
	// WithLevelTags, filled by Consume and Peek; "" for a level without one.
	LevelTag string
}

// Tags returns the extra tags and the level tag, space-separated (Django's
// message.tags): the classes a template puts on the message.
func (m Message) Tags() string {
	switch {
	case m.ExtraTags == "":
		return m.LevelTag
	case m.LevelTag == "":
		return m.ExtraTags
	}
	return m.ExtraTags + " " + m.LevelTag
}

// String returns the text, as Django's str(message).
func (m Message) String() string { return m.Text }

// HTML returns the text as HTML for a template: as it is for a safe
// message, escaped for any other, as Django's {{ message }} renders them.
func (m Message) HTML() template.HTML {
	if m.Safe {
		return template.HTML(m.Text)
	}
	return template.HTML(template.HTMLEscapeString(m.Text))
}

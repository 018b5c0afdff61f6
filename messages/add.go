package messages

import (
	"html/template"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/errprefix"
)

// Add stores a message for a later page, Django's messages.add_message. The
// extra tags are joined with spaces. A message below the request's minimum
// level, or with an empty text, is dropped without touching the session.
//
// The session must come from ginsession.New (Add panics otherwise, as
// ginsession.From does). An error means nothing was added: the pending
// messages are unreadable (ErrCorrupt), the text is not UTF-8
// (ErrInvalidText), or the session could not be loaded.
func Add(c *gin.Context, level Level, text string, extraTags ...string) error {
	return add(c, Message{Level: level, Text: text, ExtraTags: strings.Join(extraTags, " ")})
}

// AddSafe stores a message whose text is HTML the application vouches for,
// Django's add_message with a mark_safe text: Message.HTML renders it as it
// is. Never pass it text a user wrote.
func AddSafe(c *gin.Context, level Level, html template.HTML, extraTags ...string) error {
	return add(c, Message{Level: level, Text: string(html), ExtraTags: strings.Join(extraTags, " "), Safe: true})
}

// Debug adds a LevelDebug message (dropped at the default minimum level).
func Debug(c *gin.Context, text string, extraTags ...string) error {
	return Add(c, LevelDebug, text, extraTags...)
}

// Info adds a LevelInfo message.
func Info(c *gin.Context, text string, extraTags ...string) error {
	return Add(c, LevelInfo, text, extraTags...)
}

// Success adds a LevelSuccess message.
func Success(c *gin.Context, text string, extraTags ...string) error {
	return Add(c, LevelSuccess, text, extraTags...)
}

// Warning adds a LevelWarning message.
func Warning(c *gin.Context, text string, extraTags ...string) error {
	return Add(c, LevelWarning, text, extraTags...)
}

// Error adds a LevelError message.
func Error(c *gin.Context, text string, extraTags ...string) error {
	return Add(c, LevelError, text, extraTags...)
}

func add(c *gin.Context, m Message) error {
	if m.Text == "" || m.Level < MinLevel(c) {
		return nil
	}
	if !utf8.ValidString(m.Text) || !utf8.ValidString(m.ExtraTags) {
		return ErrInvalidText
	}
	s := ginsession.From(c)
	err := s.Change(SessionKey, func(old any, ok bool) (any, bool, error) {
		var pending []Message
		if ok {
			var err error
			if pending, err = decode(old); err != nil {
				return nil, false, err
			}
		}
		return encode(append(pending, m)), true, nil
	})
	if err == nil {
		err = s.Err()
	}
	if err != nil {
		return errprefix.Wrap("messages: add", err)
	}
	return nil
}

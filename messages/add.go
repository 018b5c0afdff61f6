package messages

import (
	"html/template"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/errprefix"
	"github.com/ginsession/ginsession/internal/keymerge"
)

// Add stores a message for a later page, Django's messages.add_message. The
// extra tags are joined with spaces. A message below the request's minimum
// level, or with an empty text, is dropped without touching the session.
//
// Add panics without ginsession.New, as ginsession.From does. An error
// means nothing was added: the pending messages are unreadable (ErrCorrupt),
// the text is not UTF-8 (ErrInvalidText), or the session failed to load.
//
// After each Add the session holds all pending messages in Django's format.
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
		// Under the session's lock: concurrent Adds take turns here. While
		// the session still holds the very string this request's last Add
		// wrote, append to it instead of decoding every pending message.
		var value string
		last, _ := c.Get(lastWrittenKey{})
		if v, isString := old.(string); ok && isString && v != "" && v == last {
			value = encodeAppend(v, m)
		} else {
			pending, err := decode(old) // absent: nil, no messages
			if err != nil {
				return nil, false, err
			}
			value = encode(append(pending, m))
		}
		c.Set(lastWrittenKey{}, value)
		return keymerge.Change{Value: value, Merge: merge}, true, nil
	})
	if err == nil {
		err = s.Err()
	}
	return errprefix.Wrap("messages: add", err)
}

// lastWrittenKey holds, in the gin.Context, the value Add last stored under
// SessionKey.
type lastWrittenKey struct{}

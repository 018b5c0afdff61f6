package messages

import (
	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/internal/errprefix"
)

// Consume returns the pending messages, oldest first, and removes them from
// the session: Django's iteration over get_messages(request). With none
// pending the session is not modified. Concurrent calls in one request never
// both get the same message.
//
// An error means nothing was removed: the pending messages are unreadable
// (ErrCorrupt) or the session could not be loaded.
func Consume(c *gin.Context) ([]Message, error) {
	var pending []Message
	s := ginsession.From(c)
	err := s.Change(SessionKey, func(old any, ok bool) (any, bool, error) {
		if !ok {
			return nil, false, nil
		}
		var err error
		pending, err = decode(old)
		return dropped, true, err
	})
	return tagged(c, pending, s, err)
}

// Peek returns the pending messages and leaves them in the session, as
// Django's len(storage) or a template that tests them without iterating.
func Peek(c *gin.Context) ([]Message, error) {
	s := ginsession.From(c)
	v, _ := s.Get(SessionKey) // absent: nil, no messages
	pending, err := decode(v)
	return tagged(c, pending, s, err)
}

// Clear discards the pending messages unread, for instance after Consume
// reported ErrCorrupt.
func Clear(c *gin.Context) {
	_ = ginsession.From(c).Change(SessionKey, func(any, bool) (any, bool, error) { return dropped, true, nil })
}

// tagged fills the level tags of what Consume or Peek read, or reports why
// they could not read.
func tagged(c *gin.Context, ms []Message, s *ginsession.Session, err error) ([]Message, error) {
	if err == nil {
		err = s.Err()
	}
	if err != nil {
		return nil, errprefix.Wrap("messages: read", err)
	}
	tags := configOf(c).tags
	for i := range ms {
		ms[i].LevelTag = tags[ms[i].Level]
	}
	return ms, nil
}

package messages

import (
	"maps"

	"github.com/gin-gonic/gin"
)

type config struct {
	minLevel Level
	tags     map[Level]string
}

type (
	configKey   struct{}
	minLevelKey struct{}
)

// Option configures New.
type Option func(*config)

// WithMinLevel sets the level below which messages are dropped, Django's
// MESSAGE_LEVEL. Optional. Default value is LevelInfo.
func WithMinLevel(l Level) Option { return func(cf *config) { cf.minLevel = l } }

// WithLevelTags sets level tags over Django's defaults, Django's
// MESSAGE_TAGS: a tag for a custom level, or another tag ("danger" for
// LevelError) for a default one. Optional. Default value is Django's
// DEFAULT_TAGS (debug, info, success, warning, error).
func WithLevelTags(tags map[Level]string) Option {
	return func(cf *config) { maps.Copy(cf.tags, tags) }
}

// New returns a middleware that applies the options to the requests it
// serves; it touches neither the session nor the response.
func New(opts ...Option) gin.HandlerFunc {
	cf := defaultConfig()
	for _, o := range opts {
		o(cf)
	}
	return func(c *gin.Context) {
		c.Set(configKey{}, cf)
		c.Next()
	}
}

// defaultConfig has Django's MESSAGE_LEVEL and DEFAULT_TAGS.
func defaultConfig() *config {
	return &config{minLevel: DefaultMinLevel, tags: map[Level]string{
		LevelDebug: "debug", LevelInfo: "info", LevelSuccess: "success", LevelWarning: "warning", LevelError: "error",
	}}
}

// defaults serves the requests New did not; it is never changed.
var defaults = defaultConfig()

func configOf(c *gin.Context) *config {
	if v, ok := c.Get(configKey{}); ok {
		if cf, ok := v.(*config); ok {
			return cf
		}
	}
	return defaults
}

// SetMinLevel sets the minimum level for the rest of this request, Django's
// messages.set_level.
func SetMinLevel(c *gin.Context, l Level) { c.Set(minLevelKey{}, l) }

// ResetMinLevel goes back to the configured minimum level for the rest of
// this request, Django's messages.set_level(request, None).
func ResetMinLevel(c *gin.Context) { c.Set(minLevelKey{}, nil) }

// MinLevel returns this request's minimum level, Django's
// messages.get_level.
func MinLevel(c *gin.Context) Level {
	if v, ok := c.Get(minLevelKey{}); ok {
		if l, ok := v.(Level); ok {
			return l
		}
	}
	return configOf(c).minLevel
}

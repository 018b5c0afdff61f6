package messages

import (
	"maps"

	"github.com/gin-gonic/gin"
)

// config is what New sets for the requests it serves.
type config struct {
	minLevel Level
	tags     map[Level]string
}

// Context keys of their own type, so nothing else can collide with them.
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
// serves. It is needed only to change the defaults; it touches neither the
// session nor the response.
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

func defaultConfig() *config {
	return &config{minLevel: DefaultMinLevel, tags: defaultTags()}
}

// defaults is the configuration of requests New did not serve. It is never
// changed.
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

package gincontrib

import (
	"context"
	"log/slog"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
)

// middleware runs one ginsession middleware per named session around the
// rest of the application's handler chain.
//
// ginsession's middleware attaches its session under one context key and
// then calls c.Next(), so two of them cannot share a chain they did not
// build, and nothing of ours could run between attaching and the
// application's handlers. So each request runs a small chain of its own, in
// an engine of its own: ginsession's handler and a capture step per name,
// then a bridge that hands the sessions to the application's context and
// resumes its chain (c.Next()) with the ginsession writers in place. The
// engine has no routes: every request takes its NoRoute chain.
type middleware struct {
	cfg    config
	names  []string
	many   bool // DefaultMany's map under DefaultKey, rather than the session
	engine *gin.Engine
}

func newMiddleware(list []SessionStore, many bool, opts []Option) gin.HandlerFunc {
	m := &middleware{many: many}
	m.cfg.types = builtinTypes()
	for _, o := range opts {
		o(&m.cfg)
	}
	if m.cfg.log == nil {
		m.cfg.log = slog.Default()
	}
	if m.cfg.migration != nil {
		m.cfg.migration.prepare(many)
	}
	if len(list) == 0 {
		panic("gincontrib: no session names: give SessionsMany at least one name")
	}
	chain := []gin.HandlerFunc{primeStatus}
	seen := map[string]bool{}
	for i, ss := range list {
		if ss.Name == "" || seen[ss.Name] {
			panic("gincontrib: session names must be non-empty and distinct; got " + ss.Name)
		}
		seen[ss.Name] = true
		m.names = append(m.names, ss.Name)
		sopts := []ginsession.Option{ginsession.WithCookieName(ss.Name), ginsession.WithLogger(m.cfg.log)}
		sopts = append(sopts, m.cfg.sessionOpts...)
		if many { // one cookie per name, whatever the shared options say
			sopts = append(sopts, ginsession.WithCookieName(ss.Name))
		}
		chain = append(chain, ginsession.New(ss.Store, sopts...), capture(i))
	}
	chain = append(chain, bridge)
	m.engine = gin.New()
	m.engine.NoRoute(chain...)
	return m.handle
}

// request is what one request's chain shares.
type request struct {
	m        *middleware
	outer    *gin.Context // the application's context
	sessions []*session
	legacy   []string // per name, a gin-contrib cookie to adopt ("" for none)
	status   int      // the outer writer's status when the chain started
	writer   *cookieWriter
}

type requestKey struct{}

func (m *middleware) handle(c *gin.Context) {
	rq := &request{m: m, outer: c, sessions: make([]*session, len(m.names)), status: c.Writer.Status()}
	rq.writer = &cookieWriter{ResponseWriter: c.Writer, rq: rq}
	req := c.Request
	if m.cfg.migration != nil {
		req = m.cfg.migration.takeCookies(rq, req)
	}
	req = req.WithContext(context.WithValue(req.Context(), requestKey{}, rq))
	m.engine.ServeHTTP(rq.writer, req)
}

func requestOf(c *gin.Context) *request {
	return c.Request.Context().Value(requestKey{}).(*request)
}

// primeStatus gives the inner writer the status the application's had, which
// NoRoute would otherwise have set to 404.
func primeStatus(c *gin.Context) {
	c.Status(requestOf(c).status)
}

// capture takes the session the ginsession middleware just attached, before
// the next one replaces it, and adopts a gin-contrib session for it.
func capture(i int) gin.HandlerFunc {
	return func(c *gin.Context) {
		rq := requestOf(c)
		s := &session{rq: rq, name: rq.m.names[i], gs: ginsession.From(c)}
		rq.sessions[i] = s
		if rq.legacy != nil && rq.legacy[i] != "" {
			rq.m.cfg.migration.adopt(c, s, rq.legacy[i])
		}
	}
}

// bridge resumes the application's chain with the sessions in its context
// and the ginsession writers, which commit the sessions, under its writer.
func bridge(c *gin.Context) {
	rq := requestOf(c)
	outer := rq.outer
	if rq.m.many {
		all := make(map[string]Session, len(rq.sessions))
		for _, s := range rq.sessions {
			all[s.name] = s
		}
		outer.Set(DefaultKey, all)
	} else {
		outer.Set(DefaultKey, rq.sessions[0])
		// ginsession.From(c), auth and messages find the same session.
		outer.Set(ginsession.ContextKey, rq.sessions[0].gs)
	}
	w := outer.Writer
	outer.Writer = c.Writer
	defer func() { outer.Writer = w }()
	outer.Next()
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

// Package sessionsecret hands the session middleware's secrets to the
// packages of this module that sign with them (auth), and to no one else:
// an internal package cannot be imported from outside the module, so a
// handler holding a *ginsession.Session cannot read SECRET_KEY through it.
package sessionsecret

// Of returns the secrets of the middleware that made session, newest first
// (SecretKey, then its fallbacks), or nil when none was configured. The
// root package sets it once, at init; callers must not change the result.
var Of func(session any) []string

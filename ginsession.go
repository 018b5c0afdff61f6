// Package ginsession is Django's session framework for the Gin web framework.
//
// Register the middleware once and every handler gets a lazily loaded
// session, saved automatically just before the response headers go out:
//
//	r := gin.Default()
//	r.Use(ginsession.New(store))                  // once
//	r.GET("/", func(c *gin.Context) {
//		s := ginsession.From(c)                   // or c.MustGet(ginsession.ContextKey).(*ginsession.Session)
//		n, _ := ginsession.Get[int](s, "visits")  // typed read: 42 comes back as 42, not 42.0
//		s.Set("visits", n+1)                      // no Save(): committed before the first byte of the response
//		c.String(http.StatusOK, "visit %d", n+1)
//	})
//
// where store is any [stores.Store], for example one from filestore.New(dir).
//
// # Django, spelled in Go
//
// Session has every operation of Django's request.session (Get, Set,
// SetDefault, Pop, Delete, Has, Keys, Values, Items, Clear, Flush, CycleKey,
// Exists, DeleteKey, SetExpiry, ExpiryAge, test cookies ...) with the same
// accessed/modified rules, and the middleware follows Django's
// SessionMiddleware: Vary: Cookie when the session was used, a save when it
// was modified, no save for 5xx answers, a deleted cookie for an emptied
// session, and 400 when a concurrent logout deleted the session being saved.
// Options are Django's SESSION_* settings with Django's defaults.
//
// # Stores
//
// Records live in a [stores.Store]: memory, files, an SQL database (MySQL,
// MariaDB, PostgreSQL or SQLite, in Django's django_session table), Redis
// (Cluster and Sentinel too), cache+database, or the cookie itself. With [DjangoCodec] and the same secret, a Django site and a Go
// service read each other's sessions.
//
// # Failures
//
// A store that fails or times out never yields an empty session silently:
// the request is answered by the error handler ([WithErrorHandler];
// [DefaultErrorHandler] answers 500), the error is logged, and nothing is
// saved over the record.
package ginsession

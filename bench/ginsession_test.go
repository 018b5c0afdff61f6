package bench

import (
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/ginsession/ginsession"
	"github.com/ginsession/ginsession/stores"
	"github.com/ginsession/ginsession/stores/cookiestore"
	"github.com/ginsession/ginsession/stores/memstore"
)

// ginsession, used as its package doc shows: the middleware with its
// default options, ginsession.From(c), and the typed Get; it saves by
// itself.
const ginsessionCookie = "sessionid"

func ginsessionAdapter(store stores.Store, opts ...ginsession.Option) adapter {
	return adapter{
		middleware: ginsession.New(store, opts...),
		read: func(c *gin.Context) (string, bool) {
			return ginsession.Get[string](ginsession.From(c), nameKey)
		},
		incr: func(c *gin.Context) (int, error) {
			s := ginsession.From(c)
			n, _ := ginsession.Get[int](s, countKey)
			n++
			s.Set(countKey, n)
			return n, nil
		},
		setName: func(c *gin.Context) error {
			ginsession.From(c).Set(nameKey, nameValue)
			return nil
		},
		get: func(c *gin.Context, key string) (string, bool) {
			return ginsession.Get[string](ginsession.From(c), key)
		},
		edit: func(c *gin.Context, del []string, set []kv) error {
			s := ginsession.From(c)
			for _, k := range del {
				s.Delete(k)
			}
			for _, p := range set {
				s.Set(p.k, p.v)
			}
			return nil
		},
	}
}

func ginsessionInstance(store stores.Store, rt *rtCounter, opts ...ginsession.Option) *instance {
	return &instance{h: ginsessionAdapter(store, opts...).engine(), cookieName: ginsessionCookie, rt: rt}
}

func ginsessionMemory(tb testing.TB) *instance {
	return ginsessionInstance(mustNew(memstore.New()), nil)
}

func ginsessionCookieStore(tb testing.TB) *instance {
	return ginsessionInstance(mustNew(cookiestore.New()), nil, ginsession.WithSecretKey(string(secret)))
}

package bench

import "testing"

// contender is one library on one store.
type contender struct {
	lib   string
	setup func(tb testing.TB) *instance
}

// The contenders of each store, ginsession first (each of ginsession's
// server-side stores adds itself from its own file, ginsession_*_test.go). scs has no cookie store
// (it keeps only a token in the cookie), and gin-contrib/sessions has no
// MySQL store of its own (only GORM and PostgreSQL ones).
var (
	memoryContenders = []contender{
		{"ginsession", ginsessionMemory},
		{"gin-contrib", gincontribMemory},
		{"scs", scsMemory},
	}
	cookieContenders = []contender{
		{"ginsession", ginsessionCookieStore},
		{"gin-contrib", gincontribCookieStore},
	}
	redisContenders = []contender{
		{"gin-contrib", gincontribRedis},
		{"scs", scsRedis},
	}
	mysqlContenders = []contender{
		{"scs", scsMySQL},
	}
	fileContenders   []contender
	cachedContenders []contender
)

// addGinsession puts ginsession's contender first in *cs.
func addGinsession(cs *[]contender, setup func(tb testing.TB) *instance) {
	*cs = append([]contender{{"ginsession", setup}}, *cs...)
}

// benchStore runs, for one store, the bare handler, then each scenario for
// every contender in turn (each on a fresh store), so the figures compared
// in a row of BENCHMARKS.md are measured seconds apart, not minutes: on a
// shared machine a busy spell then hits them alike. floors runs, just
// before the scenario it is keyed by, that scenario's floor (the raw store
// operation before read, the least work that starts a session before new).
func benchStore(b *testing.B, cs []contender, floors map[string]func(b *testing.B)) {
	if len(cs) == 0 {
		b.Skip("no contender for this store yet")
	}
	b.Run("bare", benchBare)
	for _, sc := range scenarios {
		if floor := floors[sc.name]; floor != nil {
			floor(b)
		}
		b.Run(sc.name, func(b *testing.B) {
			for _, c := range cs {
				b.Run(c.lib, func(b *testing.B) { runScenario(b, c.setup(b), sc) })
			}
		})
	}
}

func BenchmarkMemory(b *testing.B) {
	benchStore(b, memoryContenders, map[string]func(*testing.B){"new": func(b *testing.B) {
		b.Run("raw-new", benchMemoryNewFloor)
	}})
}
func BenchmarkCookie(b *testing.B) { benchStore(b, cookieContenders, nil) }
func BenchmarkRedis(b *testing.B) {
	benchStore(b, redisContenders, map[string]func(*testing.B){"read": func(b *testing.B) {
		b.Run("raw-GET", func(b *testing.B) { benchRedisFloor(b, false) })
		b.Run("raw-GET-reqctx", func(b *testing.B) { benchRedisFloor(b, true) })
	}})
}
func BenchmarkMySQL(b *testing.B) {
	benchStore(b, mysqlContenders, map[string]func(*testing.B){"read": func(b *testing.B) {
		b.Run("raw-SELECT", func(b *testing.B) { benchMySQLFloor(b, false) })
		b.Run("raw-SELECT-reqctx", func(b *testing.B) { benchMySQLFloor(b, true) })
	}})
}
func BenchmarkFile(b *testing.B)   { benchStore(b, fileContenders, nil) }
func BenchmarkCached(b *testing.B) { benchStore(b, cachedContenders, nil) }

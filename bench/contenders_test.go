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

func benchContenders(b *testing.B, cs []contender) {
	if len(cs) == 0 {
		b.Skip("no contender for this store yet")
	}
	for _, c := range cs {
		b.Run(c.lib, func(b *testing.B) {
			runScenarios(b, c.setup(b))
		})
	}
}

func BenchmarkMemory(b *testing.B) { benchContenders(b, memoryContenders) }
func BenchmarkCookie(b *testing.B) { benchContenders(b, cookieContenders) }
func BenchmarkRedis(b *testing.B)  { benchContenders(b, redisContenders) }
func BenchmarkMySQL(b *testing.B)  { benchContenders(b, mysqlContenders) }
func BenchmarkFile(b *testing.B)   { benchContenders(b, fileContenders) }
func BenchmarkCached(b *testing.B) { benchContenders(b, cachedContenders) }

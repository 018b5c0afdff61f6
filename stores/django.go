package stores

// DjangoSharer is implemented by stores and codecs that can be set up to
// share records with a Django site, which finds a record by the cookie's
// key. DjangoOption names the option that does it ("sqlstore.WithDjangoCache"),
// "" when it is off; ginsession.WithHashedKeys refuses such a store or
// codec. Wrap and cachedstore ask the stores they wrap.
type DjangoSharer interface{ DjangoOption() string }

// SharedWithDjango returns v's DjangoOption, "" when v is no DjangoSharer.
func SharedWithDjango(v any) string {
	if d, ok := v.(DjangoSharer); ok {
		return d.DjangoOption()
	}
	return ""
}

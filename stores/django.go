package stores

// SharedWithDjango names the option ("sqlstore.WithDjangoCache") that set
// store or codec v up to share records with a Django site, which finds a
// record by the cookie's key; "" when there is none.
// ginsession.WithHashedKeys refuses such a store or codec. A store or codec
// with such an option says so through a method DjangoOption() string;
// Wrap and cachedstore ask the stores they wrap.
func SharedWithDjango(v any) string {
	if d, ok := v.(interface{ DjangoOption() string }); ok {
		return d.DjangoOption()
	}
	return ""
}

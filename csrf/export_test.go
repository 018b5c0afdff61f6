package csrf

// Unmask gives the external tests the secret of a masked token.
var Unmask = unmask

package csrf

import (
	"fmt"
	"html/template"

	"github.com/gin-gonic/gin"
)

// Token returns a token for the request's forms, Django's get_token: the
// secret masked afresh, 64 characters, so no two pages carry the same
// string. The first call in a session (or, with the cookie storage, for a
// browser without the cookie) makes the secret and stores it, which must
// happen before the response is written (ErrTooLate): call it while
// preparing the page's data. The error is ErrNoMiddleware, ErrTooLate or
// the session's load failure.
func Token(c *gin.Context) (string, error) {
	_, token, err := newToken(c)
	return token, err
}

// Field returns the hidden input a form posts its token in, Django's
// {% csrf_token %}: <input type="hidden" name="csrfmiddlewaretoken"
// value="...">, with the field name of WithFieldName. It has Token's
// errors.
func Field(c *gin.Context) (template.HTML, error) {
	st, token, err := newToken(c)
	if err != nil {
		return "", err
	}
	return input(st.cf.fieldName, token), nil
}

// newToken returns the request's state and a fresh token.
func newToken(c *gin.Context) (*state, string, error) {
	st, err := stateOf(c)
	if err != nil {
		return nil, "", err
	}
	secret, err := st.secretForToken()
	if err != nil {
		return nil, "", err
	}
	return st, mask(secret), nil
}

// FuncMap returns template functions for the forms of an html/template
// set: {{csrfField .Token}} writes the hidden input for a token from Token,
// with the field name the options give (pass the options given to New).
// An argument that is not a token fails the template.
func FuncMap(opts ...Option) template.FuncMap {
	cf := defaultConfig()
	for _, o := range opts {
		o(cf)
	}
	name := cf.fieldName
	return template.FuncMap{
		"csrfField": func(token string) (template.HTML, error) {
			if checkFormat(token) != "" {
				return "", fmt.Errorf("csrf: csrfField wants a token from csrf.Token, got %d characters", len(token))
			}
			return input(name, token), nil
		},
	}
}

// input is the hidden input for token, as Django's csrf_token tag writes it.
func input(name, token string) template.HTML {
	return template.HTML(`<input type="hidden" name="` + template.HTMLEscapeString(name) + `" value="` + token + `">`)
}

package feed

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
)

// Access is how a feed is requested, for sites that refuse bots: set per
// feed in a YAML list. Secrets are named, never written in the list: a
// password or a Cookie header comes from an environment variable or a
// file, read on every request so that a rotated secret takes effect
// without a reload.
type Access struct {
	UserAgent string            // instead of newsmon's
	Headers   map[string]string // added to every request; not credentials
	Proxy     string            // http://, https:// or socks5:// proxy
	// CookiesEnv or CookiesFile hold the Cookie header value.
	CookiesEnv, CookiesFile string
	// BasicAuth user, with the password in PasswordEnv or PasswordFile.
	User, PasswordEnv, PasswordFile string
}

// IsZero reports settings that change nothing.
func (a Access) IsZero() bool {
	return a.UserAgent == "" && len(a.Headers) == 0 && a.Proxy == "" && a.CookiesEnv == "" && a.CookiesFile == "" && a.User == ""
}

// credentialHeaders may not be set through Headers: credentials are named
// by CookiesEnv/CookiesFile and User/PasswordEnv/PasswordFile.
var credentialHeaders = map[string]bool{"Authorization": true, "Cookie": true, "Proxy-Authorization": true}

// check reports what is wrong with the settings, reading the secrets once
// so that a missing variable or file is said at load, not at the first
// poll.
func (a Access) check() error {
	var errs []error
	for k := range a.Headers {
		if credentialHeaders[http.CanonicalHeaderKey(k)] {
			errs = append(errs, fmt.Errorf("headers: %s is a credential: use cookies_env/cookies_file or basic_auth, never a value in the list", k))
		} else if strings.ContainsAny(k, " :\r\n") || k == "" {
			errs = append(errs, fmt.Errorf("headers: bad name %q", k))
		}
	}
	for k, v := range a.Headers {
		if strings.ContainsAny(v, "\r\n") {
			errs = append(errs, fmt.Errorf("headers: %s: a value may not hold a line break", k))
		}
	}
	if a.Proxy != "" {
		u, err := url.Parse(a.Proxy)
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "socks5") {
			errs = append(errs, fmt.Errorf("proxy %q: want http://, https:// or socks5://host:port", a.Proxy))
		}
	}
	if a.CookiesEnv != "" && a.CookiesFile != "" {
		errs = append(errs, errors.New("cookies_env and cookies_file: name one"))
	}
	if a.PasswordEnv != "" && a.PasswordFile != "" {
		errs = append(errs, errors.New("basic_auth: password_env and password_file: name one"))
	}
	if a.User == "" && (a.PasswordEnv != "" || a.PasswordFile != "") {
		errs = append(errs, errors.New("basic_auth: a password without a user"))
	}
	if a.User != "" && a.PasswordEnv == "" && a.PasswordFile == "" {
		errs = append(errs, errors.New("basic_auth: name password_env or password_file"))
	}
	if len(errs) == 0 {
		if _, err := a.Header(true); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Header returns the headers of a request to the feed's own host
// (sameHost: its cookies and credentials too) or to another host (the
// feed's article pages elsewhere: the plain headers only). It reads the
// secrets now.
func (a Access) Header(sameHost bool) (http.Header, error) {
	if len(a.Headers) == 0 && (!sameHost || a.CookiesEnv == "" && a.CookiesFile == "" && a.User == "") {
		return nil, nil
	}
	h := http.Header{}
	for k, v := range a.Headers {
		h.Set(k, v)
	}
	if !sameHost {
		return h, nil
	}
	if cookies, err := secret("cookies", a.CookiesEnv, a.CookiesFile); err != nil {
		return nil, err
	} else if cookies != "" {
		h.Set("Cookie", cookies)
	}
	if a.User != "" {
		password, err := secret("basic_auth password", a.PasswordEnv, a.PasswordFile)
		if err != nil {
			return nil, err
		}
		h.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(a.User+":"+password)))
	}
	return h, nil
}

// secret reads a value from an environment variable or a file (its first
// line, trimmed: files written by secret stores end with a newline).
func secret(what, env, file string) (string, error) {
	switch {
	case env != "":
		v, ok := os.LookupEnv(env)
		if !ok {
			return "", fmt.Errorf("%s: environment variable %s is not set", what, env)
		}
		return v, nil
	case file != "":
		data, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("%s: %w", what, err)
		}
		v, _, _ := strings.Cut(string(data), "\n")
		return strings.TrimSpace(v), nil
	}
	return "", nil
}

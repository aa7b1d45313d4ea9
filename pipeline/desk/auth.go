package desk

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// Roles.
const (
	RoleReader = "reader" // read and search
	RoleEditor = "editor" // also give feedback and run backtests
)

// User is one entry of the users file.
type User struct {
	Name string
	Role string
	Hash []byte // bcrypt
}

var validName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$`)

// ParseUsers reads a users file: one user a line, "name:role:bcrypt-hash",
// blank lines and # comments ignored. Errors name the file and line.
func ParseUsers(name string, data []byte) (map[string]User, error) {
	users := map[string]User{}
	var errs []error
	sc := bufio.NewScanner(bytes.NewReader(data))
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		parts := strings.SplitN(s, ":", 3)
		if len(parts) != 3 {
			errs = append(errs, fmt.Errorf("%s:%d: want name:role:bcrypt-hash", name, line))
			continue
		}
		u := User{Name: parts[0], Role: parts[1], Hash: []byte(parts[2])}
		switch {
		case !validName.MatchString(u.Name):
			errs = append(errs, fmt.Errorf("%s:%d: user name %q: letters, digits and . _ @ - only", name, line, u.Name))
		case u.Role != RoleReader && u.Role != RoleEditor:
			errs = append(errs, fmt.Errorf("%s:%d: user %s: role %q, want reader or editor", name, line, u.Name, u.Role))
		case users[u.Name].Name != "":
			errs = append(errs, fmt.Errorf("%s:%d: user %s listed twice", name, line, u.Name))
		default:
			if _, err := bcrypt.Cost(u.Hash); err != nil {
				errs = append(errs, fmt.Errorf("%s:%d: user %s: not a bcrypt hash: %v", name, line, u.Name, err))
				continue
			}
			users[u.Name] = u
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	return users, errors.Join(errs...)
}

// AddUser writes (or replaces) a user's entry in the users file at path,
// creating it with mode 0600. The password is hashed with bcrypt.
func AddUser(path, name, role, password string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("user name %q: letters, digits and . _ @ - only, at most 64", name)
	}
	if role != RoleReader && role != RoleEditor {
		return fmt.Errorf("role %q: want reader or editor", role)
	}
	if len(password) < 8 {
		return errors.New("password: at least 8 characters")
	}
	if len(password) > 72 {
		return errors.New("password: at most 72 bytes (bcrypt's limit)")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if _, err := ParseUsers(path, old); err != nil {
		return fmt.Errorf("fix the file first: %w", err)
	}
	var out bytes.Buffer
	if len(old) == 0 {
		out.WriteString("# newsmon desk users: name:role:bcrypt-hash (roles: reader, editor). Written by `desk users add`.\n")
	}
	entry := name + ":" + role + ":" + string(hash) + "\n"
	replaced := false
	sc := bufio.NewScanner(bytes.NewReader(old))
	for sc.Scan() {
		line := sc.Text()
		if n, _, ok := strings.Cut(strings.TrimSpace(line), ":"); ok && n == name && !strings.HasPrefix(strings.TrimSpace(line), "#") {
			out.WriteString(entry)
			replaced = true
			continue
		}
		out.WriteString(line + "\n")
	}
	if !replaced {
		out.WriteString(entry)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".users-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(out.Bytes()); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// usersFile is the users file, read again when it changes.
type usersFile struct {
	path string
	mu   sync.Mutex
	mod  time.Time
	size int64
	seen time.Time // last stat
	all  map[string]User
	err  error
}

func (f *usersFile) lookup(name string) (User, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if time.Since(f.seen) > 2*time.Second {
		f.seen = time.Now()
		if st, err := os.Stat(f.path); err == nil && (!st.ModTime().Equal(f.mod) || st.Size() != f.size) {
			f.load(st)
		}
	}
	u, ok := f.all[name]
	return u, ok
}

func (f *usersFile) load(st os.FileInfo) {
	data, err := os.ReadFile(f.path)
	if err == nil {
		var users map[string]User
		users, err = ParseUsers(f.path, data)
		if err == nil {
			f.all, f.mod, f.size = users, st.ModTime(), st.Size()
		}
	}
	f.err = err
}

// Auth decides who a request is and what they may do.
type Auth struct {
	users *usersFile // nil: open console on loopback
	key   []byte
	// checked caches passwords that verified, so that basic-auth clients
	// (curl, feed readers) do not pay bcrypt on every request.
	mu      sync.Mutex
	checked map[string]time.Time
	ttl     time.Duration
}

// AuthOptions configures access.
type AuthOptions struct {
	UsersFile  string // "" : no logins; only for a loopback listener
	SessionKey []byte // signs cookies; random when empty (sessions end at restart)
	SessionTTL time.Duration
}

// NewAuth loads the users file (it must parse) and the session key.
func NewAuth(o AuthOptions) (*Auth, error) {
	a := &Auth{key: o.SessionKey, checked: map[string]time.Time{}, ttl: o.SessionTTL}
	if a.ttl <= 0 {
		a.ttl = 12 * time.Hour
	}
	if len(a.key) == 0 {
		a.key = make([]byte, 32)
		rand.Read(a.key)
	} else if len(a.key) < 32 {
		return nil, errors.New("session key: at least 32 bytes")
	}
	if o.UsersFile != "" {
		st, err := os.Stat(o.UsersFile)
		if err != nil {
			return nil, fmt.Errorf("users file: %w", err)
		}
		a.users = &usersFile{path: o.UsersFile, seen: time.Now()}
		a.users.load(st)
		if a.users.err != nil {
			return nil, a.users.err
		}
	}
	return a, nil
}

// Open reports whether the console has no logins (loopback only).
func (a *Auth) Open() bool { return a.users == nil }

// Principal is who made a request.
type Principal struct {
	User  string // "" for nobody; "local" on an open console
	Role  string // "" when not logged in
	nonce string // binds the CSRF token to this session
}

// CanEdit reports whether p may give feedback and run backtests.
func (p Principal) CanEdit() bool { return p.Role == RoleEditor }

// CanRead reports whether p may read.
func (p Principal) CanRead() bool { return p.Role == RoleReader || p.Role == RoleEditor }

const sessionCookie = "desk_session"

func (a *Auth) sign(s string) string {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte(s))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// CSRF is the token a principal's POSTs must carry (form field csrf or
// header X-CSRF-Token).
func (a *Auth) CSRF(p Principal) string { return a.sign("csrf|" + p.nonce) }

func newNonce() string {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// session encodes user|expiry|nonce and its signature.
func (a *Auth) session(user, nonce string, exp time.Time) string {
	v := base64.RawURLEncoding.EncodeToString([]byte(user + "|" + strconv.FormatInt(exp.Unix(), 10) + "|" + nonce))
	return v + "." + a.sign("session|"+v)
}

func (a *Auth) readSession(c string) (user, nonce string, ok bool) {
	v, sig, found := strings.Cut(c, ".")
	if !found || subtle.ConstantTimeCompare([]byte(sig), []byte(a.sign("session|"+v))) != 1 {
		return "", "", false
	}
	raw, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil {
		return "", "", false
	}
	parts := strings.SplitN(string(raw), "|", 3)
	if len(parts) != 3 {
		return "", "", false
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || time.Now().Unix() > exp {
		return "", "", false
	}
	return parts[0], parts[2], true
}

func (a *Auth) setSession(w http.ResponseWriter, r *http.Request, user, nonce string) {
	exp := time.Now().Add(a.ttl)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: a.session(user, nonce, exp), Path: "/", Expires: exp,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"})
}

// identify works out who a request is from its session cookie or basic
// credentials. It gives a visitor with no session an anonymous one, so
// that the login form has a CSRF token too.
func (a *Auth) identify(w http.ResponseWriter, r *http.Request) Principal {
	if user, pass, ok := r.BasicAuth(); ok && a.users != nil {
		if u, ok := a.verify(user, pass); ok {
			return Principal{User: u.Name, Role: u.Role, nonce: "basic:" + u.Name}
		}
		return Principal{nonce: "anon"}
	}
	if c, err := r.Cookie(sessionCookie); err == nil {
		if user, nonce, ok := a.readSession(c.Value); ok {
			return a.principal(user, nonce)
		}
	}
	if w == nil || r.Method != http.MethodGet {
		return a.principal("", "anon")
	}
	nonce := newNonce()
	a.setSession(w, r, "", nonce)
	return a.principal("", nonce)
}

func (a *Auth) principal(user, nonce string) Principal {
	if a.users == nil {
		return Principal{User: "local", Role: RoleEditor, nonce: nonce}
	}
	if user == "" {
		return Principal{nonce: nonce}
	}
	u, ok := a.users.lookup(user)
	if !ok {
		return Principal{nonce: nonce} // removed from the file: logged out
	}
	return Principal{User: u.Name, Role: u.Role, nonce: nonce}
}

func (a *Auth) verify(name, password string) (User, bool) {
	u, ok := a.users.lookup(name)
	if !ok || len(password) > 72 {
		// The same time as a wrong password, so names cannot be probed.
		dummyOnce.Do(func() { dummyHash, _ = bcrypt.GenerateFromPassword([]byte("-"), bcrypt.DefaultCost) })
		bcrypt.CompareHashAndPassword(dummyHash, []byte(password))
		return User{}, false
	}
	key := a.sign("pw|" + name + "|" + string(u.Hash) + "|" + password)
	a.mu.Lock()
	until, hit := a.checked[key]
	a.mu.Unlock()
	if hit && time.Now().Before(until) {
		return u, true
	}
	if bcrypt.CompareHashAndPassword(u.Hash, []byte(password)) != nil {
		return User{}, false
	}
	a.mu.Lock()
	if len(a.checked) > 1000 {
		clear(a.checked)
	}
	a.checked[key] = time.Now().Add(time.Minute)
	a.mu.Unlock()
	return u, true
}

// login checks a name and password and starts a session with a new nonce.
func (a *Auth) login(w http.ResponseWriter, r *http.Request, name, password string) bool {
	if a.users == nil {
		return true
	}
	u, ok := a.verify(name, password)
	if !ok {
		return false
	}
	a.setSession(w, r, u.Name, newNonce())
	return true
}

func (a *Auth) logout(w http.ResponseWriter, r *http.Request) {
	a.setSession(w, r, "", newNonce())
}

// checkCSRF reports whether a POST carries p's token.
func (a *Auth) checkCSRF(r *http.Request, p Principal) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(a.CSRF(p))) == 1
}

// loopbackHost reports whether a Host header names this machine, so an
// open console refuses pages reached through a rebound DNS name.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

var (
	dummyOnce sync.Once
	dummyHash []byte
)

type principalKey struct{}

func withPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principalOf(ctx context.Context) Principal {
	p, _ := ctx.Value(principalKey{}).(Principal)
	return p
}

package server

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"doorstep"

	"github.com/gin-gonic/gin"
)

// sessionJSON is GET /api/session's answer.
type sessionJSON struct {
	User      *sessionUserJSON `json:"user"`
	CSRFToken string           `json:"csrf_token"`
}

type sessionUserJSON struct {
	ID             int64         `json:"id"`
	Username       string        `json:"username"`
	Role           doorstep.Role `json:"role"`
	OrganizationID *int64        `json:"organization_id"`
}

func newSessionJSON(u *doorstep.User, token string) sessionJSON {
	body := sessionJSON{CSRFToken: token}
	if u != nil {
		body.User = &sessionUserJSON{ID: u.ID, Username: u.Username, Role: u.Role, OrganizationID: u.OrganizationID}
	}
	return body
}

// handleSession answers who is signed in and the CSRF token to send with changes,
// starting an anonymous session when there is none.
func (s *Server) handleSession(c *gin.Context) {
	sess := s.session(c)
	u, err := s.currentUser(c, sess)
	if err != nil {
		writeError(c, err)
		return
	}
	token, changed := csrfToken(sess)
	if changed {
		s.saveSession(c, sess)
	}
	c.JSON(http.StatusOK, newSessionJSON(u, token))
}

// handleSignIn signs a user in with {"username", "password"}. Attempts are
// throttled before the password is checked (reserveSignIn); a refused one is
// answered 429 with Retry-After.
func (s *Server) handleSignIn(c *gin.Context) {
	body, ok := readJSONObject(c)
	if !ok {
		return
	}
	username, password, err := readSignIn(body)
	var u *doorstep.User
	if err == nil {
		u, err = s.signIn(c, username, password)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	sess := s.session(c)
	s.startSession(sess, u)
	s.saveSession(c, sess)
	s.rememberDevice(c, limiterUserKey(username))
	c.JSON(http.StatusOK, newSessionJSON(u, stringValue(sess, keyCSRF)))
}

// readSignIn reads the username and password of a sign-in body, both required.
func readSignIn(body jsonObject) (username, password string, err error) {
	for _, name := range body.names() {
		switch name {
		case "username":
			err = body.decode(name, &username, "text", false)
		case "password":
			err = body.decode(name, &password, "text", false)
		default:
			err = doorstep.FieldErrorf(name, "Unknown field %q: send username and password.", name)
		}
		if err != nil {
			return "", "", err
		}
	}
	if username == "" {
		return "", "", doorstep.FieldErrorf("username", "username is required.")
	} else if password == "" {
		return "", "", doorstep.FieldErrorf("password", "password is required.")
	}
	return username, password, nil
}

// signIn checks the password unless reserveSignIn refuses the attempt (ETOOMANY,
// with Retry-After).
func (s *Server) signIn(c *gin.Context, username, password string) (*doorstep.User, error) {
	now := s.now()
	userKey := limiterUserKey(username)
	if wait, err := s.reserveSignIn(c, userKey, now); err != nil {
		return nil, err
	} else if wait > 0 {
		return nil, tooManyError(c, wait, "Too many failed sign-ins. Please wait "+waitText(wait)+" and try again.")
	}
	u, err := s.db.Authenticate(c.Request.Context(), username, password)
	if err != nil {
		return nil, err
	}
	s.auth.byUser.reset(userKey)
	s.auth.byKnown.reset(userKey)
	return u, nil
}

// reserveSignIn counts a sign-in attempt for userKey before its password is
// checked (throttle.go), and returns how long the client must wait instead when it
// may not try now. A browser the user signed in from before counts apart from
// everyone else trying the name; a name that does not exist counts against the
// client's address as well.
func (s *Server) reserveSignIn(c *gin.Context, userKey string, now time.Time) (time.Duration, error) {
	if s.knownDevice(c, userKey) {
		return s.auth.byKnown.reserve(userKey, now), nil
	}
	exists, err := s.db.UserExists(c.Request.Context(), userKey)
	if err != nil {
		return 0, err
	}
	if !exists {
		if wait := s.auth.byAddr.reserve(c.ClientIP(), now); wait > 0 {
			return wait, nil
		}
	}
	return s.auth.byUser.reserve(userKey, now), nil
}

// knownCookie names, after a successful sign-in, the user who signed in from this
// browser; signed and encrypted like the session cookie, and kept for
// knownCookieAge.
const (
	knownCookie    = "doorstep_known"
	knownCookieAge = 90 * 24 * time.Hour
)

// knownDevice reports whether the request carries a known-device cookie of userKey.
func (s *Server) knownDevice(c *gin.Context, userKey string) bool {
	sess, err := s.auth.cookies.Load().Get(c.Request, knownCookie)
	return err == nil && !sess.IsNew && stringValue(sess, "user") == userKey
}

// rememberDevice marks the browser as one userKey signed in from.
func (s *Server) rememberDevice(c *gin.Context, userKey string) {
	sess, _ := s.auth.cookies.Load().Get(c.Request, knownCookie)
	sess.Values = map[any]any{"user": userKey}
	sess.Options.MaxAge = int(knownCookieAge / time.Second)
	s.saveSession(c, sess)
}

// handleSignOut ends the session: the cookie is removed and the user's session
// version moves on, so no copy of this or any other cookie of theirs — kept
// elsewhere, or forged with a leaked key — signs them in any more.
func (s *Server) handleSignOut(c *gin.Context) {
	sess := s.session(c)
	id, version := int64Value(sess, keyUserID), int64Value(sess, keyVersion)
	endSession(sess)
	s.saveSession(c, sess)
	if id != 0 {
		// Signing out ends every session of the user, so a copied or forged cookie
		// stops working too. This process refuses the cookie even when the database
		// cannot record the sign-out (a full disk); the answer then says so.
		if err := s.endSessions(c.Request.Context(), id); err != nil {
			s.auth.endInMemory(id, version)
			s.log.ErrorContext(c.Request.Context(), "sign out not recorded", "user_id", id, "err", err)
			writeError(c, doorstep.Errorf(doorstep.EUNAVAILABLE,
				"You are signed out on this server, but the sign-out could not be saved (the disk may be full): "+
					"your session may come back after a restart. Please tell the street office."))
			return
		}
	}
	c.JSON(http.StatusOK, newSessionJSON(nil, ""))
}

// limiterUserKey is the username as the database compares it (ASCII case folded),
// cut short so a long name cannot take memory.
func limiterUserKey(username string) string {
	if len(username) > 100 {
		username = username[:100]
	}
	return strings.ToLower(username)
}

// waitText says a wait in whole minutes (at least one).
func waitText(d time.Duration) string {
	m := int(math.Ceil(d.Minutes()))
	if m <= 1 {
		return "a minute"
	}
	return strconv.Itoa(m) + " minutes"
}

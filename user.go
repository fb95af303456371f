package doorstep

import (
	"regexp"
	"unicode/utf8"
)

// Role is what a signed-in user may do.
type Role string

// Roles: staff keep their own organization's listings; the office keeps all
// listings and reads coverage; admins also manage users.
const (
	RoleStaff  Role = "staff"
	RoleOffice Role = "office"
	RoleAdmin  Role = "admin"
)

// Valid reports whether r is one of the roles.
func (r Role) Valid() bool { return r == RoleStaff || r == RoleOffice || r == RoleAdmin }

// Limits on accounts. Passwords are counted in characters; the upper bound keeps a
// sign-in from hashing megabytes.
const (
	MinPasswordRunes = 10
	MaxPasswordBytes = 1024
)

// usernamePattern allows letters, digits and . _ - @, 1 to 64 of them, so a username
// is also safe in a log line and a URL.
var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// User is a person who signs in to keep listings true.
type User struct {
	ID             int64  `json:"id"`
	Username       string `json:"username"`
	Role           Role   `json:"role"`
	OrganizationID *int64 `json:"organization_id"`
	Disabled       bool   `json:"disabled"`
	// Email is where the user's daily summary goes by e-mail, "" for none; the
	// office keeps it (doorstep user email).
	Email string `json:"email,omitempty"`
	// SessionVersion changes when the password changes or the user is disabled, which
	// ends every session signed in before.
	SessionVersion int64 `json:"-"`
}

// Validate checks a new or changed account: a well-formed username, a known role,
// and an organization for staff, who may keep only its listings.
func (u *User) Validate() error {
	if !usernamePattern.MatchString(u.Username) {
		return FieldErrorf("username", "username must be 1 to 64 letters, digits or . _ - @.")
	}
	if !u.Role.Valid() {
		return FieldErrorf("role", "role must be staff, office or admin.")
	}
	if u.Role == RoleStaff && u.OrganizationID == nil {
		return FieldErrorf("organization_id", "Staff belong to one organization: give its id.")
	}
	return nil
}

// ValidatePassword checks a new password: at least MinPasswordRunes characters of
// valid text, at most MaxPasswordBytes bytes.
func ValidatePassword(password string) error {
	if !utf8.ValidString(password) || len(password) > MaxPasswordBytes {
		return FieldErrorf("password", "password must be text of at most %d bytes.", MaxPasswordBytes)
	}
	if utf8.RuneCountInString(password) < MinPasswordRunes {
		return FieldErrorf("password", "password must be at least %d characters.", MinPasswordRunes)
	}
	return nil
}

// CanEdit reports whether the user may create or change listings of the
// organization: staff only their own, the office and admins any.
func (u *User) CanEdit(organizationID int64) bool {
	if u == nil || u.Disabled {
		return false
	}
	switch u.Role {
	case RoleOffice, RoleAdmin:
		return true
	case RoleStaff:
		return u.OrganizationID != nil && *u.OrganizationID == organizationID
	}
	return false
}

// SeesAll reports whether the user may read every organization's listings and
// audit entries rather than only their own organization's.
func (u *User) SeesAll() bool {
	return u != nil && !u.Disabled && (u.Role == RoleOffice || u.Role == RoleAdmin)
}

// MaxEmailBytes bounds an e-mail address (RFC 5321's 254 for a path, less its brackets).
const MaxEmailBytes = 254

// ValidateEmail checks an address for the daily summary: "" (none) or one plain
// address, name@domain, with no display name, spaces or line breaks that could
// add a header to a mail.
func ValidateEmail(addr string) error {
	if addr == "" {
		return nil
	}
	if len(addr) > MaxEmailBytes || !emailPattern.MatchString(addr) {
		return FieldErrorf("email", "email must be one address such as name@example.org.")
	}
	return nil
}

// emailPattern is a plain address: a local part of printable characters other than
// spaces, quotes, angle brackets, commas and @, then @ and a dotted domain.
var emailPattern = regexp.MustCompile(`^[^\s"<>,;@\x00-\x1f\x7f]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$`)

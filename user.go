package doorstep

// Role is what a signed-in user may do.
type Role string

// Roles: staff keep their own organization's listings; the office keeps all
// listings and reads coverage; admins also manage users.
const (
	RoleStaff  Role = "staff"
	RoleOffice Role = "office"
	RoleAdmin  Role = "admin"
)

// User is a person who signs in to keep listings true.
type User struct {
	ID             int64  `json:"id"`
	Username       string `json:"username"`
	Role           Role   `json:"role"`
	OrganizationID *int64 `json:"organization_id"`
	Disabled       bool   `json:"disabled"`
}

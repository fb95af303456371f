package doorstep

import (
	"strings"
	"testing"
	"time"
)

func TestUserValidate(t *testing.T) {
	org := int64(3)
	tests := []struct {
		name  string
		user  User
		field string
	}{
		{"staff with organization", User{Username: "wang.li", Role: RoleStaff, OrganizationID: &org}, ""},
		{"office without organization", User{Username: "office@street", Role: RoleOffice}, ""},
		{"staff without organization", User{Username: "wang", Role: RoleStaff}, "organization_id"},
		{"empty username", User{Role: RoleAdmin}, "username"},
		{"username with space", User{Username: "wang li", Role: RoleAdmin}, "username"},
		{"username with markup", User{Username: "<b>", Role: RoleAdmin}, "username"},
		{"long username", User{Username: strings.Repeat("a", 65), Role: RoleAdmin}, "username"},
		{"unknown role", User{Username: "wang", Role: "root"}, "role"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ErrorField(tc.user.Validate()); got != tc.field {
				t.Errorf("field = %q, want %q", got, tc.field)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	tests := []struct {
		password string
		ok       bool
	}{
		{"123456789", false},
		{"1234567890", true},
		{"十个汉字的密码真的够长", true},
		{"九个字的密码不够长", false},
		{"\xff\xfe23456789ab", false},
		{strings.Repeat("x", MaxPasswordBytes+1), false},
	}
	for _, tc := range tests {
		if err := ValidatePassword(tc.password); (err == nil) != tc.ok {
			t.Errorf("ValidatePassword(%.20q) = %v, want ok %v", tc.password, err, tc.ok)
		}
	}
}

func TestCanEdit(t *testing.T) {
	own, other := int64(1), int64(2)
	tests := []struct {
		name string
		user *User
		org  int64
		want bool
	}{
		{"staff own", &User{Role: RoleStaff, OrganizationID: &own}, own, true},
		{"staff other", &User{Role: RoleStaff, OrganizationID: &own}, other, false},
		{"staff without organization", &User{Role: RoleStaff}, own, false},
		{"office any", &User{Role: RoleOffice}, other, true},
		{"admin any", &User{Role: RoleAdmin}, other, true},
		{"disabled office", &User{Role: RoleOffice, Disabled: true}, other, false},
		{"unknown role", &User{Role: "guest", OrganizationID: &own}, own, false},
		{"nobody", nil, own, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.user.CanEdit(tc.org); got != tc.want {
				t.Errorf("CanEdit = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestServiceStale(t *testing.T) {
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC)
	recent, old := now.Add(-89*24*time.Hour), now.Add(-91*24*time.Hour)
	for _, tc := range []struct {
		verified *time.Time
		want     bool
	}{{nil, true}, {&recent, false}, {&old, true}} {
		s := Service{VerifiedAt: tc.verified}
		if got := s.Stale(now); got != tc.want {
			t.Errorf("Stale(verified %v) = %v, want %v", tc.verified, got, tc.want)
		}
	}
}

func TestValidateEmail(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"wang.li@example.org", true},
		{"office+summary@mail.example.org.cn", true},
		{"wang.li@localhost", false},
		{"Wang Li <wang.li@example.org>", false},
		{"a@example.org\r\nBcc: x@example.org", false},
		{"a@example.org, b@example.org", false},
		{"@example.org", false},
		{"a@@example.org", false},
		{strings.Repeat("a", 250) + "@example.org", false},
	} {
		if err := ValidateEmail(tc.addr); (err == nil) != tc.ok {
			t.Errorf("ValidateEmail(%q) = %v, want ok %v", tc.addr, err, tc.ok)
		}
	}
}

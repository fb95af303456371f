package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// sampleDB creates a database file with the sample street and returns its path and
// the id of one organization.
func sampleDB(t *testing.T) (string, int64) {
	t.Helper()
	path := storetest.MustSampleFile(t)
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	orgs, err := db.Organizations(context.Background())
	if err != nil || len(orgs) == 0 {
		t.Fatalf("organizations: %v, %v", orgs, err)
	}
	return path, orgs[0].ID
}

// userCmd runs "doorstep user args..." with stdin and returns its output.
func userCmd(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := runUser(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

// authenticate signs in against the database file directly.
func authenticate(t *testing.T, path, username, password string) (*doorstep.User, error) {
	t.Helper()
	db, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	return db.Authenticate(context.Background(), username, password)
}

func TestUserCommands(t *testing.T) {
	path, org := sampleDB(t)
	orgFlag := strconv.FormatInt(org, 10)
	tests := []struct {
		name    string
		stdin   string
		args    []string
		wantErr string // "" for success
		wantOut string // a regular expression
	}{
		{"add staff, password from stdin", "first password\n", []string{"add", "--db", path, "--username", "wang.li", "--role", "staff", "--org", orgFlag}, "", "added staff user wang.li"},
		{"add office, CRLF line ending", "office password\r\n", []string{"add", "--db", path, "--username", "office", "--role", "office"}, "", "added office user office"},
		{"add admin, no final newline", "admin password", []string{"add", "--db", path, "--username", "admin", "--role", "admin"}, "", "added admin user admin"},
		{"short password", "short\n", []string{"add", "--db", path, "--username", "li", "--role", "office"}, "at least 10 characters", ""},
		{"no password", "", []string{"add", "--db", path, "--username", "li", "--role", "office"}, "no password", ""},
		{"taken username", "some password\n", []string{"add", "--db", path, "--username", "WANG.LI", "--role", "office"}, "taken", ""},
		{"staff without org", "some password\n", []string{"add", "--db", path, "--username", "li", "--role", "staff"}, "organization", ""},
		{"unknown org", "some password\n", []string{"add", "--db", path, "--username", "li", "--role", "staff", "--org", "99999"}, "Unknown organization", ""},
		{"unknown role", "some password\n", []string{"add", "--db", path, "--username", "li", "--role", "boss"}, "role", ""},
		{"no username", "some password\n", []string{"add", "--db", path, "--role", "office"}, "--username is required", ""},
		{"new password", "second password\n", []string{"passwd", "--db", path, "--username", "wang.li"}, "", "changed the password of wang.li"},
		{"passwd of nobody", "second password\n", []string{"passwd", "--db", path, "--username", "nobody"}, "No user", ""},
		{"disable", "", []string{"disable", "--db", path, "--username", "office"}, "", "disabled office"},
		{"email", "", []string{"email", "--db", path, "--username", "wang.li", "--email", "wang.li@example.org"}, "", "wang.li gets the daily summary at wang.li@example.org"},
		{"email with a header in it", "", []string{"email", "--db", path, "--username", "wang.li", "--email", "a@example.org\r\nBcc: x@example.org"}, "email must be one address", ""},
		{"email of nobody", "", []string{"email", "--db", path, "--username", "nobody", "--email", "a@example.org"}, "No user", ""},
		{"list", "", []string{"list", "--db", path}, "", `(?m)^\d+\s+office\s+office\s+-\s+disabled\s+-$`},
		{"list shows the address", "", []string{"list", "--db", path}, "", `(?m)^\d+\s+wang\.li\s+staff\s+\d+\s+active\s+wang\.li@example\.org$`},
		{"email stopped", "", []string{"email", "--db", path, "--username", "wang.li", "--email", ""}, "", "wang.li gets no daily summary by e-mail"},
		{"orgs", "", []string{"orgs", "--db", path}, "", `(?m)^` + orgFlag + `\s+\S+\s+\S`},
		{"missing database", "", []string{"list", "--db", filepath.Join(t.TempDir(), "none.db")}, "no database", ""},
		{"unknown command", "", []string{"promote", "--db", path}, "unknown user command", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := userCmd(t, tc.stdin, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || !regexp.MustCompile(tc.wantOut).MatchString(out) {
				t.Errorf("out %q, err %v; want %q", out, err, tc.wantOut)
			}
		})
	}

	if u, err := authenticate(t, path, "wang.li", "second password"); err != nil || u.Role != doorstep.RoleStaff || *u.OrganizationID != org {
		t.Errorf("sign in with the new password: %+v, %v", u, err)
	}
	if _, err := authenticate(t, path, "wang.li", "first password"); err == nil {
		t.Errorf("the old password still works")
	}
	if _, err := authenticate(t, path, "admin", "admin password"); err != nil {
		t.Errorf("password without a final newline: %v", err)
	}
	if _, err := authenticate(t, path, "office", "office password"); doorstep.ErrorCode(err) != doorstep.EFORBIDDEN {
		t.Errorf("disabled user signs in: %v", err)
	}
	if _, err := userCmd(t, "", "enable", "--db", path, "--username", "office"); err != nil {
		t.Fatal(err)
	}
	if _, err := authenticate(t, path, "office", "office password"); err != nil {
		t.Errorf("enabled user (CRLF password): %v", err)
	}
}

// TestUserSignsInToServe adds an account with the command and signs in to the
// real server with it: the wiring of sessions from flags and environment.
func TestUserSignsInToServe(t *testing.T) {
	path, _ := sampleDB(t)
	if out, err := userCmd(t, "office password\n", "add", "--db", path, "--username", "office", "--role", "office"); err != nil {
		t.Fatalf("user add: %v %s", err, out)
	}
	t.Setenv("DOORSTEP_SESSION_KEY", "not a key")
	if err := run(context.Background(), []string{"serve", "--db", path, "--addr", "127.0.0.1:0"}, io.Discard, io.Discard, nil); err == nil ||
		!strings.Contains(err.Error(), "session key") {
		t.Errorf("serve with a malformed DOORSTEP_SESSION_KEY: %v", err)
	}
	t.Setenv("DOORSTEP_SESSION_KEY", strings.Repeat("5a", 64))

	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", path, "--addr", "127.0.0.1:0", "--secure-cookies"}, io.Discard, io.Discard, ready)
	}()
	defer func() {
		cancel()
		<-done
	}()
	var base string
	select {
	case addr := <-ready:
		base = "http://" + addr
	case err := <-done:
		t.Fatalf("serve stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := client.Get(base + "/api/session")
	if err != nil {
		t.Fatal(err)
	}
	var sess struct {
		CSRFToken string `json:"csrf_token"`
	}
	err = json.NewDecoder(res.Body).Decode(&sess)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	// --secure-cookies: the cookie is Secure, so a client on plain HTTP must send it by hand.
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "doorstep_session" {
			cookie = c
		}
	}
	if cookie == nil || !cookie.Secure {
		t.Fatalf("session cookie %+v is not Secure with --secure-cookies", cookie)
	}
	req, _ := http.NewRequest(http.MethodPost, base+"/api/session", strings.NewReader(`{"username":"office","password":"office password"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", sess.CSRFToken)
	req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"username":"office"`) {
		t.Errorf("sign in: %d %s", res.StatusCode, body)
	}
}

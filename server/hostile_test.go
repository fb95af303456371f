package server

import (
	"net/http"
	"strings"
	"testing"
)

// The hostile suite: one test per finding of the hostile review (issue 12), named
// TestHostile*, run by `make hostile` and, in its short form, by `make test`.

// TestHostileHoursSpans posts a listing whose hours hold ~10,000 spans (under the
// body limit): it is refused with a 400 naming hours, and nothing is stored.
func TestHostileHoursSpans(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	var b strings.Builder
	b.WriteString(`{"hours":[`)
	for i := range 10200 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"days":["mon"],"opens":"09:00","closes":"10:00"}`)
	}
	b.WriteString(`]}`)
	audits := p.auditCount(t)
	r := c.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), b.String(), ifMatch(p.ownSvc.Version))
	if code, field := r.errorField(); r.status != http.StatusBadRequest || field != "hours" {
		t.Fatalf("PATCH with 10200 spans = %d %s %s, want 400 on hours", r.status, code, field)
	}
	if n := p.auditCount(t); n != audits {
		t.Errorf("a refused edit wrote %d audit entries", n-audits)
	}
	if got := p.service(t, p.ownSvc.ID); len(got.Hours) != len(p.ownSvc.Hours) {
		t.Errorf("hours stored: %d spans", len(got.Hours))
	}
}

// TestHostileInvisibleNames refuses, through the editing API, names made of spaces,
// NUL or zero-width characters and names holding a right-to-left override.
func TestHostileInvisibleNames(t *testing.T) {
	p := newStaffPortal(t)
	c := p.signedIn(t, "staff")
	for _, name := range []string{"   ", "\x00", "\u200b\u200c", "食堂\u202egnp.exe"} {
		r := c.do(http.MethodPatch, idPath(p.ownSvc.ID, ""), map[string]string{"name": name}, ifMatch(p.ownSvc.Version))
		if _, field := r.errorField(); r.status != http.StatusBadRequest || field != "name" {
			t.Errorf("name %q = %d %s, want 400 on name", name, r.status, r.body)
		}
	}
}

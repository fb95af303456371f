package doorstep

import (
	"slices"
	"strings"
	"time"
)

// What a resident may say is wrong with a listing (信息有误).
const (
	ReportClosed = "closed" // 已关门
	ReportMoved  = "moved"  // 搬走了
	ReportPhone  = "phone"  // 电话不对
	ReportHours  = "hours"  // 时间不对
	ReportOther  = "other"  // 其他
)

// ReportKinds are the kinds of report, in the order the form offers them.
var ReportKinds = []string{ReportClosed, ReportMoved, ReportPhone, ReportHours, ReportOther}

// How staff close a report.
const (
	ResolutionFixed       = "fixed"         // the listing was corrected
	ResolutionNotAProblem = "not_a_problem" // checked: the listing was right
	ResolutionDuplicate   = "duplicate"     // another report says the same
)

// Resolutions are the ways a report is closed.
var Resolutions = []string{ResolutionFixed, ResolutionNotAProblem, ResolutionDuplicate}

// MaxReportNote bounds a report's note and a resolution's note, in characters.
// Markup is kept as written: every page shows the notes as text.
const MaxReportNote = 500

// Report is a resident's word that a listing is wrong, and what staff did about
// it. Phone is the number to call back; only the listing's organization and the
// office ever read it, and it is erased after the retention (PurgeContacts).
type Report struct {
	ID             int64      `json:"id"`
	ServiceID      int64      `json:"service_id"`
	ServiceName    string     `json:"service_name"`
	OrganizationID int64      `json:"organization_id"`
	Kind           string     `json:"kind"`
	Note           string     `json:"note"`
	Phone          string     `json:"phone"`
	CreatedAt      time.Time  `json:"created_at"`
	Resolution     string     `json:"resolution"` // "" while open
	ResolutionNote string     `json:"resolution_note"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	ResolvedBy     string     `json:"resolved_by"`
	// AuditID is the audit entry of the change to the listing that fixed it.
	AuditID *int64 `json:"audit_id"`
	// OpenOnListing counts the open reports on the same listing, this one included.
	OpenOnListing int `json:"open_on_listing"`
}

// Open reports whether staff have not resolved the report yet.
func (r *Report) Open() bool { return r.ResolvedAt == nil }

// NewReport is what a resident sends.
type NewReport struct {
	ServiceID int64
	Kind      string
	Note      string
	Phone     string
}

// Validate checks the report and trims its note and phone; phones is the
// street's rule for phone numbers (nil: the default).
func (r *NewReport) Validate(phones *PhoneRule) error {
	if !slices.Contains(ReportKinds, r.Kind) {
		return FieldErrorf("kind", "kind must be one of %s.", strings.Join(ReportKinds, ", "))
	}
	r.Note, r.Phone = strings.TrimSpace(r.Note), strings.TrimSpace(r.Phone)
	if err := CheckText("note", r.Note, MaxReportNote, false, true); err != nil {
		return err
	}
	if !phones.Valid(r.Phone) {
		return FieldErrorf("phone", "phone is not a phone number we can call back, such as 021-6543-2100 or 13812345678.")
	}
	return nil
}

// ReportResolution is how staff close a report. AuditID, when not nil, names the
// audit entry of the change to the listing that fixed it.
type ReportResolution struct {
	Resolution string
	Note       string
	AuditID    *int64
}

// Validate checks the resolution and trims its note.
func (r *ReportResolution) Validate() error {
	if !slices.Contains(Resolutions, r.Resolution) {
		return FieldErrorf("resolution", "resolution must be one of %s.", strings.Join(Resolutions, ", "))
	}
	r.Note = strings.TrimSpace(r.Note)
	if r.AuditID != nil && *r.AuditID <= 0 {
		return FieldErrorf("audit_id", "audit_id must be a positive whole number.")
	}
	return CheckText("note", r.Note, MaxReportNote, false, true)
}

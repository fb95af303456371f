package doorstep

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// The states of a suggestion (意见建议), in the order the office works through them.
const (
	SuggestionReceived    = "received"
	SuggestionAccepted    = "accepted"
	SuggestionInProgress  = "in_progress"
	SuggestionResolved    = "resolved"
	SuggestionNotFeasible = "not_feasible"
)

// SuggestionStates are the states in workflow order; the report lists them so.
var SuggestionStates = []string{SuggestionReceived, SuggestionAccepted, SuggestionInProgress, SuggestionResolved, SuggestionNotFeasible}

// SuggestionClosed reports whether state ends a suggestion: its contact details
// are erased the retention after it closed.
func SuggestionClosed(state string) bool {
	return state == SuggestionResolved || state == SuggestionNotFeasible
}

// Limits of a suggestion's texts, in characters.
const (
	MaxSuggestionTitle   = 100
	MaxSuggestionText    = 2000
	MaxSuggestionShort   = 100 // category, area, contact, external id
	MaxSuggestionAnswer  = 2000
	MaxSuggestionPerYear = 100_000 // a year's report never reads more
)

// Suggestion is a resident's, deputy's or staff member's suggestion to the street
// office and what became of it. Contact is seen only by the office and the
// organization it is assigned to, and erased the retention after it closed.
type Suggestion struct {
	ID         int64      `json:"id"`
	ExternalID string     `json:"external_id"` // the office's number for imported ones
	Year       int        `json:"year"`
	FiledOn    string     `json:"filed_on"` // YYYY-MM-DD
	Category   string     `json:"category"`
	Title      string     `json:"title"`
	Text       string     `json:"text"`
	Area       string     `json:"area"`
	Lon        *float64   `json:"lon"`
	Lat        *float64   `json:"lat"`
	Contact    string     `json:"contact"`
	State      string     `json:"state"`
	Reason     string     `json:"reason"` // why not feasible
	Answer     string     `json:"answer"`
	AssignedTo *int64     `json:"assigned_to"` // an organization
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	ClosedAt   *time.Time `json:"closed_at"`
}

// NewSuggestion is what a filer sends.
type NewSuggestion struct {
	Title, Text, Category, Area, Contact string
	Lon, Lat                             *float64
}

// Validate checks the suggestion's texts; the category is checked against the
// office's list by the store.
func (n *NewSuggestion) Validate() error {
	n.Title, n.Category, n.Area, n.Contact = strings.TrimSpace(n.Title), strings.TrimSpace(n.Category), strings.TrimSpace(n.Area), strings.TrimSpace(n.Contact)
	for _, f := range []struct {
		name, value string
		max         int
		required    bool
		multiline   bool
	}{
		{"title", n.Title, MaxSuggestionTitle, true, false},
		{"text", n.Text, MaxSuggestionText, true, true},
		{"category", n.Category, MaxSuggestionShort, true, false},
		{"area", n.Area, MaxSuggestionShort, false, false},
		{"contact", n.Contact, MaxSuggestionShort, false, false},
	} {
		if err := CheckText(f.name, f.value, f.max, f.required, f.multiline); err != nil {
			return err
		}
	}
	if (n.Lon == nil) != (n.Lat == nil) {
		return FieldErrorf("lon", "Give lon and lat together, or neither.")
	}
	if n.Lon != nil && !(*n.Lon >= -180 && *n.Lon <= 180) {
		return FieldErrorf("lon", "lon must be between -180 and 180.")
	}
	if n.Lat != nil && !(*n.Lat >= -90 && *n.Lat <= 90) {
		return FieldErrorf("lat", "lat must be between -90 and 90.")
	}
	return nil
}

// SuggestionUpdate is the office's change to a suggestion: nil fields stay.
// AssignedTo set to a pointer to 0 unassigns.
type SuggestionUpdate struct {
	AssignedTo *int64
	State      *string
	Reason     *string
	Answer     *string
	Category   *string
}

// Apply changes s by u and checks the result: a state from SuggestionStates, and
// a reason for not_feasible.
func (u *SuggestionUpdate) Apply(s *Suggestion) error {
	if v := u.State; v != nil {
		if !slices.Contains(SuggestionStates, *v) {
			return FieldErrorf("state", "state must be one of %s.", strings.Join(SuggestionStates, ", "))
		}
		s.State = *v
	}
	if v := u.Reason; v != nil {
		s.Reason = strings.TrimSpace(*v)
	}
	if v := u.Answer; v != nil {
		s.Answer = *v
	}
	if v := u.Category; v != nil {
		s.Category = strings.TrimSpace(*v)
	}
	if v := u.AssignedTo; v != nil {
		if *v < 0 {
			return FieldErrorf("assigned_to", "assigned_to must be an organization id, or 0 for none.")
		}
		if *v == 0 {
			s.AssignedTo = nil
		} else {
			id := *v
			s.AssignedTo = &id
		}
	}
	if err := CheckText("reason", s.Reason, MaxSuggestionAnswer, false, true); err != nil {
		return err
	}
	if err := CheckText("answer", s.Answer, MaxSuggestionAnswer, false, true); err != nil {
		return err
	}
	if err := CheckText("category", s.Category, MaxSuggestionShort, true, false); err != nil {
		return err
	}
	if s.State == SuggestionNotFeasible && s.Reason == "" {
		return FieldErrorf("reason", "Say why the suggestion is not feasible.")
	}
	return nil
}

// SuggestionReport is a year's suggestions counted by category, state and area,
// with shares rounded once (Shares).
type SuggestionReport struct {
	Year       int          `json:"year"`
	Total      int          `json:"total"`
	Categories []ReportLine `json:"categories"`
	States     []ReportLine `json:"states"`
	Areas      []ReportLine `json:"areas"`
}

// ReportLine is one row of a report: what is counted, how many, and its share.
// Its JSON names the key by the table it is in ("category", "state" or "area").
type ReportLine struct {
	Key     string
	Count   int
	Percent Percent
}

// NewReportLines counts keys in order, with shares of their sum.
func NewReportLines(keys []string, counts []int) []ReportLine {
	lines := make([]ReportLine, len(keys))
	for i, s := range Shares(counts) {
		lines[i] = ReportLine{Key: keys[i], Count: s.Count, Percent: s.Percent}
	}
	return lines
}

// MarshalJSON writes the report as docs/api.md has it: each line names its key by
// its table, as {"category","count","share_percent"}.
func (r *SuggestionReport) MarshalJSON() ([]byte, error) {
	type (
		category struct {
			Category string  `json:"category"`
			Count    int     `json:"count"`
			Percent  Percent `json:"share_percent"`
		}
		state struct {
			State   string  `json:"state"`
			Count   int     `json:"count"`
			Percent Percent `json:"share_percent"`
		}
		area struct {
			Area    string  `json:"area"`
			Count   int     `json:"count"`
			Percent Percent `json:"share_percent"`
		}
	)
	out := struct {
		Year       int        `json:"year"`
		Total      int        `json:"total"`
		Categories []category `json:"categories"`
		States     []state    `json:"states"`
		Areas      []area     `json:"areas"`
	}{Year: r.Year, Total: r.Total, Categories: []category{}, States: []state{}, Areas: []area{}}
	for _, l := range r.Categories {
		out.Categories = append(out.Categories, category{l.Key, l.Count, l.Percent})
	}
	for _, l := range r.States {
		out.States = append(out.States, state{l.Key, l.Count, l.Percent})
	}
	for _, l := range r.Areas {
		out.Areas = append(out.Areas, area{l.Key, l.Count, l.Percent})
	}
	return json.Marshal(out)
}

// SuggestionRecord is one suggestion of an earlier year, entered from paper
// records (doorstep import suggestions).
type SuggestionRecord struct {
	ExternalID, FiledOn, Category, Title, Text, Area, State, Answer string
	Year                                                            int
}

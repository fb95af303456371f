package doorstep

import "time"

// Daily summaries (issue 17): what needs attention, for each organization (the
// open reports on its listings) and for the street office (the reports of every
// organization and the suggestions). A summary names each item by its listing or
// title and says what kind it is; it never carries a resident's note, phone or
// contact, so it may go out by e-mail.

// Summary scopes.
const (
	SummaryOrganization = "organization"
	SummaryOffice       = "office"
)

// DefaultOverdueDays is how long an item may stay open before a summary calls it
// overdue; MaxOverdueDays bounds the setting.
const (
	DefaultOverdueDays = 7
	MaxOverdueDays     = 365
)

// Summary is one day's summary for an organization or the office.
type Summary struct {
	Scope            string         `json:"scope"` // SummaryOrganization or SummaryOffice
	OrganizationID   *int64         `json:"organization_id"`
	OrganizationName string         `json:"organization_name"`
	Day              string         `json:"day"` // YYYY-MM-DD in the street's time zone
	GeneratedAt      time.Time      `json:"generated_at"`
	OverdueDays      int            `json:"overdue_days"`
	Reports          SummaryCounts  `json:"reports"`
	Suggestions      *SummaryCounts `json:"suggestions"` // the office's only
	// Items are the new and the overdue items, oldest first.
	Items []SummaryItem `json:"items"`
}

// SummaryCounts counts open items: all, those filed in the last day, and those
// open for more than the overdue days.
type SummaryCounts struct {
	Open    int `json:"open"`
	New     int `json:"new"`
	Overdue int `json:"overdue"`
}

// SummaryItem is one new or overdue item of a summary.
type SummaryItem struct {
	Kind             string    `json:"kind"` // "report" or "suggestion"
	ID               int64     `json:"id"`
	Title            string    `json:"title"`  // the listing's name, or the suggestion's title
	Detail           string    `json:"detail"` // the report's kind, or the suggestion's state
	OrganizationID   *int64    `json:"organization_id"`
	OrganizationName string    `json:"organization_name"`
	CreatedAt        time.Time `json:"created_at"`
	AgeDays          int       `json:"age_days"` // whole days open
	New              bool      `json:"new"`
	Overdue          bool      `json:"overdue"`
}

// Empty reports whether the summary has nothing new and nothing overdue.
func (s *Summary) Empty() bool { return len(s.Items) == 0 }

// SummaryClock says when a summary is made: Now, in the street's time zone Loc,
// with items open more than OverdueDays overdue.
type SummaryClock struct {
	Now         time.Time
	Loc         *time.Location
	OverdueDays int
}

// Classify counts an item filed at created into c and says whether it is new
// (filed in the last day) or overdue, and how many whole days it has been open.
func (k SummaryClock) Classify(c *SummaryCounts, created time.Time) (isNew, overdue bool, ageDays int) {
	age := k.Now.Sub(created)
	ageDays = int(age / (24 * time.Hour))
	isNew = age < 24*time.Hour
	overdue = age > time.Duration(k.OverdueDays)*24*time.Hour
	c.Open++
	if isNew {
		c.New++
	}
	if overdue {
		c.Overdue++
	}
	return isNew, overdue, ageDays
}

package doorstep

import (
	"time"
)

// Activity is a class or event a place (a listing, usually a citizen station or an
// activity room) holds: once, or again and again by an RFC 5545 recurrence rule.
// Times are wall-clock times in the street's time zone (Asia/Shanghai), so a class
// at 14:00 stays at 14:00 whatever the zone's offset.
type Activity struct {
	ID          int64  `json:"id"`
	ServiceID   int64  `json:"service_id"`
	Title       string `json:"title"`
	TitleEn     string `json:"title_en"`
	Description string `json:"description"`
	// Start and End are the first occurrence's wall-clock times, ActivityTimeLayout;
	// every occurrence lasts as long.
	Start string `json:"start"`
	End   string `json:"end"`
	// RRule is an RFC 5545 RRULE value without DTSTART ("FREQ=WEEKLY;BYDAY=WE"),
	// "" for a one-off activity. calendar.CheckRule says which rules are taken.
	RRule string `json:"rrule"`
	// ExDates are days (DateLayout) on which an occurrence is left out (RFC 5545
	// EXDATE: a holiday). CancelledDates are days whose occurrence is called off
	// but still shown, as cancelled.
	ExDates        []string  `json:"exdates"`
	CancelledDates []string  `json:"cancelled_dates"`
	Capacity       *int      `json:"capacity"`  // places, nil when open to all
	SignUp         bool      `json:"sign_up"`   // 需报名: residents sign up first
	Cancelled      bool      `json:"cancelled"` // called off as a whole
	Sample         bool      `json:"sample"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
	Version        int64     `json:"version"`
}

// ActivityTimeLayout is the form of an activity's Start and End: a wall-clock
// time in the street's zone, without offset.
const ActivityTimeLayout = "2006-01-02T15:04"

// Limits on activities, shared by the editing API and the sample loader. A place
// keeps a weekly programme: tens of activities, not thousands; each lookup expands
// the occurrences of every place in reach.
const (
	MaxActivitiesPerPlace = 50
	MaxActivityTitleRunes = 60
	MaxActivityTextRunes  = 1000
	MaxActivityDates      = 100 // exdates, and cancelled_dates, each
	MaxActivityCapacity   = 10_000
	MaxActivityDuration   = 12 * time.Hour
)

// Occurrence is one time an activity takes place.
type Occurrence struct {
	ActivityID int64
	ServiceID  int64
	Start, End time.Time
	// Cancelled: the activity, or this day's occurrence, is called off.
	Cancelled bool
}

// StartIn returns the activity's first start and its end in loc.
func (a *Activity) StartIn(loc *time.Location) (start, end time.Time, err error) {
	start, err = time.ParseInLocation(ActivityTimeLayout, a.Start, loc)
	if err != nil {
		return start, end, FieldErrorf("start", "start must be a local time such as 2026-12-09T14:00.")
	}
	end, err = time.ParseInLocation(ActivityTimeLayout, a.End, loc)
	if err != nil {
		return start, end, FieldErrorf("end", "end must be a local time such as 2026-12-09T15:30.")
	}
	return start, end, nil
}

// ActivityUpdate is a change to an activity: each field given (not nil) replaces
// the activity's value, the others keep it, as ServiceUpdate does for listings.
type ActivityUpdate struct {
	Title          *string
	TitleEn        *string
	Description    *string
	Start, End     *string
	RRule          *string
	ExDates        *[]string
	CancelledDates *[]string
	Capacity       **int
	SignUp         *bool
	Cancelled      *bool
	// Sample is for the sample loader; the API refuses it.
	Sample *bool
}

// Apply sets the fields the update gives on a.
func (u *ActivityUpdate) Apply(a *Activity) {
	set(&a.Title, u.Title)
	set(&a.TitleEn, u.TitleEn)
	set(&a.Description, u.Description)
	set(&a.Start, u.Start)
	set(&a.End, u.End)
	set(&a.RRule, u.RRule)
	setList(&a.ExDates, u.ExDates)
	setList(&a.CancelledDates, u.CancelledDates)
	setClearable(&a.Capacity, u.Capacity)
	set(&a.SignUp, u.SignUp)
	set(&a.Cancelled, u.Cancelled)
	set(&a.Sample, u.Sample)
}

// Validate checks a, the activity the update made (after Apply; creating when a
// is new), in the street's zone loc: a new activity needs title, start and end;
// texts within their limits; end after start by at most MaxActivityDuration; the
// dates well formed and bounded; a capacity from 1 to MaxActivityCapacity; and the
// recurrence rule accepted by checkRule (calendar.CheckRule), which is given the
// first start. The error is an EINVALID naming the first bad field.
func (u *ActivityUpdate) Validate(a *Activity, creating bool, loc *time.Location, checkRule func(rule string, start time.Time) error) error {
	if creating {
		for _, f := range []struct {
			name  string
			given bool
		}{{"title", u.Title != nil}, {"start", u.Start != nil}, {"end", u.End != nil}} {
			if !f.given {
				return FieldErrorf(f.name, "%s is required for a new activity.", f.name)
			}
		}
	}
	return a.Validate(loc, checkRule)
}

// Validate checks an activity's fields wherever it comes from; see
// ActivityUpdate.Validate.
func (a *Activity) Validate(loc *time.Location, checkRule func(rule string, start time.Time) error) error {
	for _, t := range []struct {
		field, value string
		max          int
		required     bool
		multiline    bool
	}{
		{"title", a.Title, MaxActivityTitleRunes, true, false},
		{"title_en", a.TitleEn, MaxActivityTitleRunes, false, false},
		{"description", a.Description, MaxActivityTextRunes, false, true},
	} {
		if err := CheckText(t.field, t.value, t.max, t.required, t.multiline); err != nil {
			return err
		}
	}
	start, end, err := a.StartIn(loc)
	if err != nil {
		return err
	}
	if !end.After(start) {
		return FieldErrorf("end", "end must be after start.")
	}
	if end.Sub(start) > MaxActivityDuration {
		return FieldErrorf("end", "An activity may last at most %d hours.", int(MaxActivityDuration.Hours()))
	}
	for _, d := range []struct {
		field string
		dates []string
	}{{"exdates", a.ExDates}, {"cancelled_dates", a.CancelledDates}} {
		if len(d.dates) > MaxActivityDates {
			return FieldErrorf(d.field, "%s may hold at most %d dates (it has %d).", d.field, MaxActivityDates, len(d.dates))
		}
		for _, s := range d.dates {
			if _, err := time.ParseInLocation(DateLayout, s, loc); err != nil {
				return FieldErrorf(d.field, "%s must be dates such as 2026-12-09 (%q is not).", d.field, truncate(s, 20))
			}
		}
	}
	if a.Capacity != nil && (*a.Capacity < 1 || *a.Capacity > MaxActivityCapacity) {
		return FieldErrorf("capacity", "capacity must be from 1 to %d, or null when open to all.", MaxActivityCapacity)
	}
	if a.RRule != "" && checkRule != nil {
		if err := checkRule(a.RRule, start); err != nil {
			return err
		}
	}
	return nil
}

// truncate cuts s to at most n bytes at a character boundary, for messages.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

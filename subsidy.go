package doorstep

import (
	"fmt"
	"time"
)

// Limits on the street's meal subsidy rules: a street has a handful of age bands.
const (
	MaxSubsidyBands      = 12
	MaxSubsidyAge        = 130
	MaxConditionsRunes   = 200
	MaxSubsidyNoteRunes  = 500
	MaxSubsidyVersionsIn = 100 // versions one answer lists, newest first
)

// SubsidyBand is one age band of the meal subsidy (助餐补贴): residents aged MinAge
// to MaxAge (nil: no upper end), both included, pay AmountOffFen less, or
// PercentOff percent less — exactly one of the two — under Conditions, text such as
// "本市户籍" the portal shows but does not check.
type SubsidyBand struct {
	MinAge       int    `json:"min_age"`
	MaxAge       *int   `json:"max_age"`
	AmountOffFen *int   `json:"amount_off_fen"`
	PercentOff   *int   `json:"percent_off"`
	Conditions   string `json:"conditions"`
}

// Holds reports whether age falls in the band.
func (b *SubsidyBand) Holds(age int) bool {
	return age >= b.MinAge && (b.MaxAge == nil || age <= *b.MaxAge)
}

// Pay returns what a resident in the band pays for a price of priceFen: the amount
// off, or the share off rounded to the nearest fen (halves up); never below 0.
// static/meals.js payFen computes the same for the resident page.
func (b *SubsidyBand) Pay(priceFen int) int {
	off := 0
	switch {
	case b.AmountOffFen != nil:
		off = *b.AmountOffFen
	case b.PercentOff != nil:
		off = (priceFen**b.PercentOff + 50) / 100
	}
	return max(0, priceFen-off)
}

// SubsidyRules is one version of the street's meal subsidy rules, in effect from
// EffectiveFrom to EffectiveTo ("" for no end), both YYYY-MM-DD in the street's
// time zone and included. Every change is a new version; on a date the newest
// version whose dates hold it is in effect.
type SubsidyRules struct {
	Version       int64         `json:"version"`
	EffectiveFrom string        `json:"effective_from"`
	EffectiveTo   string        `json:"effective_to"`
	Bands         []SubsidyBand `json:"bands"`
	Note          string        `json:"note"`
	Sample        bool          `json:"sample"`
	CreatedAt     time.Time     `json:"created_at"`
}

// BandFor returns the band that holds age, or nil.
func (r *SubsidyRules) BandFor(age int) *SubsidyBand {
	if r == nil {
		return nil
	}
	for i := range r.Bands {
		if r.Bands[i].Holds(age) {
			return &r.Bands[i]
		}
	}
	return nil
}

// Validate checks a new version of the rules: dates (to not before from), 1 to
// MaxSubsidyBands bands, each with ages 0 to MaxSubsidyAge (max not below min),
// exactly one of an amount off (0 to MaxPriceFen fen) or a share off (0 to 100
// percent), conditions as text; bands may not overlap, since a resident's age must
// name one. Errors are EINVALID naming the field ("bands[1].max_age").
func (r *SubsidyRules) Validate() error {
	if _, err := time.Parse(DateLayout, r.EffectiveFrom); err != nil {
		return FieldErrorf("effective_from", "effective_from must be a date such as 2027-01-01.")
	}
	if r.EffectiveTo != "" {
		if _, err := time.Parse(DateLayout, r.EffectiveTo); err != nil {
			return FieldErrorf("effective_to", `effective_to must be a date such as 2027-12-31, or "" for no end.`)
		}
		if r.EffectiveTo < r.EffectiveFrom {
			return FieldErrorf("effective_to", "effective_to must not be before effective_from.")
		}
	}
	if len(r.Bands) == 0 || len(r.Bands) > MaxSubsidyBands {
		return FieldErrorf("bands", "The rules hold 1 to %d age bands (they have %d).", MaxSubsidyBands, len(r.Bands))
	}
	for i := range r.Bands {
		if err := r.Bands[i].validate(fmt.Sprintf("bands[%d].", i)); err != nil {
			return err
		}
		for j := range i {
			if overlap(&r.Bands[i], &r.Bands[j]) {
				return FieldErrorf(fmt.Sprintf("bands[%d].min_age", i), "Age band %d overlaps band %d: a resident's age must fall in one band.", i+1, j+1)
			}
		}
	}
	return CheckText("note", r.Note, MaxSubsidyNoteRunes, false, true)
}

func (b *SubsidyBand) validate(prefix string) error {
	if b.MinAge < 0 || b.MinAge > MaxSubsidyAge {
		return FieldErrorf(prefix+"min_age", "min_age must be an age from 0 to %d.", MaxSubsidyAge)
	}
	if b.MaxAge != nil && (*b.MaxAge < b.MinAge || *b.MaxAge > MaxSubsidyAge) {
		return FieldErrorf(prefix+"max_age", "max_age must be an age from min_age to %d, or null for no upper end.", MaxSubsidyAge)
	}
	switch {
	case (b.AmountOffFen == nil) == (b.PercentOff == nil):
		return FieldErrorf(prefix+"amount_off_fen", "Give exactly one of amount_off_fen (fen off) and percent_off (percent off).")
	case b.AmountOffFen != nil:
		if err := checkPrice(prefix+"amount_off_fen", b.AmountOffFen); err != nil {
			return err
		}
	case *b.PercentOff < 0 || *b.PercentOff > 100:
		return FieldErrorf(prefix+"percent_off", "percent_off must be a whole number from 0 to 100.")
	}
	return CheckText(prefix+"conditions", b.Conditions, MaxConditionsRunes, false, false)
}

// overlap reports whether two bands share an age.
func overlap(a, b *SubsidyBand) bool {
	top := func(x *SubsidyBand) int {
		if x.MaxAge == nil {
			return MaxSubsidyAge
		}
		return *x.MaxAge
	}
	return a.MinAge <= top(b) && b.MinAge <= top(a)
}

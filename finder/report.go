package finder

import (
	"math"

	"doorstep"
)

// CoverageQuery asks for coverage at one threshold and speed.
type CoverageQuery struct {
	Minutes    float64  // the circle in minutes on foot, 1–60 (doorstep.DefaultCircleMinutes)
	Speed      float64  // metres a minute, doorstep.SpeedMin–SpeedMax (doorstep.ParseSpeed)
	Categories []string // category ids; none: every category
}

// Validate returns an EINVALID error naming minutes, speed or category when one is
// out of range or unknown to b.
func (q CoverageQuery) Validate(b *Base) error {
	if math.IsNaN(q.Minutes) || q.Minutes < 1 || q.Minutes > 60 {
		return doorstep.FieldErrorf("minutes", "minutes must be between 1 and 60.")
	}
	if err := doorstep.CheckSpeed(q.Speed); err != nil {
		return err
	}
	for _, id := range q.Categories {
		if err := b.CheckCategory(id); err != nil {
			return err
		}
	}
	return nil
}

// CoverageJSON is a coverage report as GET /api/coverage answers it and `doorstep
// coverage --format json` prints it: shares to three decimals, residents whole.
type CoverageJSON struct {
	Minutes      float64                `json:"minutes"`
	SpeedMPerMin float64                `json:"speed_m_per_min"`
	Profile      doorstep.ProfileName   `json:"profile"`
	StepSeconds  *float64               `json:"step_seconds,omitempty"` // walker only
	Categories   []CategoryCoverageJSON `json:"categories"`
	Areas        []AreaCoverageJSON     `json:"areas"`
}

// CategoryCoverageJSON is one category's summary.
type CategoryCoverageJSON struct {
	Category          string  `json:"category"`
	AreasTotal        int     `json:"areas_total"`
	AreasFull         int     `json:"areas_full"`
	AreasNone         int     `json:"areas_none"`
	ElderlyTotal      int     `json:"elderly_total"`
	ElderlyCovered    float64 `json:"elderly_covered"`
	ElderlyShare      float64 `json:"elderly_share"`
	PopulationTotal   int     `json:"population_total"`
	PopulationCovered float64 `json:"population_covered"`
	// WithDelivery is the same summary counting, besides, the points inside an
	// open service's delivery area (送餐上门, meal points); absent when none delivers.
	WithDelivery *CategoryCoverageJSON `json:"with_delivery,omitempty"`
}

// AreaCoverageJSON is one area's share within the circle and median walk per category.
type AreaCoverageJSON struct {
	ID          int64               `json:"id"`
	Name        string              `json:"name"`
	Elderly     int                 `json:"elderly"`
	Population  int                 `json:"population"`
	ShareWithin map[string]float64  `json:"share_within"`
	WalkMinutes map[string]*float64 `json:"walk_minutes"`
	// ShareWithinOrDelivery is, for the categories some service of which
	// delivers, the share within the circle or inside a delivery area.
	ShareWithinOrDelivery map[string]float64 `json:"share_within_or_delivery,omitempty"`
}

// JSON returns the report as the API answers it.
func (r *CoverageReport) JSON() CoverageJSON {
	out := CoverageJSON{Minutes: r.Minutes, SpeedMPerMin: r.SpeedMPerMin, Profile: r.Profile.Name, Areas: []AreaCoverageJSON{}}
	if r.Profile.Name == doorstep.ProfileWalker {
		out.StepSeconds = &r.Profile.StepSeconds
	}
	for _, c := range r.Categories {
		out.Categories = append(out.Categories, c.JSON())
	}
	for i, a := range r.Areas {
		aj := AreaCoverageJSON{ID: a.ID, Name: a.Name, Elderly: a.Elderly, Population: a.Population,
			ShareWithin: map[string]float64{}, WalkMinutes: map[string]*float64{}}
		for j, c := range r.Categories {
			aj.ShareWithin[c.Category] = r.PerArea[i][j].ShareRounded()
			aj.WalkMinutes[c.Category] = r.PerArea[i][j].WalkMinutes
			if d := r.PerArea[i][j].ShareWithDelivery; d != nil {
				if aj.ShareWithinOrDelivery == nil {
					aj.ShareWithinOrDelivery = map[string]float64{}
				}
				aj.ShareWithinOrDelivery[c.Category] = Round3(*d)
			}
		}
		out.Areas = append(out.Areas, aj)
	}
	return out
}

// JSON returns the summary as the API answers it.
func (c CategoryCoverage) JSON() CategoryCoverageJSON {
	out := CategoryCoverageJSON{
		Category: c.Category, AreasTotal: c.AreasTotal, AreasFull: c.AreasFull, AreasNone: c.AreasNone,
		ElderlyTotal: c.ElderlyTotal, ElderlyCovered: math.Round(c.ElderlyCovered), ElderlyShare: Round3(c.ElderlyShare),
		PopulationTotal: c.PopulationTotal, PopulationCovered: math.Round(c.PopulationCovered),
	}
	if c.WithDelivery != nil {
		d := c.WithDelivery.JSON()
		out.WithDelivery = &d
	}
	return out
}

// ShareRounded is the area's share within the circle to three decimals, as every
// answer gives it, so tables, CSV and the dashboard agree to the person.
func (a AreaCoverage) ShareRounded() float64 { return Round3(a.Share) }

// Round3 rounds a share to three decimals, as answers give shares.
func Round3(f float64) float64 { return math.Round(f*1000) / 1000 }

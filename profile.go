package doorstep

import (
	"math"
	"strconv"
	"strings"
)

// Access is what a walking line holds for people who cannot take steps, as a bit
// set reduced from OpenStreetMap's highway, wheelchair, kerb, incline and ramp tags
// (docs/osm.md). The zero Access is an ordinary, level way.
type Access uint8

// Access bits.
const (
	AccessSteps        Access = 1 << iota // highway=steps: a flight of steps
	AccessRamp                            // steps with a ramp a wheelchair can use (ramp:wheelchair=yes, ramp=yes)
	AccessNoWheelchair                    // wheelchair=no
	AccessKerb                            // a raised kerb on the line (kerb=raised, barrier=kerb)
	AccessSteep                           // steeper than SteepInclinePercent
	AccessElevator                        // highway=elevator: a lift
	_
	// AccessFlight is set by the walking graph, never stored: the one edge of a
	// flight of steps (steps edges joined end to end where nothing else meets,
	// however many ways they come from) that stands for it, so a walk up the whole
	// flight counts and pays for it once.
	AccessFlight
)

// SteepInclinePercent is the slope above which a line counts as steep: 8 %, about
// the 1:12 that ramps for wheelchairs are built to.
const SteepInclinePercent = 8

// StepFree reports whether a wheelchair or walker can use the line: no steps
// (unless a ramp runs beside them), no raised kerb, not marked wheelchair=no.
func (a Access) StepFree() bool {
	if a&AccessSteps != 0 && a&AccessRamp == 0 {
		return false
	}
	return a&(AccessNoWheelchair|AccessKerb) == 0
}

// ProfileName names how a resident walks.
type ProfileName string

// Profiles.
const (
	ProfileWalk     ProfileName = "walk"      // every walkable way, steps included (the default)
	ProfileStepFree ProfileName = "step_free" // no steps, raised kerbs or wheelchair=no ways; lifts and ramps are fine
	ProfileWalker   ProfileName = "walker"    // steps allowed, each flight costing StepSeconds more
)

// Default and bounds of the walker profile's time for one flight of steps, seconds.
const (
	DefaultStepSeconds = 30
	MaxStepSeconds     = 600
)

// Profile is how a resident walks: which ways they can use and what a flight of
// steps costs them. The zero Profile is ProfileWalk.
type Profile struct {
	Name        ProfileName
	StepSeconds float64 // walker only: extra seconds a flight of steps takes
}

// Walk is the plain profile: every walkable way at its length.
var Walk = Profile{Name: ProfileWalk}

// ParseProfile reads a profile as a query parameter or flag gives it: walk (the
// default when empty), step_free, or walker; stepSeconds ("" for the default 30) is
// the walker's extra time a flight, 0–600 seconds, and is ignored by the others.
func ParseProfile(name, stepSeconds string) (Profile, error) {
	p := Profile{Name: ProfileName(strings.ToLower(strings.TrimSpace(name)))}
	switch p.Name {
	case "":
		p.Name = ProfileWalk
	case ProfileWalk, ProfileStepFree:
	case ProfileWalker:
		p.StepSeconds = DefaultStepSeconds
		if s := strings.TrimSpace(stepSeconds); s != "" {
			v, err := strconv.ParseFloat(s, 64)
			if err != nil || math.IsNaN(v) || v < 0 || v > MaxStepSeconds {
				return Profile{}, FieldErrorf("step_seconds", "step_seconds must be seconds from 0 to %d.", MaxStepSeconds)
			}
			p.StepSeconds = v
		}
	default:
		return Profile{}, FieldErrorf("profile", "profile must be walk, step_free or walker.")
	}
	return p, nil
}

// String is the profile's name, with the walker's seconds a flight when not the
// default: "walker:45".
func (p Profile) String() string {
	if p.Name == "" {
		return string(ProfileWalk)
	}
	if p.Name == ProfileWalker && p.StepSeconds != DefaultStepSeconds {
		return string(p.Name) + ":" + strconv.FormatFloat(p.StepSeconds, 'f', -1, 64)
	}
	return string(p.Name)
}

// Plain reports whether the profile walks every way at its length, as ProfileWalk
// does (a walker whose flights cost nothing is one too).
func (p Profile) Plain() bool {
	return p.Name == "" || p.Name == ProfileWalk || (p.Name == ProfileWalker && p.StepSeconds == 0)
}

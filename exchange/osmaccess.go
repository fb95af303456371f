package exchange

import (
	"math"
	"strconv"
	"strings"

	"doorstep"

	"github.com/paulmach/osm"
)

// WayAccess reduces a way's tags to what the walking profiles need
// (doorstep.Access): kind is its walking kind (WalkableHighway), find reads a tag
// ("" when absent). Steps are highway=steps, with a ramp when ramp:wheelchair or
// ramp says so or wheelchair=yes; wheelchair=no is kept; a kerb tag other than
// lowered, flush or no is a raised kerb; an incline steeper than
// doorstep.SteepInclinePercent (in % or °) is steep; highway=elevator is a lift.
func WayAccess(kind string, find func(key string) string) doorstep.Access {
	var a doorstep.Access
	switch kind {
	case "steps":
		a |= doorstep.AccessSteps
		rampWheelchair := find("ramp:wheelchair")
		if rampWheelchair == "yes" || rampWheelchair == "designated" ||
			(find("ramp") == "yes" && rampWheelchair != "no") || find("wheelchair") == "yes" {
			a |= doorstep.AccessRamp
		}
	case "elevator":
		a |= doorstep.AccessElevator
	}
	if find("wheelchair") == "no" {
		a |= doorstep.AccessNoWheelchair
	}
	if raisedKerb(find("kerb")) {
		a |= doorstep.AccessKerb
	}
	if steepIncline(find("incline")) {
		a |= doorstep.AccessSteep
	}
	return a
}

// raisedKerb reads a kerb value: present and not lowered, flush or no.
func raisedKerb(v string) bool {
	switch strings.TrimSpace(v) {
	case "", "lowered", "flush", "no", "none":
		return false
	}
	return true
}

// kerbNode reports whether a node is a raised kerb: barrier=kerb or a kerb tag,
// unless the kerb is lowered or flush.
func kerbNode(tags osm.Tags) bool {
	k := tags.Find("kerb")
	if tags.Find("barrier") == "kerb" {
		return k == "" || raisedKerb(k)
	}
	return raisedKerb(k)
}

// steepIncline reads an incline value ("12%", "-10 %", "5°"); up, down and what
// does not parse are not steep, since they say nothing of how steep.
func steepIncline(v string) bool {
	v = strings.TrimSpace(v)
	deg := strings.HasSuffix(v, "°")
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSuffix(v, "%"), "°"))
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	if deg {
		f = math.Tan(f*math.Pi/180) * 100
	}
	return math.Abs(f) > doorstep.SteepInclinePercent
}

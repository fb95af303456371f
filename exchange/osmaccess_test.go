package exchange

import (
	"testing"

	"doorstep"
)

// TestReadOSMAccess reads testdata/access.osm, whose ways are named for what they
// test, and checks what each line keeps for the walking profiles.
func TestReadOSMAccess(t *testing.T) {
	lines, _ := readTestOSM(t, "access.osm")
	got := map[string]doorstep.Access{}
	for _, l := range lines {
		got[l.Name] |= l.Access
	}
	want := map[string]doorstep.Access{
		"plain steps":         doorstep.AccessSteps,
		"steps with a ramp":   doorstep.AccessSteps | doorstep.AccessRamp,
		"wheelchair no":       doorstep.AccessNoWheelchair,
		"raised kerb inside":  doorstep.AccessKerb,
		"lowered kerb inside": 0,
		"steep":               doorstep.AccessSteep,
		"incline up":          0,
		"lift":                doorstep.AccessElevator,
		"kerb tag":            doorstep.AccessKerb,
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || g != w {
			t.Errorf("%s: access %06b, want %06b", name, g, w)
		}
	}
}

func TestWayAccessTags(t *testing.T) {
	tests := []struct {
		name string
		kind string
		tags map[string]string
		want doorstep.Access
	}{
		{"footway", "footway", nil, 0},
		{"steps", "steps", nil, doorstep.AccessSteps},
		{"steps, ramp=yes", "steps", map[string]string{"ramp": "yes"}, doorstep.AccessSteps | doorstep.AccessRamp},
		{"steps, bicycle ramp only", "steps", map[string]string{"ramp": "yes", "ramp:wheelchair": "no"}, doorstep.AccessSteps},
		{"steps, wheelchair=yes", "steps", map[string]string{"wheelchair": "yes"}, doorstep.AccessSteps | doorstep.AccessRamp},
		{"incline 8 % is not steep", "footway", map[string]string{"incline": "8%"}, 0},
		{"incline 5° is steep", "footway", map[string]string{"incline": "5°"}, doorstep.AccessSteep},
		{"incline nonsense", "footway", map[string]string{"incline": "steep-ish"}, 0},
		{"kerb flush", "crossing", map[string]string{"kerb": "flush"}, 0},
		{"kerb rolled", "crossing", map[string]string{"kerb": "rolled"}, doorstep.AccessKerb},
		{"elevator, wheelchair=no", "elevator", map[string]string{"wheelchair": "no"}, doorstep.AccessElevator | doorstep.AccessNoWheelchair},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := WayAccess(tc.kind, func(k string) string { return tc.tags[k] })
			if got != tc.want {
				t.Errorf("access %06b, want %06b", got, tc.want)
			}
			if stepFree := tc.want.StepFree(); got.StepFree() != stepFree {
				t.Errorf("StepFree %v", got.StepFree())
			}
		})
	}
}

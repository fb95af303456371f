package doorstep

import (
	"math"
	"strconv"
	"strings"
)

// ParseSpeed reads a walking speed as every input gives it — a query parameter, a
// JSON member, a command-line flag: a profile name (elder, the default when s is
// empty, or adult) or metres a minute from SpeedMin to SpeedMax.
func ParseSpeed(s string) (float64, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "elder":
		return SpeedElder, nil
	case "adult":
		return SpeedAdult, nil
	}
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return 0, errSpeed()
	}
	return v, CheckSpeed(v)
}

// CheckSpeed returns an EINVALID error naming speed unless v is a speed in metres a
// minute from SpeedMin to SpeedMax.
func CheckSpeed(v float64) error {
	if math.IsNaN(v) || v < SpeedMin || v > SpeedMax {
		return errSpeed()
	}
	return nil
}

func errSpeed() error {
	return FieldErrorf("speed", "speed must be elder, adult, or metres a minute from %g to %g.", SpeedMin, SpeedMax)
}

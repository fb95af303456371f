package geo_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/paulmach/orb"

	"doorstep/geo"
)

// assertFloatNear fails unless |got-want| <= eps.
func assertFloatNear(tb testing.TB, name string, got, want, eps float64) {
	tb.Helper()
	if !(math.Abs(got-want) <= eps) {
		tb.Errorf("%s = %.9f, want %.9f ± %g", name, got, want, eps)
	}
}

func TestDistance(t *testing.T) {
	const r = geo.MeanEarthRadius
	oneDegree := r * math.Pi / 180 // 111,195.08 m
	tests := []struct {
		name string
		a, b orb.Point
		want float64
		eps  float64
	}{
		{"same point", shanghai, shanghai, 0, 0},
		{"one degree of latitude", orb.Point{121.47, 31}, orb.Point{121.47, 32}, oneDegree, 1e-6},
		{"one degree along the equator", orb.Point{0, 0}, orb.Point{1, 0}, oneDegree, 1e-6},
		{"one degree of longitude at 60°N", orb.Point{10, 60}, orb.Point{11, 60},
			// The great circle cuts north of the parallel, so it is shorter
			// than cos(60°) of a degree: 2R·asin(cos 60°·sin 0.5°).
			2 * r * math.Asin(0.5*math.Sin(0.5*math.Pi/180)), 1e-6},
		{"across the antimeridian", orb.Point{179.9, 0}, orb.Point{-179.9, 0}, 0.2 * oneDegree, 1e-6},
		{"pole to pole", orb.Point{0, 90}, orb.Point{123, -90}, math.Pi * r, 1e-6},
		// The haversine is ill-conditioned at the antipode: decimetres there.
		{"antipodes", orb.Point{121.47, 31.23}, orb.Point{-58.53, -31.23}, math.Pi * r, 0.5},
		{"quarter circumference", orb.Point{0, 0}, orb.Point{90, 0}, math.Pi / 2 * r, 1e-6},
		// Independent figure: the mean-sphere distance from People's Square
		// to the Oriental Pearl Tower, by the spherical law of cosines.
		{"People's Square to Oriental Pearl Tower", orb.Point{121.4737, 31.2304}, orb.Point{121.4997, 31.2397},
			distanceLawOfCosines(orb.Point{121.4737, 31.2304}, orb.Point{121.4997, 31.2397}), 1e-3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertFloatNear(t, "Distance(a, b)", geo.Distance(tc.a, tc.b), tc.want, tc.eps)
			assertFloatNear(t, "Distance(b, a)", geo.Distance(tc.b, tc.a), tc.want, tc.eps)
		})
	}
}

// distanceLawOfCosines is an independent great-circle formula, accurate to
// millimetres at city distances in float64.
func distanceLawOfCosines(a, b orb.Point) float64 {
	rad := math.Pi / 180
	c := math.Sin(a[1]*rad)*math.Sin(b[1]*rad) + math.Cos(a[1]*rad)*math.Cos(b[1]*rad)*math.Cos((b[0]-a[0])*rad)
	return geo.MeanEarthRadius * math.Acos(min(1, c))
}

func TestDistanceSymmetricAndTriangle(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	pts := pointIndexGlobalPoints(rng, 300)
	for i := 0; i+2 < len(pts); i += 3 {
		a, b, c := pts[i], pts[i+1], pts[i+2]
		if geo.Distance(a, b) != geo.Distance(b, a) {
			t.Fatalf("Distance not symmetric for %v, %v", a, b)
		}
		if geo.Distance(a, c) > geo.Distance(a, b)+geo.Distance(b, c)+1e-6 {
			t.Fatalf("triangle inequality fails for %v, %v, %v", a, b, c)
		}
	}
}

func TestProjection(t *testing.T) {
	pr := geo.NewProjection(shanghai)
	rng := rand.New(rand.NewPCG(2, 3))
	t.Run("origin maps to zero", func(t *testing.T) {
		xy := pr.Forward(shanghai)
		assertFloatNear(t, "x", xy[0], 0, 0)
		assertFloatNear(t, "y", xy[1], 0, 0)
	})
	t.Run("round trip", func(t *testing.T) {
		for _, p := range pointIndexRandomPoints(rng, 200, shanghaiBox40k) {
			back := pr.Inverse(pr.Forward(p))
			assertFloatNear(t, "lon", back[0], p[0], 1e-12)
			assertFloatNear(t, "lat", back[1], p[1], 1e-12)
		}
	})
	t.Run("planar distance within 0.2% of great-circle over the city", func(t *testing.T) {
		for _, p := range pointIndexRandomPoints(rng, 200, shanghaiBox40k) {
			xy := pr.Forward(p)
			planar := math.Hypot(xy[0], xy[1])
			gc := geo.Distance(shanghai, p)
			assertFloatNear(t, "planar/great-circle", planar/gc, 1, 0.002)
		}
	})
	t.Run("scale", func(t *testing.T) {
		east, north := pr.MetresPerDegree()
		assertFloatNear(t, "north", north, 111195.0797, 1e-3)
		assertFloatNear(t, "east", east, 111195.0797*math.Cos(31.23*math.Pi/180), 1e-3)
	})
	t.Run("continuous across the antimeridian", func(t *testing.T) {
		pr := geo.NewProjection(orb.Point{179.99, 0})
		xy := pr.Forward(orb.Point{-179.99, 0})
		assertFloatNear(t, "x", xy[0], 0.02*111195.0797, 1e-3)
	})
}

package geo_test

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/paulmach/orb"

	"doorstep/geo"
)

// assertPointNear fails unless got and want differ by at most eps degrees in
// each coordinate.
func assertPointNear(tb testing.TB, got, want orb.Point, eps float64) {
	tb.Helper()
	if math.Abs(got[0]-want[0]) > eps || math.Abs(got[1]-want[1]) > eps {
		tb.Errorf("got %.12f, %.12f, want %.12f, %.12f (±%g°)", got[0], got[1], want[0], want[1], eps)
	}
}

// assertWithinMetres fails unless got is within metres of want.
func assertWithinMetres(tb testing.TB, got, want orb.Point, metres float64) {
	tb.Helper()
	if d := geo.Distance(got, want); !(d <= metres) {
		tb.Errorf("got %.9f, %.9f, %.4f m from %.9f, %.9f; want within %g m", got[0], got[1], d, want[0], want[1], metres)
	}
}

// crsBeijing is the input of the pairs published in the README of
// wandergis/coordTransform_js and repeated by its many ports.
var crsBeijing = orb.Point{116.404, 39.915}

func TestCRSPublishedPairs(t *testing.T) {
	tests := []struct {
		name    string
		convert func(orb.Point) orb.Point
		want    orb.Point
	}{
		{"WGS84 to GCJ-02", geo.WGS84ToGCJ02, orb.Point{116.41024449916938, 39.91640428150164}},
		{"GCJ-02 to BD-09", geo.GCJ02ToBD09, orb.Point{116.41036949371029, 39.92133699351021}},
		{"BD-09 to GCJ-02", geo.BD09ToGCJ02, orb.Point{116.39762729119315, 39.90865673957631}},
		{"WGS84 to BD-09", geo.WGS84ToBD09, orb.Point{116.41662724378733, 39.922699552216216}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assertPointNear(t, tc.convert(crsBeijing), tc.want, 1e-6)
		})
	}

	// The published GCJ-02 → WGS84 pair is the one-step approximation; the
	// iterative inverse is more exact, so it is close to it but not equal.
	oneStep := orb.Point{116.39775550083061, 39.91359571849836}
	t.Run("GCJ-02 to WGS84 is near the one-step approximation", func(t *testing.T) {
		got := geo.GCJ02ToWGS84(crsBeijing)
		assertWithinMetres(t, got, oneStep, 2)
		if got == oneStep {
			t.Error("iterative inverse equals the one-step approximation exactly")
		}
	})
	t.Run("GCJ-02 to WGS84 inverts the published forward pair", func(t *testing.T) {
		assertWithinMetres(t, geo.GCJ02ToWGS84(orb.Point{116.41024449916938, 39.91640428150164}), crsBeijing, 0.05)
	})
	t.Run("BD-09 to WGS84 inverts the published forward pair", func(t *testing.T) {
		assertWithinMetres(t, geo.BD09ToWGS84(orb.Point{116.41662724378733, 39.922699552216216}), crsBeijing, 0.25)
	})
}

func TestCRSRoundTrips(t *testing.T) {
	rng := rand.New(rand.NewPCG(86, 21))
	regions := []struct {
		name string
		box  orb.Bound
	}{
		{"Shanghai", shanghaiBox40k},
		{"mainland China", orb.Bound{Min: orb.Point{74, 18}, Max: orb.Point{134, 53}}},
	}
	for _, r := range regions {
		t.Run(r.name, func(t *testing.T) {
			for _, p := range pointIndexRandomPoints(rng, 2000, r.box) {
				g := geo.WGS84ToGCJ02(p)
				if d := geo.Distance(p, g); d < 10 {
					t.Fatalf("WGS84ToGCJ02(%v) moved only %.1f m", p, d)
				}
				assertWithinMetres(t, geo.GCJ02ToWGS84(g), p, 0.05)
				assertWithinMetres(t, geo.ToWGS84(geo.GCJ02, geo.FromWGS84(geo.GCJ02, p)), p, 0.05)
				assertWithinMetres(t, geo.BD09ToGCJ02(geo.GCJ02ToBD09(g)), g, 0.25)
				assertWithinMetres(t, geo.ToWGS84(geo.BD09, geo.FromWGS84(geo.BD09, p)), p, 0.25)
				if t.Failed() {
					t.FailNow()
				}
			}
		})
	}
}

func TestCRSOutsideChinaUnshifted(t *testing.T) {
	places := []struct {
		name string
		p    orb.Point
	}{
		{"London", orb.Point{-0.1278, 51.5074}},
		{"New York", orb.Point{-74.006, 40.7128}},
		{"Sydney", orb.Point{151.2093, -33.8688}},
		{"Tokyo (east of the box)", orb.Point{139.6917, 35.6895}},
		{"Jakarta (south of the box)", orb.Point{106.8456, -6.2088}},
	}
	convs := []struct {
		name    string
		convert func(orb.Point) orb.Point
	}{
		{"WGS84ToGCJ02", geo.WGS84ToGCJ02}, {"GCJ02ToWGS84", geo.GCJ02ToWGS84},
		{"GCJ02ToBD09", geo.GCJ02ToBD09}, {"BD09ToGCJ02", geo.BD09ToGCJ02},
		{"WGS84ToBD09", geo.WGS84ToBD09}, {"BD09ToWGS84", geo.BD09ToWGS84},
	}
	for _, pl := range places {
		for _, c := range convs {
			t.Run(pl.name+"/"+c.name, func(t *testing.T) {
				if got := c.convert(pl.p); got != pl.p {
					t.Errorf("%s(%v) = %v, want unchanged", c.name, pl.p, got)
				}
			})
		}
	}
}

func TestParseCRS(t *testing.T) {
	tests := []struct {
		in      string
		want    geo.CRS
		wantErr bool
	}{
		{"", geo.WGS84, false},
		{"wgs84", geo.WGS84, false},
		{"WGS84", geo.WGS84, false},
		{"gcj02", geo.GCJ02, false},
		{"GCJ02", geo.GCJ02, false},
		{" Bd09 ", geo.BD09, false},
		{"bd-09", "", true},
		{"epsg:4326", "", true},
		{"mars", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := geo.ParseCRS(tc.in)
			if tc.wantErr {
				if !errors.Is(err, geo.ErrUnknownCRS) {
					t.Fatalf("ParseCRS(%q) error = %v, want ErrUnknownCRS", tc.in, err)
				}
				for _, allowed := range []string{"wgs84", "gcj02", "bd09"} {
					if !strings.Contains(err.Error(), allowed) {
						t.Errorf("error %q does not name %q", err, allowed)
					}
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseCRS(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestToFromWGS84(t *testing.T) {
	p := orb.Point{121.4737, 31.2304}
	tests := []struct {
		crs      geo.CRS
		from, to func(orb.Point) orb.Point
	}{
		{geo.WGS84, func(p orb.Point) orb.Point { return p }, func(p orb.Point) orb.Point { return p }},
		{geo.GCJ02, geo.WGS84ToGCJ02, geo.GCJ02ToWGS84},
		{geo.BD09, geo.WGS84ToBD09, geo.BD09ToWGS84},
		{"unknown", func(p orb.Point) orb.Point { return p }, func(p orb.Point) orb.Point { return p }},
	}
	for _, tc := range tests {
		t.Run(string(tc.crs), func(t *testing.T) {
			assertPointNear(t, geo.FromWGS84(tc.crs, p), tc.from(p), 0)
			assertPointNear(t, geo.ToWGS84(tc.crs, p), tc.to(p), 0)
		})
	}
}

package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

func TestAreaSamplePoints(t *testing.T) {
	// 200 m × 200 m square near Shanghai; a 20 m grid puts 10 × 10 centres inside.
	pr := NewProjection(orb.Point{121.46, 31.29})
	rect := func(x0, y0, x1, y1 float64) orb.Ring {
		return orb.Ring{pr.Inverse(orb.Point{x0, y0}), pr.Inverse(orb.Point{x1, y0}), pr.Inverse(orb.Point{x1, y1}),
			pr.Inverse(orb.Point{x0, y1}), pr.Inverse(orb.Point{x0, y0})}
	}
	square := orb.MultiPolygon{{rect(0, 0, 200, 200)}}
	withHole := orb.MultiPolygon{{rect(0, 0, 200, 200), rect(60, 60, 140, 140)}}
	tiny := orb.MultiPolygon{{rect(0, 0, 5, 5)}}
	// An L shape whose centroid lies outside it.
	ell := orb.MultiPolygon{{orb.Ring{pr.Inverse(orb.Point{0, 0}), pr.Inverse(orb.Point{8, 0}), pr.Inverse(orb.Point{8, 2}),
		pr.Inverse(orb.Point{2, 2}), pr.Inverse(orb.Point{2, 8}), pr.Inverse(orb.Point{0, 8}), pr.Inverse(orb.Point{0, 0})}}}
	tests := []struct {
		name     string
		mp       orb.MultiPolygon
		min, max int
	}{
		{"square", square, 100, 100},
		{"with hole", withHole, 84, 84},
		{"tiny", tiny, 1, 1},
		{"ell", ell, 1, 1},
		{"empty", nil, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pts := AreaSamplePoints(tc.mp, 20)
			if len(pts) < tc.min || len(pts) > tc.max {
				t.Fatalf("%d points, want %d–%d", len(pts), tc.min, tc.max)
			}
			for _, p := range pts {
				if !planar.MultiPolygonContains(tc.mp, p) {
					t.Errorf("point %v is outside", p)
				}
			}
		})
	}
	// Neighbouring points on a row are one cell apart.
	pts := AreaSamplePoints(square, 20)
	if d := Distance(pts[0], pts[1]); math.Abs(d-20) > 0.1 {
		t.Errorf("spacing %.2f m, want 20", d)
	}
}

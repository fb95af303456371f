package geo

import (
	"math"
	"testing"

	"github.com/paulmach/orb"
)

func TestDistanceToPolygon(t *testing.T) {
	// A 0.01° square with a hole in the middle, near Shanghai.
	outer := orb.Ring{{121.46, 31.28}, {121.47, 31.28}, {121.47, 31.29}, {121.46, 31.29}, {121.46, 31.28}}
	hole := orb.Ring{{121.464, 31.284}, {121.464, 31.286}, {121.466, 31.286}, {121.466, 31.284}, {121.464, 31.284}}
	mp := orb.MultiPolygon{{outer, hole}}
	tests := []struct {
		name string
		p    orb.Point
		want float64
	}{
		{"inside", orb.Point{121.461, 31.281}, 0},
		{"east of the square", orb.Point{121.471, 31.285}, Distance(orb.Point{121.47, 31.285}, orb.Point{121.471, 31.285})},
		{"south of the square", orb.Point{121.465, 31.279}, Distance(orb.Point{121.465, 31.28}, orb.Point{121.465, 31.279})},
		{"in the hole", orb.Point{121.465, 31.285}, Distance(orb.Point{121.465, 31.285}, orb.Point{121.466, 31.285})},
		{"beyond a corner", orb.Point{121.471, 31.291}, Distance(orb.Point{121.47, 31.29}, orb.Point{121.471, 31.291})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DistanceToPolygon(tc.p, mp); math.Abs(got-tc.want) > 0.5 {
				t.Errorf("got %.2f m, want %.2f m", got, tc.want)
			}
		})
	}
	if got := DistanceToPolygon(orb.Point{121, 31}, nil); !math.IsInf(got, 1) {
		t.Errorf("empty polygon: %v", got)
	}
}

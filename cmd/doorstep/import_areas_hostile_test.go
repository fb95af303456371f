package main

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
)

// circleArea is an area feature whose outline is a circle of n vertices and radius
// r degrees around lon, lat.
func circleArea(lon, lat, r float64, n int, props string) string {
	var pts []string
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		pts = append(pts, fmt.Sprintf("[%.7f,%.7f]", lon+r*math.Cos(a), lat+r*math.Sin(a)))
	}
	pts = append(pts, pts[0])
	return `{"type":"Feature","properties":{` + props + `},"geometry":{"type":"Polygon","coordinates":[[` + strings.Join(pts, ",") + `]]}}`
}

// TestHostileAreaImport refuses areas whose outline has thousands of vertices,
// that reach far beyond the street, or whose names cannot be seen or read in
// another order, and leaves the areas as they were.
func TestHostileAreaImport(t *testing.T) {
	dbPath := sampleDBPath(t)
	ok := `"name":"好","population":100,"elderly":10`
	tests := []struct {
		name, feature, want string
	}{
		{"5000 vertices, 10 km", circleArea(121.465, 31.285, 0.05, 5000, ok), "vertices"},
		{"10 km square", squareArea(121.40, 31.24, 0.1, ok), "outside the street"},
		{"far away", squareArea(116.39, 39.90, 0.002, ok), "outside the street"},
		{"invisible name", squareArea(121.462, 31.283, 0.002, `"name":" \u200b ","population":100,"elderly":10`), "name"},
		{"the street many times over", strings.Repeat(squareArea(121.445, 31.27, 0.04, ok)+",", 26) + squareArea(121.445, 31.27, 0.04, ok), "times the street"},
		{"right-to-left override", squareArea(121.462, 31.283, 0.002, `"name":"甲\u202e乙","population":100,"elderly":10`), "text-direction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := areasFile(t, squareArea(121.462, 31.287, 0.002, `"name":"甲","population":1000,"elderly":300`), tc.feature)
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"import", "areas", "--db", dbPath, file}, &stdout, &stderr, nil)
			if err == nil || !strings.Contains(err.Error()+stderr.String(), tc.want) {
				t.Fatalf("import: %v\n%s\nwant an error with %q", err, stderr.String(), tc.want)
			}
			if got := areaNames(t, dbPath); len(got) != 27 {
				t.Errorf("a refused import left %d areas", len(got))
			}
		})
	}
}

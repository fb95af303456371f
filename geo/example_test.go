package geo_test

import (
	"fmt"

	"github.com/paulmach/orb"

	"doorstep/geo"
)

func ExampleDistance() {
	peoplesSquare := orb.Point{121.4737, 31.2304} // [lon, lat]
	pearlTower := orb.Point{121.4997, 31.2397}
	fmt.Printf("%.0f m\n", geo.Distance(peoplesSquare, pearlTower))
	// Output: 2680 m
}

func ExamplePointIndex_Nearest() {
	mealPoints := []orb.Point{ // [lon, lat]
		{121.4800, 31.2350},
		{121.4700, 31.2300},
		{121.4900, 31.2400},
		{121.4705, 31.2310},
	}
	ix := geo.NewPointIndex(mealPoints)
	home := orb.Point{121.4710, 31.2305}

	// The two nearest within 2 km, nearest first; buf is reused across calls.
	var buf []geo.Neighbor
	for _, n := range ix.Nearest(home, 2, 2000, nil, buf) {
		fmt.Printf("meal point %d: %.0f m\n", n.Index, n.Distance)
	}
	// Output:
	// meal point 3: 73 m
	// meal point 1: 110 m
}

func ExamplePointIndex_Within() {
	ix := geo.NewPointIndex([]orb.Point{{121.4800, 31.2350}, {121.4700, 31.2300}, {121.4705, 31.2310}})
	for _, n := range ix.Within(orb.Point{121.4710, 31.2305}, 500, nil, nil) {
		fmt.Printf("%d at %.0f m\n", n.Index, n.Distance)
	}
	// Output:
	// 2 at 73 m
	// 1 at 110 m
}

func ExampleAreaLocator_Locate() {
	estate := orb.Polygon{
		{{121.470, 31.230}, {121.475, 31.230}, {121.475, 31.234}, {121.470, 31.234}, {121.470, 31.230}},
		{{121.472, 31.231}, {121.473, 31.231}, {121.473, 31.232}, {121.472, 31.232}, {121.472, 31.231}}, // a hole
	}
	l := geo.NewAreaLocator([]orb.MultiPolygon{{estate}})
	fmt.Println(l.Locate(orb.Point{121.471, 31.233}))
	fmt.Println(l.Locate(orb.Point{121.4725, 31.2315})) // in the hole
	// Output:
	// 0
	// -1
}

func ExampleWGS84ToGCJ02() {
	wgs := orb.Point{116.404, 39.915}
	gcj := geo.WGS84ToGCJ02(wgs)
	fmt.Printf("GCJ-02 %.6f, %.6f\n", gcj[0], gcj[1])
	back := geo.GCJ02ToWGS84(gcj)
	fmt.Printf("round trip error below 1 cm: %v\n", geo.Distance(wgs, back) < 0.01)
	// Output:
	// GCJ-02 116.410244, 39.916404
	// round trip error below 1 cm: true
}

func ExampleParseCRS() {
	c, err := geo.ParseCRS("GCJ02")
	fmt.Println(c, err)
	_, err = geo.ParseCRS("mars")
	fmt.Println(err)
	// Output:
	// gcj02 <nil>
	// geo: unknown coordinate system "mars": allowed values are wgs84, gcj02 and bd09
}

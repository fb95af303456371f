package geo_test

import (
	"fmt"
	"math"

	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"
)

// graphExampleStreets is a small street grid near 121.47°E 31.23°N: three streets each
// way, 0.001° apart (about 95 m east-west, 111 m north-south), every line split
// where it crosses another by a shared vertex.
func graphExampleStreets() *geo.Graph {
	var b geo.GraphBuilder
	for i := range 3 {
		lat := 31.230 + 0.001*float64(i)
		b.AddLine(orb.LineString{{121.470, lat}, {121.471, lat}, {121.472, lat}}, "street")
		lon := 121.470 + 0.001*float64(i)
		b.AddLine(orb.LineString{{lon, 31.230}, {lon, 31.231}, {lon, 31.232}}, "footway")
	}
	return b.Build()
}

func ExampleGraphBuilder() {
	g := graphExampleStreets()
	count, largest := g.Components()
	fmt.Println("nodes:", g.NumNodes(), "edges:", g.NumEdges())
	fmt.Println("components:", count, "largest:", largest)
	fmt.Printf("memory: %d bytes a node or less: %v\n", 64, g.MemoryBytes() <= 64*g.NumNodes()+1024)
	// Output:
	// nodes: 9 edges: 12
	// components: 1 largest: 9
	// memory: 64 bytes a node or less: true
}

func ExampleGraph_Snap() {
	g := graphExampleStreets()
	// A doorway 20 m south of the southern street, between its first two
	// crossings.
	door := orb.Point{121.4705, 31.23 - 20/111319.5}
	s, err := g.Snap(door, geo.MaxSnapMetres)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%.1f m off the street, %.1f m along a %.1f m edge\n", s.Offset, s.Along, g.EdgeLength(s.Edge))

	_, err = g.Snap(orb.Point{121.48, 31.23}, geo.MaxSnapMetres)
	fmt.Println(err)
	// Output:
	// 20.0 m off the street, 47.5 m along a 95.1 m edge
	// geo: point too far from the walking network
}

func ExampleWalker_DistanceTo() {
	g := graphExampleStreets()
	home, _ := g.Snap(orb.Point{121.4701, 31.2301}, geo.MaxSnapMetres)
	meals, _ := g.Snap(orb.Point{121.4719, 31.2319}, geo.MaxSnapMetres)

	const speed = 50.0 // metres a minute: the elder profile
	w := g.NewWalker()
	w.FromSnaps([]geo.Snap{home}, 15*speed)
	if metres, ok := w.DistanceTo(meals); ok {
		fmt.Printf("%.0f m on foot, %.1f minutes at %.0f m/min\n", metres, metres/speed, speed)
	}
	// Output:
	// 409 m on foot, 8.2 minutes at 50 m/min
}

// The blocks are about 95 m by 111 m, and a walker leaves the network for at most
// 40 m, so in 10 minutes the middle of each block is still out of reach: a hole.
func ExampleGraph_Isochrone() {
	g := graphExampleStreets()
	home, _ := g.Snap(orb.Point{121.4701, 31.2301}, geo.MaxSnapMetres)
	const speed = 50.0
	w := g.NewWalker()
	w.FromSnaps([]geo.Snap{home}, 10*speed)
	bands := g.Isochrone(w, []float64{2 * speed, 10 * speed}, geo.IsochroneCellMetres)
	for i, minutes := range []int{2, 10} {
		mp := bands[i]
		fmt.Printf("%d minutes: %d polygon(s), %d hole(s), outer ring counter-clockwise: %v, home inside: %v, far corner inside: %v\n",
			minutes, len(mp), len(mp[0])-1, mp[0][0].Orientation() == orb.CCW,
			planar.MultiPolygonContains(mp, home.Query),
			planar.MultiPolygonContains(mp, orb.Point{121.472, 31.232}))
	}
	// Output:
	// 2 minutes: 1 polygon(s), 0 hole(s), outer ring counter-clockwise: true, home inside: true, far corner inside: false
	// 10 minutes: 1 polygon(s), 4 hole(s), outer ring counter-clockwise: true, home inside: true, far corner inside: true
}

func ExampleSynthCity() {
	lines := geo.SynthCity(1, 10000)
	var b geo.GraphBuilder
	for _, l := range lines {
		b.AddLine(l, "street")
	}
	g := b.Build()
	c := g.Bound().Center()
	fmt.Println("about 10,000 nodes:", math.Abs(float64(g.NumNodes()-10000)) < 500)
	fmt.Printf("centred near %.2f°E %.2f°N\n", c[0], c[1])
	// Output:
	// about 10,000 nodes: true
	// centred near 121.47°E 31.23°N
}

package geo

import (
	"math"

	"doorstep"
)

// Cost prices walking edges for one profile by their access bits
// (doorstep.Access): an edge costs its length × Factor plus Extra metres, and
// +Inf forbids it. Costs are in metres of walking, so bounds and answers stay in
// metres: a walker who spends 30 s on a flight of steps at 50 m a minute pays 25 m
// for it. A Cost is immutable and safe for concurrent use; a nil *Cost is plain
// length.
type Cost struct {
	factor [256]float32
	extra  [256]float32
}

// NewCost builds a Cost from price, asked once for every access bit set: the
// factor by which an edge's length is multiplied (≥ 1, or +Inf to forbid it) and
// the metres added for crossing it whole. Factors below 1 are taken as 1, so that
// the straight line stays a lower bound of every walk (Graph.Route relies on it).
func NewCost(price func(a doorstep.Access) (factor, extraMetres float64)) *Cost {
	c := &Cost{}
	for a := range 256 {
		f, x := price(doorstep.Access(a))
		if math.IsNaN(f) || f < 1 {
			f = 1
		}
		if math.IsNaN(x) || x < 0 {
			x = 0
		}
		c.factor[a], c.extra[a] = float32(f), float32(x)
	}
	return c
}

// edge returns the cost of crossing half-edge e whole, +Inf when forbidden.
func (c *Cost) edge(g *Graph, e int) float64 {
	if c == nil {
		return float64(g.half[e].metres)
	}
	a := g.access[e]
	return float64(g.half[e].metres*c.factor[a] + c.extra[a])
}

// Allows reports whether a walk may use half-edge e of g.
func (c *Cost) Allows(g *Graph, e int) bool {
	return c == nil || !math.IsInf(float64(c.factor[g.access[e]]), 1)
}

// EdgeCost returns the cost in metres of crossing half-edge e whole under c (nil:
// its length), +Inf when c forbids it.
func (g *Graph) EdgeCost(c *Cost, e int) float64 { return c.edge(g, e) }

// part returns the cost of walking metres of half-edge e (of length length).
func (c *Cost) part(g *Graph, e int, metres, length float64) float64 {
	if c == nil {
		return metres
	}
	whole := c.edge(g, e)
	if length <= 0 || math.IsInf(whole, 1) {
		if math.IsInf(whole, 1) {
			return whole
		}
		return 0
	}
	return whole * metres / length
}

package geo

import (
	"math"
	"slices"
	"sync"
	"unsafe"
)

// A search for a place the walk cannot reach settles every node it can reach
// before it says so: on a million-node city, a step-free route to a courtyard
// reached only by steps took half a second. Parts answers that at once, from the
// connected parts of the network under the edges a Cost allows, found once per
// graph and set of allowed edges (profiles that forbid the same edges share them).

// graphParts is the connected parts of a graph under one set of allowed edges:
// a bit a node for the largest part, and the nodes of every other part with its
// number (from 1), in node order. Most nodes lie in the largest part, so it
// costs about a bit a node.
type graphParts struct {
	largest []uint64
	others  []graphPartNode
}

type graphPartNode struct{ node, part uint32 }

// part returns node's part: 0 for the largest.
func (p *graphParts) part(node int) uint32 {
	if p.largest[node/64]&(1<<(node%64)) != 0 {
		return 0
	}
	i, ok := slices.BinarySearchFunc(p.others, uint32(node), func(n graphPartNode, t uint32) int {
		return int(int64(n.node) - int64(t))
	})
	if !ok {
		return math.MaxUint32 // not reachable from anything (every edge forbidden)
	}
	return p.others[i].part
}

func (p *graphParts) memoryBytes() int {
	return cap(p.largest)*8 + cap(p.others)*int(unsafe.Sizeof(graphPartNode{}))
}

// graphPartsCache holds a graph's parts by the set of edges allowed (a bit for
// each of the 256 access values).
type graphPartsCache struct {
	mu    sync.Mutex
	parts map[[4]uint64]*graphParts
}

// allowedSet is the access values c allows, as bits.
func (c *Cost) allowedSet() [4]uint64 {
	var set [4]uint64
	for a := range 256 {
		if c == nil || !math.IsInf(float64(c.factor[a]), 1) {
			set[a/64] |= 1 << (a % 64)
		}
	}
	return set
}

// parts returns g's parts under c, finding them the first time (about a tenth of
// a second for a million nodes). Safe for concurrent use.
func (g *Graph) parts(c *Cost) *graphParts {
	key := c.allowedSet()
	g.partsCache.mu.Lock()
	defer g.partsCache.mu.Unlock()
	if p, ok := g.partsCache.parts[key]; ok {
		return p
	}
	p := findParts(g, c)
	if g.partsCache.parts == nil {
		g.partsCache.parts = map[[4]uint64]*graphParts{}
	}
	g.partsCache.parts[key] = p
	return p
}

// findParts labels g's connected parts under c by depth-first search.
func findParts(g *Graph, c *Cost) *graphParts {
	n := len(g.coords)
	label := make([]uint32, n)
	const none = math.MaxUint32
	for i := range label {
		label[i] = none
	}
	var sizes []int
	var stack []uint32
	for s := range uint32(n) {
		if label[s] != none {
			continue
		}
		id := uint32(len(sizes))
		sizes = append(sizes, 0)
		label[s] = id
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			sizes[id]++
			for e := g.first[u]; e < g.first[u+1]; e++ {
				if v := g.half[e].to; label[v] == none && c.Allows(g, int(e)) {
					label[v] = id
					stack = append(stack, v)
				}
			}
		}
	}
	largest := uint32(0)
	for i, size := range sizes {
		if size > sizes[largest] {
			largest = uint32(i)
		}
	}
	p := &graphParts{largest: make([]uint64, (n+63)/64)}
	for u, l := range label {
		switch {
		case l == largest:
			p.largest[u/64] |= 1 << (u % 64)
		case l < largest:
			p.others = append(p.others, graphPartNode{uint32(u), l + 1})
		default:
			p.others = append(p.others, graphPartNode{uint32(u), l})
		}
	}
	p.others = slices.Clip(p.others)
	return p
}

// FindParts finds g's parts under c now, if not found already, so that the first
// route asked for does not wait for them.
func (g *Graph) FindParts(c *Cost) { g.parts(c) }

// Connected reports whether a walk under c (nil: every edge) can join nodes a and b.
func (g *Graph) Connected(c *Cost, a, b int) bool {
	p := g.parts(c)
	return p.part(a) == p.part(b)
}

// partsMemoryBytes is the heap bytes of the parts found so far.
func (g *Graph) partsMemoryBytes() int {
	g.partsCache.mu.Lock()
	defer g.partsCache.mu.Unlock()
	n := 0
	for _, p := range g.partsCache.parts {
		n += p.memoryBytes()
	}
	return n
}

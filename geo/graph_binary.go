package geo

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"

	"github.com/paulmach/orb"
)

// A Graph's binary form (MarshalBinary) is its arrays as they lie in memory, little
// endian, so a server can keep the graph it built and load it at the next start in
// a fraction of the time GraphBuilder.Build takes: the nodes' coordinates, the rows
// of half-edges with their lengths, access bits and labels, the snapping grid, and
// the connected parts found so far. It starts with graphMagic and GraphFormat;
// UnmarshalBinary checks every count, offset and id against the others before it
// trusts them, so bad bytes give an error, never a panic or a graph that would
// index out of range. It does not checksum the bytes: the store does.

// GraphFormat is the version of a Graph's binary form. Bump it whenever the bytes
// change layout or meaning, or Build builds a different graph from the same lines:
// graphs kept in an older format are then built again, never misread.
const GraphFormat = 1

// graphMagic opens a Graph's binary form.
const graphMagic = "doorstep-graph\x00\x00"

// ErrGraphFormat is returned by Graph.UnmarshalBinary for bytes that do not hold a
// graph of GraphFormat.
var ErrGraphFormat = errors.New("geo: not a walking graph of this format")

// MarshalBinary returns the graph's binary form. It includes the connected parts
// found so far (FindParts), so find them first to keep them.
func (g *Graph) MarshalBinary() ([]byte, error) {
	var parts map[[4]uint64]*graphParts
	g.partsCache.mu.Lock()
	parts = g.partsCache.parts
	g.partsCache.mu.Unlock()

	size := 256 + 8*len(g.coords) + 4*len(g.first) + 13*len(g.half) +
		4*(len(g.snap.start)+len(g.snap.nodes))
	for _, l := range g.labels {
		size += 8 + len(l.kind) + len(l.name)
	}
	for _, p := range parts {
		size += 48 + 8*len(p.largest) + 8*len(p.others)
	}
	b := make([]byte, 0, size)
	b = append(b, graphMagic...)
	b = binary.LittleEndian.AppendUint32(b, GraphFormat)
	for _, f := range []float64{g.bound.Min[0], g.bound.Min[1], g.bound.Max[0], g.bound.Max[1], g.maxMetres,
		g.snap.lon0, g.snap.lat0, g.snap.cellLon, g.snap.cellLat} {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(f))
	}
	for _, n := range []int{len(g.coords), len(g.half), len(g.labels), g.snap.w, g.snap.h, len(g.snap.nodes), len(parts)} {
		b = binary.LittleEndian.AppendUint64(b, uint64(n))
	}
	for _, c := range g.coords {
		b = binary.LittleEndian.AppendUint32(b, uint32(c.lon))
		b = binary.LittleEndian.AppendUint32(b, uint32(c.lat))
	}
	b = appendUint32s(b, g.first)
	for _, h := range g.half {
		b = binary.LittleEndian.AppendUint32(b, h.to)
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(h.metres))
	}
	b = append(b, g.access...)
	b = appendUint32s(b, g.label)
	for _, l := range g.labels {
		b = binary.AppendUvarint(b, uint64(len(l.kind)))
		b = append(b, l.kind...)
		b = binary.AppendUvarint(b, uint64(len(l.name)))
		b = append(b, l.name...)
	}
	b = appendUint32s(b, g.snap.start)
	b = appendUint32s(b, g.snap.nodes)
	// Parts in a fixed order, so the same graph gives the same bytes.
	keys := make([][4]uint64, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [4]uint64) int { return slices.Compare(a[:], b[:]) })
	for _, k := range keys {
		p := parts[k]
		for _, w := range k {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		b = binary.LittleEndian.AppendUint64(b, uint64(len(p.others)))
		for _, w := range p.largest {
			b = binary.LittleEndian.AppendUint64(b, w)
		}
		for _, o := range p.others {
			b = binary.LittleEndian.AppendUint32(b, o.node)
			b = binary.LittleEndian.AppendUint32(b, o.part)
		}
	}
	return b, nil
}

func appendUint32s(b []byte, v []uint32) []byte {
	for _, x := range v {
		b = binary.LittleEndian.AppendUint32(b, x)
	}
	return b
}

// UnmarshalBinary sets g to the graph MarshalBinary gave data for. Bytes of another
// format, cut short, with anything after the graph, or whose counts, offsets and
// ids do not agree give an error wrapping ErrGraphFormat, and leave g unchanged.
func (g *Graph) UnmarshalBinary(data []byte) error {
	r := graphReader{b: data}
	if string(r.bytes(len(graphMagic))) != graphMagic {
		return fmt.Errorf("%w: no graph header", ErrGraphFormat)
	}
	if v := r.uint32(); v != GraphFormat {
		return fmt.Errorf("%w: format %d, want %d", ErrGraphFormat, v, GraphFormat)
	}
	var f [9]float64
	for i := range f {
		f[i] = math.Float64frombits(r.uint64())
	}
	var n [7]int
	for i := range n {
		// Every count is bounded by the bytes left, so a bad one cannot make a
		// huge allocation.
		n[i] = r.count(1)
	}
	if r.err != nil {
		return r.err
	}
	nodes, halves, labels, w, h, cellNodes, parts := n[0], n[1], n[2], n[3], n[4], n[5], n[6]
	out := &Graph{
		bound:     orb.Bound{Min: orb.Point{f[0], f[1]}, Max: orb.Point{f[2], f[3]}},
		maxMetres: f[4],
		snap:      snapGrid{lon0: f[5], lat0: f[6], cellLon: f[7], cellLat: f[8], w: w, h: h},
	}
	for _, x := range f {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Errorf("%w: a bound or cell size is not finite", ErrGraphFormat)
		}
	}
	if nodes >= math.MaxUint32 || halves >= math.MaxUint32 || r.left() < 8*nodes+13*halves {
		return fmt.Errorf("%w: %d nodes and %d half-edges do not fit %d bytes", ErrGraphFormat, nodes, halves, len(data))
	}
	out.coords = make([]graphCoordE7, nodes)
	for i := range out.coords {
		out.coords[i] = graphCoordE7{lon: int32(r.uint32()), lat: int32(r.uint32())}
	}
	out.first = r.uint32s(nodes + 1)
	if r.err == nil && (out.first[0] != 0 || int(out.first[nodes]) != halves || !slices.IsSorted(out.first)) {
		return fmt.Errorf("%w: rows do not add up to the half-edges", ErrGraphFormat)
	}
	out.half = make([]graphHalfEdge, halves)
	for i := range out.half {
		out.half[i] = graphHalfEdge{to: r.uint32(), metres: math.Float32frombits(r.uint32())}
		if m := out.half[i].metres; r.err == nil && (int(out.half[i].to) >= nodes || !(m >= 0) || float64(m) > out.maxMetres) {
			return fmt.Errorf("%w: half-edge %d", ErrGraphFormat, i)
		}
	}
	out.access = slices.Clone(r.bytes(halves))
	out.label = r.uint32s(halves)
	if r.err != nil {
		return r.err
	}
	if labels < 1 || labels > r.left() {
		return fmt.Errorf("%w: %d labels", ErrGraphFormat, labels)
	}
	out.labels = make([]graphLabel, labels)
	for i := range out.labels {
		kind := string(r.bytes(r.length()))
		out.labels[i] = graphLabel{kind: kind, name: string(r.bytes(r.length()))}
	}
	if r.err != nil {
		return r.err
	}
	for _, l := range out.label {
		if int(l) >= labels {
			return fmt.Errorf("%w: a label past the %d kept", ErrGraphFormat, labels)
		}
	}
	if w < 0 || h < 0 || (w > 0 && h > (r.left()/4)/w) {
		return fmt.Errorf("%w: snapping grid %d × %d", ErrGraphFormat, w, h)
	}
	out.snap.start = r.uint32s(w*h + 1)
	out.snap.nodes = r.uint32s(cellNodes)
	if r.err != nil {
		return r.err
	}
	if out.snap.start[0] != 0 || int(out.snap.start[w*h]) != cellNodes || !slices.IsSorted(out.snap.start) {
		return fmt.Errorf("%w: snapping grid cells do not add up", ErrGraphFormat)
	}
	for _, u := range out.snap.nodes {
		if int(u) >= nodes {
			return fmt.Errorf("%w: snapping grid names node %d of %d", ErrGraphFormat, u, nodes)
		}
	}
	if nodes > 0 && (w == 0 || h == 0 || !(f[7] > 0) || !(f[8] > 0)) {
		return fmt.Errorf("%w: snapping grid %d × %d", ErrGraphFormat, w, h)
	}
	for range parts {
		var key [4]uint64
		for i := range key {
			key[i] = r.uint64()
		}
		others := r.count(8)
		p := &graphParts{largest: make([]uint64, 0, (nodes+63)/64)}
		if r.err != nil || r.left() < 8*((nodes+63)/64) {
			return fmt.Errorf("%w: connected parts cut short", ErrGraphFormat)
		}
		for range (nodes + 63) / 64 {
			p.largest = append(p.largest, r.uint64())
		}
		if others > 0 {
			p.others = make([]graphPartNode, others)
		}
		for i := range p.others {
			p.others[i] = graphPartNode{node: r.uint32(), part: r.uint32()}
			if r.err == nil && (int(p.others[i].node) >= nodes || (i > 0 && p.others[i].node <= p.others[i-1].node)) {
				return fmt.Errorf("%w: connected parts out of order", ErrGraphFormat)
			}
		}
		if out.partsCache.parts == nil {
			out.partsCache.parts = map[[4]uint64]*graphParts{}
		}
		out.partsCache.parts[key] = p
	}
	if r.err != nil {
		return r.err
	}
	if r.left() != 0 {
		return fmt.Errorf("%w: %d bytes after the graph", ErrGraphFormat, r.left())
	}
	g.coords, g.first, g.half, g.access, g.label, g.labels = out.coords, out.first, out.half, out.access, out.label, out.labels
	g.bound, g.maxMetres, g.snap = out.bound, out.maxMetres, out.snap
	g.partsCache.mu.Lock()
	g.partsCache.parts = out.partsCache.parts
	g.partsCache.mu.Unlock()
	return nil
}

// graphReader reads a Graph's binary form, remembering the first error: once cut
// short, every read gives zeros.
type graphReader struct {
	b   []byte
	err error
}

func (r *graphReader) left() int { return len(r.b) }

func (r *graphReader) bytes(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		if r.err == nil {
			r.err = fmt.Errorf("%w: cut short", ErrGraphFormat)
		}
		return nil
	}
	out := r.b[:n:n]
	r.b = r.b[n:]
	return out
}

func (r *graphReader) uint32() uint32 {
	if b := r.bytes(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *graphReader) uint64() uint64 {
	if b := r.bytes(8); b != nil {
		return binary.LittleEndian.Uint64(b)
	}
	return 0
}

// count reads a count of items of size bytes each, refusing one the bytes left
// could not hold.
func (r *graphReader) count(size int) int {
	v := r.uint64()
	if r.err == nil && v > uint64(len(r.b))/uint64(size) {
		r.err = fmt.Errorf("%w: a count of %d past the end", ErrGraphFormat, v)
		return 0
	}
	return int(v)
}

// length reads a string's length, a uvarint, refusing one past the end.
func (r *graphReader) length() int {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 || v > uint64(len(r.b)-n) {
		r.err = fmt.Errorf("%w: a bad length", ErrGraphFormat)
		return 0
	}
	r.b = r.b[n:]
	return int(v)
}

func (r *graphReader) uint32s(n int) []uint32 {
	b := r.bytes(4 * n)
	if b == nil || n == 0 {
		return nil
	}
	out := make([]uint32, n)
	for i := range out {
		out[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	return out
}

// SnapRefSize is the length of a SnapRef's binary form.
const SnapRefSize = 16

// AppendBinary appends r's binary form, SnapRefSize bytes, little endian.
func (r SnapRef) AppendBinary(b []byte) ([]byte, error) {
	b = binary.LittleEndian.AppendUint32(b, uint32(r.edge))
	b = binary.LittleEndian.AppendUint32(b, uint32(r.from))
	b = binary.LittleEndian.AppendUint32(b, math.Float32bits(r.along))
	return binary.LittleEndian.AppendUint32(b, math.Float32bits(r.offset)), nil
}

// SnapRefFrom reads the SnapRef whose binary form starts b, for g: an error wrapping
// ErrGraphFormat when b is short or the ref names an edge or node g lacks, or
// metres that are negative or not finite.
func (g *Graph) SnapRefFrom(b []byte) (SnapRef, error) {
	if len(b) < SnapRefSize {
		return SnapRef{}, fmt.Errorf("%w: snap cut short", ErrGraphFormat)
	}
	r := SnapRef{
		edge:   int32(binary.LittleEndian.Uint32(b)),
		from:   int32(binary.LittleEndian.Uint32(b[4:])),
		along:  math.Float32frombits(binary.LittleEndian.Uint32(b[8:])),
		offset: math.Float32frombits(binary.LittleEndian.Uint32(b[12:])),
	}
	if r == (SnapRef{}) {
		return r, nil // no snap
	}
	if !g.leaves(int(r.edge)-1, int(r.from)) || !finiteMetres(float64(r.along)) || !finiteMetres(float64(r.offset)) {
		return SnapRef{}, fmt.Errorf("%w: a snap off the graph", ErrGraphFormat)
	}
	return r, nil
}

// SnapAt returns the Snap of query on half-edge edge, which leaves node from, along
// metres from it and offset metres off it, as Unref gives a snap back: an error
// wrapping ErrGraphFormat when g has no such edge, or the metres are negative or
// not finite.
func (g *Graph) SnapAt(edge, from int, along, offset float64, query orb.Point) (Snap, error) {
	if !g.leaves(edge, from) || !finiteMetres(along) || !finiteMetres(offset) {
		return Snap{}, fmt.Errorf("%w: a snap off the graph", ErrGraphFormat)
	}
	s, _ := g.Unref(SnapRef{edge: int32(edge + 1), from: int32(from)}, query)
	s.Along, s.Offset = along, offset
	if length := float64(g.half[edge].metres); length > 0 {
		a, b := g.NodePoint(s.From), g.NodePoint(s.To)
		f := along / length
		s.Point = orb.Point{a[0] + f*(b[0]-a[0]), a[1] + f*(b[1]-a[1])}
	}
	return s, nil
}

// leaves reports whether half-edge edge of g leaves node from.
func (g *Graph) leaves(edge, from int) bool {
	return from >= 0 && from < len(g.coords) && edge >= int(g.first[from]) && edge < int(g.first[from+1])
}

func finiteMetres(m float64) bool { return m >= 0 && !math.IsInf(m, 1) }

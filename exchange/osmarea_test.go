package exchange

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb/geo"
	"github.com/paulmach/osm"
)

// boundariesOSM: quarter A is two outer ways joined into a square of 0.002° with a
// 0.001° hole; quarter B lacks one of its member ways (a clipped extract); C is a
// closed way.
const boundariesOSM = `<osm>
<node id="1" lat="43.730" lon="7.420"/><node id="2" lat="43.730" lon="7.422"/>
<node id="3" lat="43.732" lon="7.422"/><node id="4" lat="43.732" lon="7.420"/>
<node id="5" lat="43.7305" lon="7.4205"/><node id="6" lat="43.7305" lon="7.4215"/>
<node id="7" lat="43.7315" lon="7.4215"/><node id="8" lat="43.7315" lon="7.4205"/>
<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/></way>
<way id="11"><nd ref="1"/><nd ref="4"/><nd ref="3"/></way>
<way id="12"><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="8"/><nd ref="5"/></way>
<way id="13"><nd ref="5"/><nd ref="6"/><nd ref="7"/><nd ref="5"/>
  <tag k="boundary" v="administrative"/><tag k="admin_level" v="10"/><tag k="name" v="C"/></way>
<relation id="20"><member type="way" ref="10" role="outer"/><member type="way" ref="11" role="outer"/>
  <member type="way" ref="12" role="inner"/>
  <tag k="type" v="boundary"/><tag k="boundary" v="administrative"/><tag k="admin_level" v="10"/><tag k="name" v="A"/></relation>
<relation id="21"><member type="way" ref="10" role="outer"/><member type="way" ref="99" role="outer"/>
  <tag k="type" v="boundary"/><tag k="boundary" v="administrative"/><tag k="admin_level" v="10"/><tag k="name" v="B"/></relation>
</osm>`

func TestReadOSMAreas(t *testing.T) {
	src := OSMSource{Format: OSMXML, Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(boundariesOSM)), nil }}
	areas, err := ReadOSMAreas(context.Background(), src, func(_ string, tags osm.Tags) bool { return tags.Find("admin_level") == "10" })
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*OSMArea{}
	for _, a := range areas {
		got[a.Name()] = a
	}
	if len(areas) != 3 {
		t.Fatalf("%d areas, want A, B and C", len(areas))
	}
	a := got["A"]
	if a.ID != "relation/20" || a.Problem != "" || len(a.Geometry) != 1 || len(a.Geometry[0]) != 2 {
		t.Fatalf("A = %+v, want one polygon with a hole", a)
	}
	// The square less its hole: three quarters of about 161 m × 222 m.
	if area := geo.Area(a.Geometry); math.Abs(area-0.75*161.0*222.4) > 300 {
		t.Errorf("A covers %.0f m²", area)
	}
	if b := got["B"]; b.Problem == "" || !strings.Contains(b.Problem, "missing") {
		t.Errorf("B: problem %q, want its missing member said", b.Problem)
	}
	if c := got["C"]; c.ID != "way/13" || c.Problem != "" || len(c.Geometry) != 1 {
		t.Errorf("C = %+v", c)
	}
	if _, _, err := OSMResidentialAreas(areas, nil); err == nil || !strings.Contains(err.Error(), "relation/21 (B)") {
		t.Errorf("areas with B: err %v, want B named", err)
	}
}

package server

import (
	"net/http"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"

	"github.com/gin-gonic/gin"
	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
)

// The street as the map draws it: its name and bounds, boundary and orientation
// features, categories and residential areas.

// handleMeta answers what the pages need to name and place the street: its
// names, city, district, country and time zone, the map's bounds, and whether
// the data is sample data. Without a street, street is "" and no_street says
// what to do. fit_problems are the ways the data does not fit the street
// (finder.FitReport), which the office page shows in a banner.
func (s *Server) handleMeta(c *gin.Context) {
	snap := s.Snapshot()
	body := gin.H{"street": "", "street_en": "", "city": "", "district": "", "country": "", "timezone": doorstep.DefaultTimezone,
		"sample": snap.SampleStreet(), "attribution": snap.Attribution(), "tile_url": s.cfg.TileURL, "bounds": nil,
		"fit_problems": snap.Fit().Problems}
	if st := snap.Street(); st != nil {
		b := st.Geometry.Bound()
		body["street"], body["street_en"], body["city"], body["district"] = st.Name, st.NameEn, st.City, st.District
		body["country"], body["timezone"] = st.Country, st.Location().String()
		body["bounds"] = [4]float64{b.Min[0], b.Min[1], b.Max[0], b.Max[1]}
	} else {
		body["no_street"] = doorstep.NoStreetMessage
	}
	c.JSON(http.StatusOK, body)
}

func (s *Server) handleStreet(c *gin.Context) {
	_, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	snap := s.Snapshot()
	fc := geojson.NewFeatureCollection()
	if street := snap.Street(); street != nil {
		f := geojson.NewFeature(toCRS(crs, street.Geometry))
		f.Properties = geojson.Properties{"kind": "street", "name": street.Name}
		fc.Append(f)
	}
	for _, mf := range snap.MapFeatures() {
		f := geojson.NewFeature(toCRS(crs, mf.Geometry))
		f.Properties = geojson.Properties{"kind": mf.Kind, "name": mf.Name}
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"attribution": snap.Attribution()}
	c.JSON(http.StatusOK, fc)
}

func (s *Server) handleCategories(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"categories": s.Snapshot().Categories()})
}

func (s *Server) handleAreas(c *gin.Context) {
	p, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	// ?q= finds areas by name or committee ("凉城四村"), best match first.
	matches, err := textSearch(c.Request.Context(), p, s.db.SearchAreas)
	if err != nil {
		writeError(c, err)
		return
	}
	fc := geojson.NewFeatureCollection()
	for _, a := range rankedAreas(s.Snapshot().Areas(), matches) {
		fc.Append(areaFeature(a, crs))
	}
	c.JSON(http.StatusOK, fc)
}

// areaFeature is an area as GET /api/areas draws it, a Polygon when it has one part.
func areaFeature(a *doorstep.Area, crs geo.CRS) *geojson.Feature {
	var g orb.Geometry = a.Geometry
	if len(a.Geometry) == 1 {
		g = a.Geometry[0]
	}
	f := geojson.NewFeature(toCRS(crs, g))
	f.ID = a.ID
	f.Properties = geojson.Properties{
		"id": a.ID, "name": a.Name, "committee": a.Committee,
		"population": a.Population, "elderly": a.Elderly, "sample": a.Sample,
	}
	// Where the area's doorstep answer starts: the page asks from here, and the
	// area's 家门口服务卡 is made from here.
	if origin, ok := finder.AreaOrigin(a); ok {
		f.Properties["origin"] = geo.FromWGS84(crs, origin)
	}
	return f
}

// handleLabels answers the names the map writes (finder.MapLabels): one feature
// a named road (a MultiLineString of its joined pieces, longest first, rank
// "main" or "minor"), one Point a residential area at its label point, one Point
// a metro station. The pages place and thin them on screen (maplabels.js).
func (s *Server) handleLabels(c *gin.Context) {
	_, crs, ok := s.requestParams(c)
	if !ok {
		return
	}
	labels := s.Snapshot().MapLabels()
	fc := geojson.NewFeatureCollection()
	for _, r := range labels.Roads {
		rank := "minor"
		if r.Main {
			rank = "main"
		}
		f := geojson.NewFeature(toCRS(crs, orb.MultiLineString(r.Lines)))
		f.Properties = geojson.Properties{"kind": "road", "name": r.Name, "rank": rank}
		fc.Append(f)
	}
	for _, a := range labels.Areas {
		f := geojson.NewFeature(toCRS(crs, a.Point))
		f.Properties = geojson.Properties{"kind": "area", "id": a.ID, "name": a.Name}
		fc.Append(f)
	}
	for _, st := range labels.Stations {
		f := geojson.NewFeature(toCRS(crs, st.Point))
		f.Properties = geojson.Properties{"kind": "station", "name": st.Name}
		fc.Append(f)
	}
	writeGeoJSON(c, fc)
}

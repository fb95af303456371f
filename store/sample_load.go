package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io/fs"

	"doorstep"
	"doorstep/exchange"
	"doorstep/store/sample"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/wkb"
	"github.com/paulmach/orb/geojson"
)

// Meta keys describing where the data came from.
const (
	MetaSample      = "sample"
	MetaAttribution = "attribution"
)

// LoadSample fills an empty database with the embedded sample of Liangcheng Xincun
// street: its real OpenStreetMap boundary and main roads, and generated residential
// areas, services and walking lanes marked as sample data. It reports whether it
// loaded anything: a database that holds anything at all — a street, areas, a
// walking network, listings or users (see Contents) — is left untouched, so the
// sample never replaces or mixes with an import.
func (db *DB) LoadSample(ctx context.Context) (bool, error) {
	return db.loadSampleFS(ctx, sample.Files)
}

func (db *DB) loadSampleFS(ctx context.Context, files fs.FS) (bool, error) {
	loaded := false
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		if c, err := contents(ctx, tx); err != nil {
			return err
		} else if !c.Empty() {
			return nil
		}
		steps := []struct {
			file string
			load func(context.Context, *sql.Tx, []byte) error
		}{
			{"boundary.geojson", withFeatures(loadSampleBoundary)},
			{"roads.geojson", withFeatures(loadSampleRoads)},
			{"areas.geojson", loadSampleAreas},
			{"services.geojson", withFeatures(db.loadSampleServices)},
			{"network.geojson", loadSampleNetwork},
		}
		for _, step := range steps {
			data, err := fs.ReadFile(files, step.file)
			if err != nil {
				return err
			}
			if err := step.load(ctx, tx, data); err != nil {
				return fmt.Errorf("%s: %w", step.file, err)
			}
		}
		if err := db.loadSampleMeals(ctx, tx); err != nil {
			return fmt.Errorf("meals: %w", err)
		}
		if err := db.loadSampleActivities(ctx, tx); err != nil {
			return fmt.Errorf("activities: %w", err)
		}
		for k, v := range map[string]string{MetaSample: "true", MetaAttribution: "© OpenStreetMap contributors"} {
			if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)`, k, v); err != nil {
				return err
			}
		}
		loaded = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: load sample: %w", err)
	}
	return loaded, nil
}

func loadSampleBoundary(ctx context.Context, tx *sql.Tx, fc *geojson.FeatureCollection) error {
	found := false
	for _, f := range fc.Features {
		name := f.Properties.MustString("name", "")
		if f.Properties.MustString("role", "") == "target" {
			found = true
			mp, ok := asMultiPolygon(f.Geometry)
			if !ok {
				return fmt.Errorf("the target boundary is a %s, want a Polygon or MultiPolygon", f.Geometry.GeoJSONType())
			}
			// The boundary is real OSM data; what is sample is the rest of the street.
			st := &doorstep.Street{Name: name, NameEn: "Liangcheng Xincun Street", City: "上海市", District: "虹口区",
				Timezone: doorstep.DefaultTimezone, Country: doorstep.DefaultCountry, Geometry: mp}
			if err := insertStreet(ctx, tx, st, true); err != nil {
				return err
			}
			continue
		}
		if err := insertMapFeature(ctx, tx, "neighbour", name, f.Geometry); err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("no feature with role target")
	}
	return nil
}

// sampleUnnamedRoads is what the roads' source calls the elevated roads it groups
// without a name of their own ("other urban elevated roads").
const sampleUnnamedRoads = "其他城市高架"

func loadSampleRoads(ctx context.Context, tx *sql.Tx, fc *geojson.FeatureCollection) error {
	kinds := map[string]string{"metro_line": "metro", "metro_station": "station", "elevated_road": "road"}
	for _, f := range fc.Features {
		kind, ok := kinds[f.Properties.MustString("layer", "")]
		if !ok {
			continue
		}
		if kind == "road" && f.Properties.MustString("scope", "") == "major" {
			kind = "expressway"
		}
		name := f.Properties.MustString("name", "")
		if name == sampleUnnamedRoads {
			name = "" // not a road's name: the map must not write it along them
		}
		if err := insertMapFeature(ctx, tx, kind, name, f.Geometry); err != nil {
			return err
		}
	}
	return nil
}

func insertMapFeature(ctx context.Context, tx *sql.Tx, kind, name string, g orb.Geometry) error {
	geom, err := wkb.Marshal(g)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO map_features (kind, name, geom) VALUES (?, ?, ?)`, kind, name, geom)
	return err
}

// withFeatures adapts a loader of a parsed FeatureCollection to raw file data.
func withFeatures(load func(context.Context, *sql.Tx, *geojson.FeatureCollection) error) func(context.Context, *sql.Tx, []byte) error {
	return func(ctx context.Context, tx *sql.Tx, data []byte) error {
		fc, err := geojson.UnmarshalFeatureCollection(data)
		if err != nil {
			return err
		}
		return load(ctx, tx, fc)
	}
}

// loadSampleAreas loads the sample's areas through the same parser and checks as
// `doorstep import areas`.
func loadSampleAreas(ctx context.Context, tx *sql.Tx, data []byte) error {
	areas, err := ParseAreasGeoJSON(data)
	if err != nil {
		return err
	}
	for i, a := range areas {
		a.Sample = true
		if err := insertArea(ctx, tx, a); err != nil {
			return fmt.Errorf("feature %d: %w", i+1, err)
		}
	}
	return nil
}

// loadSampleNetwork loads the sample's walking lines as `doorstep import network` does.
func loadSampleNetwork(ctx context.Context, tx *sql.Tx, data []byte) error {
	lines, err := exchange.ReadNetworkGeoJSON(data)
	if err != nil {
		return err
	}
	return replaceNetwork(ctx, tx, lines, nil)
}

func insertArea(ctx context.Context, tx *sql.Tx, a *doorstep.Area) error {
	geom, err := polygonWKB(a.Geometry)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO areas (name, committee, population, elderly, sample, geom) VALUES (?, ?, ?, ?, ?, ?)`,
		a.Name, a.Committee, a.Population, a.Elderly, a.Sample, geom)
	if err != nil {
		return err
	}
	a.ID, err = res.LastInsertId()
	return err
}

// sampleServiceProperties is the shape of a feature's properties in services.geojson.
type sampleServiceProperties struct {
	Category         string            `json:"category"`
	Organization     string            `json:"organization"`
	OrganizationKind string            `json:"organization_kind"`
	Name             string            `json:"name"`
	NameEn           string            `json:"name_en"`
	Address          string            `json:"address"`
	Phone            string            `json:"phone"`
	Hours            doorstep.Schedule `json:"hours"`
	Offers           []string          `json:"offers"`
	Capacity         *int              `json:"capacity"`
	Status           string            `json:"status"`
	Note             string            `json:"note"`
	Sample           *bool             `json:"sample"`
}

func (db *DB) loadSampleServices(ctx context.Context, tx *sql.Tx, fc *geojson.FeatureCollection) error {
	for i, f := range fc.Features {
		pt, ok := f.Geometry.(orb.Point)
		if !ok {
			return fmt.Errorf("feature %d: geometry must be a Point", i+1)
		}
		raw, err := json.Marshal(f.Properties)
		if err != nil {
			return err
		}
		var p sampleServiceProperties
		if err := json.Unmarshal(raw, &p); err != nil {
			return fmt.Errorf("feature %d: %w", i+1, err)
		}
		orgID, err := ensureOrganization(ctx, tx, p.Organization, p.OrganizationKind)
		if err != nil {
			return err
		}
		s := doorstep.Service{
			Category: p.Category, OrganizationID: orgID, Name: p.Name, NameEn: p.NameEn, Address: p.Address,
			Lon: pt[0], Lat: pt[1], Phone: p.Phone, Hours: p.Hours, Offers: p.Offers, Capacity: p.Capacity,
			Status: p.Status, Note: p.Note, Sample: p.Sample == nil || *p.Sample,
		}
		if err := s.Hours.Validate(); err != nil {
			return fmt.Errorf("feature %d: %w", i+1, err)
		}
		if err := db.insertService(ctx, tx, &s); err != nil {
			return fmt.Errorf("feature %d: %w", i+1, err)
		}
	}
	return nil
}

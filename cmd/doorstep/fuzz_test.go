package main

import (
	"context"
	"testing"

	"doorstep"
	"doorstep/exchange"
	"doorstep/geo"
	"doorstep/store"
	"doorstep/store/storetest"
)

// checkImport fails unless every row read has a line number, and a dry-run import
// of the rows into the sample street either succeeds or refuses the file with an
// EINVALID listing its errors: what the readers let through, the store's checks
// (doorstep.Service.Validate, the distance to the street) must catch before the
// database does.
func checkImport(t *testing.T, db *store.DB, rows []exchange.ServiceRow) {
	t.Helper()
	for i, r := range rows {
		if r.Line < 1 {
			t.Fatalf("row %d has line %d", i, r.Line)
		}
	}
	report, err := db.ImportServices(context.Background(), rows, store.ImportOptions{DryRun: true})
	switch {
	case err == nil:
		if report.Created+report.Updated+report.Unchanged != len(rows) {
			t.Fatalf("dry run of %d rows reports %+v", len(rows), report)
		}
	case doorstep.ErrorCode(err) != doorstep.EINVALID:
		t.Fatalf("import failed inside: %v", err)
	case report == nil || report.ErrorCount == 0:
		t.Fatalf("refused without a listed error: %v", err)
	}
}

// FuzzReadServicesCSV: any bytes as a services CSV file are refused by the reader
// or by the import's checks, or import; never a panic, never a database error.
func FuzzReadServicesCSV(f *testing.F) {
	for _, s := range []string{
		"external_id,name,category,lon,lat,hours,offers,status,capacity\nA1,长者食堂,meal_point,121.465,31.29,周一至周五 10:30-13:00,午餐;送餐,open,40\n",
		"\xef\xbb\xbfexternal_id,name,lon,lat,crs\nA1,x,121.47,31.29,gcj02\nA2,y,400,95,wgs84\n",
		"external_id,name\n\"A1,x\n", "external_id,lon\nA1,1\n", "name\nx\n", "", "external_id,external_id\n",
		"external_id,lat,lon\nA1,NaN,Inf\nA2,,\nA3,1e400,-1e400\n", "external_id,name\nA1,\xff\xfe\n",
	} {
		f.Add([]byte(s))
	}
	db := storetest.MustOpenSampleDB(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := exchange.ReadServicesCSV(data, geo.WGS84)
		if err == nil {
			checkImport(t, db, rows)
		}
	})
}

// FuzzReadServicesGeoJSON: the same for a services GeoJSON file.
func FuzzReadServicesGeoJSON(f *testing.F) {
	for _, s := range []string{
		`{"type":"FeatureCollection","features":[{"type":"Feature","id":"A1","geometry":{"type":"Point","coordinates":[121.465,31.29]},"properties":{"name":"长者食堂","category":"meal_point","hours":[{"days":["mon"],"opens":"10:30","closes":"13:00"}],"offers":["午餐"]}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[400,95]},"properties":{"external_id":"A2"}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]},"properties":{"external_id":1}}]}`,
		`{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":null}]}`,
		`{"type":"FeatureCollection","features":{}}`, `{"features":[]}`, `[]`, `{`, ``,
		`{"type":"FeatureCollection","crs":{"type":"name"},"features":[{"type":"Feature","geometry":{"type":"Point","coordinates":["a","b"]},"properties":{"external_id":"x","crs":"bd09"}}]}`,
	} {
		f.Add([]byte(s))
	}
	db := storetest.MustOpenSampleDB(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, err := exchange.ReadServicesGeoJSON(data, geo.WGS84)
		if err == nil {
			checkImport(t, db, rows)
		}
	})
}

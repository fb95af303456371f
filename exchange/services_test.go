package exchange

import (
	"bytes"
	"reflect"
	"testing"
	"time"

	"doorstep"
	"doorstep/geo"
)

// exported is a listing with every field a services file carries set.
func exported() *doorstep.Service {
	capacity := 40
	verified := time.Date(2026, 11, 20, 2, 30, 0, 0, time.UTC)
	return &doorstep.Service{
		ID: 7, Category: "meal_point", OrganizationID: 3, Name: "长者食堂, \"凉城\"", NameEn: "Canteen", Address: "=1+1 凉城路",
		Lon: 121.4652, Lat: 31.2901, Phone: "021-6543-2100",
		Hours:    doorstep.Schedule{{Days: []string{"mon", "tue"}, Opens: "10:30", Closes: "13:00"}},
		Offers:   []string{"午餐", "送餐上门"},
		Capacity: &capacity, Status: doorstep.StatusTemporarilyClosed, ReopensOn: "2026-12-20",
		Note: "line one\nline two", VerifiedAt: &verified, Sample: true,
	}
}

// TestServicesRoundTrip: what an export writes, an import reads back into the same
// listing, in CSV and GeoJSON and in each coordinate system.
func TestServicesRoundTrip(t *testing.T) {
	f := NewServicesFile(map[int64]string{7: "QS-7"}, []doorstep.Organization{{ID: 3, Name: "凉城街道", Kind: "office"}}, geo.WGS84)
	formats := []struct {
		name  string
		write func(*ServicesFile, *bytes.Buffer) error
		read  func([]byte) ([]ServiceRow, error)
	}{
		{"csv", func(f *ServicesFile, b *bytes.Buffer) error {
			return f.WriteCSV(b, []*doorstep.Service{exported()}, true)
		},
			func(data []byte) ([]ServiceRow, error) { return ReadServicesCSV(data, geo.WGS84) }},
		{"geojson", func(f *ServicesFile, b *bytes.Buffer) error {
			return f.WriteGeoJSON(b, []*doorstep.Service{exported()})
		},
			func(data []byte) ([]ServiceRow, error) {
				rows, _, err := ReadServicesGeoJSON(data, geo.WGS84)
				return rows, err
			}},
	}
	for _, format := range formats {
		for _, crs := range []geo.CRS{geo.WGS84, geo.GCJ02, geo.BD09} {
			t.Run(format.name+"/"+string(crs), func(t *testing.T) {
				f.CRS = crs
				var buf bytes.Buffer
				if err := format.write(f, &buf); err != nil {
					t.Fatal(err)
				}
				rows, err := format.read(buf.Bytes())
				if err != nil || len(rows) != 1 || len(rows[0].Errors) > 0 {
					t.Fatalf("read back: %v, %+v\n%s", err, rows, buf.String())
				}
				row := rows[0]
				if row.ExternalID != "QS-7" || row.Organization == nil || *row.Organization != "凉城街道" || row.OrganizationKind != "office" {
					t.Errorf("row names %q of %v (%q)", row.ExternalID, row.Organization, row.OrganizationKind)
				}
				got, want := doorstep.NewService(), exported()
				row.Update.Apply(got)
				got.ID, got.OrganizationID = want.ID, want.OrganizationID
				// A conversion to GCJ-02 or BD-09 and back is exact to about a centimetre.
				if d := geo.Distance(got.Point(), want.Point()); d > 0.05 {
					t.Errorf("place moved %.3f m", d)
				}
				got.Lon, got.Lat = want.Lon, want.Lat
				if !reflect.DeepEqual(got, want) {
					t.Errorf("read back\n%+v\nwant\n%+v", got, want)
				}
			})
		}
	}
}

func TestReadServicesCSVErrorsNameLineAndField(t *testing.T) {
	data := "external_id,name,lon,lat,status,capacity\nA1,x,121.46,31.29,maybe,40\nA2,y,east,31.29,open,many\n"
	rows, err := ReadServicesCSV([]byte(data), geo.WGS84)
	if err != nil || len(rows) != 2 {
		t.Fatalf("%v, %d rows", err, len(rows))
	}
	want := [][2]any{{2, FieldStatus}, {3, FieldCapacity}, {3, FieldLon}}
	var got [][2]any
	for _, r := range rows {
		for _, e := range r.Errors {
			got = append(got, [2]any{e.Line, e.Field})
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("errors at %v, want %v", got, want)
	}
}

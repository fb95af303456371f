package exchange

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/project"
)

// Meals' exports (issue 16): menus and delivery areas, as `doorstep export menus`
// and `doorstep export delivery` write them. HSDS 3.0 has no place for a menu or a
// delivery area, so they are left out of HSDS (docs/data.md). Money is whole fen.

// MenuColumns are the columns of a menus CSV: one row a dish, and one row with an
// empty dish for a day with a set meal and no dishes.
var MenuColumns = []string{"external_id", "service_id", "service_name", "date", "set_meal_fen", "set_meal_sold_out",
	"note", "dish", "dish_price_fen", "dish_sold_out", "sample"}

// WriteMenusCSV writes menus (of the listings in names, by id) one row a dish, with
// an optional UTF-8 byte order mark so spreadsheets read the Chinese. Cells that
// would start a formula are escaped (EscapeRow).
func WriteMenusCSV(w io.Writer, menus []*doorstep.Menu, names map[int64]string, externalIDs map[int64]string, bom bool) error {
	cw, err := NewCSVWriter(w, bom, MenuColumns)
	if err != nil {
		return err
	}
	for _, m := range menus {
		day := []string{externalIDs[m.ServiceID], strconv.FormatInt(m.ServiceID, 10), names[m.ServiceID], m.Date,
			fenCell(m.SetMealFen), strconv.FormatBool(m.SetMealSoldOut), m.Note}
		dishes := m.Dishes
		if len(dishes) == 0 {
			dishes = []doorstep.Dish{{}}
		}
		for _, d := range dishes {
			row := append(append([]string{}, day...), d.Name, fenCell(d.PriceFen), strconv.FormatBool(d.SoldOut), strconv.FormatBool(m.Sample))
			if err := cw.Write(EscapeRow(row)); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func fenCell(fen *int) string {
	if fen == nil {
		return ""
	}
	return strconv.Itoa(*fen)
}

// MenusJSON is the JSON export of menus: every day's menu and every weekly template.
type MenusJSON struct {
	Menus     []*doorstep.Menu         `json:"menus"`
	Templates []*doorstep.MenuTemplate `json:"templates"`
}

// WriteMenusJSON writes the menus and templates as one indented JSON object.
func WriteMenusJSON(w io.Writer, menus []*doorstep.Menu, templates []*doorstep.MenuTemplate) error {
	if menus == nil {
		menus = []*doorstep.Menu{}
	}
	if templates == nil {
		templates = []*doorstep.MenuTemplate{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(MenusJSON{Menus: menus, Templates: templates})
}

// DeliveryColumns are the columns of a delivery areas CSV; polygon is the
// polygon's ring as "lon lat, lon lat, …" in the export's crs, area_names are
// joined by "|".
var DeliveryColumns = []string{"external_id", "service_id", "service_name", "kind", "minutes", "area_names", "polygon",
	"booking", "phone", "sample"}

// WriteDeliveryCSV writes delivery areas one a row, coordinates in crs.
func WriteDeliveryCSV(w io.Writer, list []*doorstep.DeliveryArea, names, externalIDs map[int64]string, crs geo.CRS, bom bool) error {
	cw, err := NewCSVWriter(w, bom, DeliveryColumns)
	if err != nil {
		return err
	}
	for _, d := range list {
		var ring []string
		for _, poly := range toCRSPolygon(d.Polygon, crs) {
			for _, p := range poly {
				ring = append(ring, strconv.FormatFloat(p[0], 'f', 7, 64)+" "+strconv.FormatFloat(p[1], 'f', 7, 64))
			}
			break
		}
		minutes := ""
		if d.Kind == doorstep.DeliveryWalk {
			minutes = strconv.FormatFloat(d.Minutes, 'f', -1, 64)
		}
		row := []string{externalIDs[d.ServiceID], strconv.FormatInt(d.ServiceID, 10), names[d.ServiceID], d.Kind, minutes,
			strings.Join(d.AreaNames, "|"), strings.Join(ring, ", "), d.Booking, d.Phone, strconv.FormatBool(d.Sample)}
		if err := cw.Write(EscapeRow(row)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteDeliveryGeoJSON writes delivery areas as a FeatureCollection: a kind
// polygon's feature has its Polygon (in crs), the others a null geometry; the
// CSV's other columns are properties.
func WriteDeliveryGeoJSON(w io.Writer, list []*doorstep.DeliveryArea, names, externalIDs map[int64]string, crs geo.CRS) error {
	fc := geojson.NewFeatureCollection()
	for _, d := range list {
		var g orb.Geometry
		if len(d.Polygon) > 0 {
			g = toCRSPolygon(d.Polygon, crs)
		}
		f := geojson.NewFeature(g)
		f.Properties = geojson.Properties{
			"external_id": externalIDs[d.ServiceID], "service_id": d.ServiceID, "service_name": names[d.ServiceID],
			"kind": d.Kind, "minutes": d.Minutes, "area_names": d.AreaNames, "booking": d.Booking, "phone": d.Phone, "sample": d.Sample,
		}
		fc.Append(f)
	}
	data, err := json.MarshalIndent(fc, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

func toCRSPolygon(p orb.Polygon, crs geo.CRS) orb.Polygon {
	if crs == geo.WGS84 || len(p) == 0 {
		return p
	}
	return project.Polygon(p.Clone(), func(pt orb.Point) orb.Point { return geo.FromWGS84(crs, pt) })
}

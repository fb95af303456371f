package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// setupStep is one command of setting up a street, on a database file.
type setupStep struct {
	name string
	run  func(t *testing.T, db string)
}

// qingshiSteps are the commands that set up the hand-made street 青石街道 from an
// empty directory: its boundary, walking network, areas, listings (a CSV with
// OpenStreetMap hours and GCJ-02 coordinates) and an office account.
func qingshiSteps() map[string]setupStep {
	importKind := func(kind, file string) setupStep {
		return setupStep{kind, func(t *testing.T, db string) {
			mustDoorstep(t, "import", "--db", db, kind, qingshi(file))
		}}
	}
	return map[string]setupStep{
		"street":   importKind("street", "street.geojson"),
		"network":  importKind("network", "network.geojson"),
		"areas":    importKind("areas", "areas.geojson"),
		"services": importKind("services", "services.csv"),
		"user": {"user", func(t *testing.T, db string) {
			if out, err := userCmd(t, "office password\n", "add", "--db", db, "--username", "office", "--role", "office"); err != nil {
				t.Fatalf("user add: %v %s", err, out)
			}
		}},
	}
}

// portalView is what a resident, the office and a directory read of a served
// street, kept for comparing two set-ups.
type portalView struct {
	Meta struct {
		Street      string            `json:"street"`
		StreetEn    string            `json:"street_en"`
		City        string            `json:"city"`
		Sample      bool              `json:"sample"`
		FitProblems []json.RawMessage `json:"fit_problems"`
	}
	Doorstep []string // category: nearest listing, walking metres
	Services []string // name, hours, phone
	Areas    int
	Text     string // every API answer read, to look for the sample
}

func readPortal(t *testing.T, base string) portalView {
	t.Helper()
	var v portalView
	var text strings.Builder
	read := func(path string, out any) {
		body := get(t, base+path)
		text.WriteString(body)
		if out != nil {
			if err := json.Unmarshal([]byte(body), out); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
	}
	read("/api/meta", &v.Meta)
	var ans struct {
		OutsideStreet bool   `json:"outside_street"`
		Estimate      string `json:"estimate"`
		Categories    []struct {
			Category string `json:"category"`
			Service  *struct {
				Name      string  `json:"name"`
				DistanceM float64 `json:"distance_m"`
			} `json:"service"`
		} `json:"categories"`
	}
	read("/api/doorstep?lon=120.1036&lat=30.2545", &ans) // the middle of 青石三村
	if ans.OutsideStreet || ans.Estimate != "" {
		t.Errorf("doorstep inside the street: outside %v, estimate %q", ans.OutsideStreet, ans.Estimate)
	}
	for _, c := range ans.Categories {
		if c.Service != nil {
			v.Doorstep = append(v.Doorstep, fmt.Sprintf("%s: %s %.0f m", c.Category, c.Service.Name, c.Service.DistanceM))
		}
	}
	var list struct {
		Services []struct {
			Name   string          `json:"name"`
			Phone  string          `json:"phone"`
			Sample bool            `json:"sample"`
			Hours  json.RawMessage `json:"hours"`
		} `json:"services"`
	}
	read("/api/services?limit=100", &list)
	for _, s := range list.Services {
		if s.Sample {
			t.Errorf("listing %s is marked sample", s.Name)
		}
		v.Services = append(v.Services, s.Name+" "+string(s.Hours)+" "+s.Phone)
	}
	slices.Sort(v.Services)
	var areas struct {
		Features []json.RawMessage `json:"features"`
	}
	read("/api/areas", &areas)
	v.Areas = len(areas.Features)
	read("/api/street", nil)
	read("/hsds/services?per_page=50", nil)
	v.Text = text.String()
	// The page names no street of its own (its hidden sample banner aside).
	if page := get(t, base+"/"); strings.Contains(page, "凉城") || strings.Contains(page, "Liangcheng") {
		t.Error("the page names the sample street")
	}
	return v
}

// TestSetUpOwnStreet sets up 青石街道 from an empty directory with the commands
// docs/setup.md gives, serves it, and reads it as residents, the office and a
// directory do: its own name and place everywhere, its own listings with their
// OpenStreetMap hours, walks on its own network, nothing of the sample. The same
// commands in another order give the same portal.
func TestSetUpOwnStreet(t *testing.T) {
	steps := qingshiSteps()
	orders := [][]string{
		{"street", "network", "areas", "services", "user"},
		{"user", "services", "areas", "network", "street"},
	}
	var views []portalView
	for _, order := range orders {
		t.Run(strings.Join(order, ","), func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "qingshi.db")
			for _, name := range order {
				steps[name].run(t, db)
			}
			var v portalView
			log := serveFor(t, db, func(base string) { v = readPortal(t, base) })
			if strings.Contains(log, "sample street") || strings.Contains(log, "no street imported") || strings.Contains(log, `level=WARN msg="fit:`) {
				t.Errorf("serve log:\n%s", log)
			}
			m := v.Meta
			if m.Street != "青石街道" || m.StreetEn != "Qingshi Street" || m.City != "杭州市" || m.Sample || len(m.FitProblems) != 0 {
				t.Errorf("meta %+v", m)
			}
			if len(v.Services) != 6 || v.Areas != 4 || len(v.Doorstep) < 5 {
				t.Errorf("%d listings, %d areas, doorstep %v", len(v.Services), v.Areas, v.Doorstep)
			}
			for _, sample := range []string{"凉城", "Liangcheng", "示例", "上海市"} {
				if strings.Contains(v.Text, sample) {
					t.Errorf("the portal shows %q of the sample street", sample)
				}
			}
			for _, want := range []string{`"city":"杭州市"`, "0571-8765-4300 转 12", "+86 571 8765 1234", `"opens":"16:30"`} {
				if !strings.Contains(v.Text, want) {
					t.Errorf("the portal lacks %s", want)
				}
			}
			views = append(views, v)
		})
	}
	if len(views) == 2 {
		a, b := views[0], views[1]
		if !slices.Equal(a.Services, b.Services) || !slices.Equal(a.Doorstep, b.Doorstep) || a.Meta.Street != b.Meta.Street || a.Areas != b.Areas {
			t.Errorf("the two orders differ:\n%v\n%v\n%v\n%v", a.Services, b.Services, a.Doorstep, b.Doorstep)
		}
	}
}

package hsds_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/hsds"
	"doorstep/hsds/hsdstest"

	"github.com/google/uuid"
)

var (
	testStreet = &doorstep.Street{Name: "凉城新村街道", City: "上海市", District: "虹口区", Country: "CN", Timezone: "Asia/Shanghai"}

	testCategories = []doorstep.Category{
		{ID: "meal_point", NameZh: "助餐点/长者食堂", NameEn: "Meal point / elder canteen"},
		{ID: "health", NameZh: "社区卫生服务中心/站", NameEn: "Community health centre / station"},
	}
	testOrganizations = []doorstep.Organization{
		{ID: 1, Name: "凉城四村居民区居委会", Kind: "committee"},
		{ID: 2, Name: "(示例)乐膳餐饮管理有限公司", Kind: ""},
	}
)

func testServices() []*doorstep.Service {
	verified := time.Date(2026, 11, 20, 17, 0, 0, 0, time.UTC) // 21 Nov in Shanghai
	updated := time.Date(2026, 11, 24, 8, 30, 0, 0, time.UTC)
	capacity := 40
	return []*doorstep.Service{
		{ID: 7, Category: "meal_point", OrganizationID: 1, Name: "凉城四村助餐点", NameEn: "Liangcheng No. 4 Meal Point",
			Address: "广灵二路近凉城路", Lon: 121.4651, Lat: 31.2893, Phone: "021-6543-2100",
			Hours: doorstep.Schedule{
				{Days: []string{"mon", "tue", "wed", "thu", "fri"}, Opens: "10:30", Closes: "13:00"},
				{Days: []string{"sun", "sat"}, Opens: "11:00", Closes: "12:30"},
			},
			Offers: []string{"助餐", "送餐上门"}, Capacity: &capacity, Status: doorstep.StatusOpen, Note: "请提前一天订餐",
			VerifiedAt: &verified, UpdatedAt: updated, Version: 3},
		{ID: 8, Category: "health", OrganizationID: 2, Name: "夜间服务站", Lon: 121.47, Lat: 31.29,
			Hours:  doorstep.Schedule{{Days: []string{"fri"}, Opens: "22:00", Closes: "02:00"}},
			Offers: []string{}, Status: doorstep.StatusTemporarilyClosed, ReopensOn: "2026-12-01", UpdatedAt: updated, Version: 1},
		{ID: 9, Category: "unknown", OrganizationID: 99, Name: "旧活动室", Lon: 121.46, Lat: 31.28,
			Hours: doorstep.Schedule{}, Offers: []string{}, Status: doorstep.StatusClosed, Sample: true, UpdatedAt: updated, Version: 2},
	}
}

func TestMappedObjectsValidate(t *testing.T) {
	m := hsds.NewMapper(testStreet, testCategories, testOrganizations)
	for _, s := range testServices() {
		t.Run(s.Name, func(t *testing.T) {
			hsdstest.MustValidate(t, hsdstest.Service, m.Service(s))
			hsdstest.MustValidate(t, hsdstest.ServiceList, m.ServiceSummary(s))
		})
	}
	for _, o := range testOrganizations {
		hsdstest.MustValidate(t, hsdstest.Org, m.Organization(o))
	}
}

// TestValidatorRefuses shows the schema check has teeth: a wrong status, a
// misspelt member, a non-UUID id and a missing required member all fail.
func TestValidatorRefuses(t *testing.T) {
	m := hsds.NewMapper(testStreet, testCategories, testOrganizations)
	good, err := json.Marshal(m.Service(testServices()[0]))
	if err != nil {
		t.Fatal(err)
	}
	for name, change := range map[string]func(map[string]any){
		"status open":       func(o map[string]any) { o["status"] = "open" },
		"misspelt member":   func(o map[string]any) { o["opening_hours"] = "10:30" },
		"id not a uuid":     func(o map[string]any) { o["id"] = "7" },
		"no name":           func(o map[string]any) { delete(o, "name") },
		"schedule freq":     func(o map[string]any) { o["schedules"].([]any)[0].(map[string]any)["freq"] = "DAILY" },
		"latitude a string": func(o map[string]any) { loc(o)["latitude"] = "31.29" },
		"bad date-time":     func(o map[string]any) { o["last_modified"] = "yesterday" },
	} {
		t.Run(name, func(t *testing.T) {
			var o map[string]any
			if err := json.Unmarshal(good, &o); err != nil {
				t.Fatal(err)
			}
			change(o)
			if err := hsdstest.Validate(hsdstest.Service, o); err == nil {
				t.Errorf("a service with %s passed validation", name)
			}
		})
	}
}

func loc(o map[string]any) map[string]any {
	return o["service_at_locations"].([]any)[0].(map[string]any)["location"].(map[string]any)
}

func TestServiceMapping(t *testing.T) {
	m := hsds.NewMapper(testStreet, testCategories, testOrganizations)
	list := testServices()
	open, closing, closed := m.Service(list[0]), m.Service(list[1]), m.Service(list[2])

	for _, tc := range []struct {
		got, want string
	}{
		{open.Status, "active"}, {closing.Status, "temporarily closed"}, {closed.Status, "inactive"},
		{open.Name, "凉城四村助餐点"}, {open.AlternateName, "Liangcheng No. 4 Meal Point"},
		{open.AssuredDate, "2026-11-21"}, {open.LastModified, "2026-11-24T08:30:00Z"},
		{open.Phones[0].Number, "021-6543-2100"},
		{open.Schedules[0].ByDay, "MO,TU,WE,TH,FR"}, {open.Schedules[0].OpensAt, "10:30+08:00"},
		{open.Schedules[0].ClosesAt, "13:00+08:00"}, {open.Schedules[0].Freq, "WEEKLY"},
		{open.Schedules[1].ByDay, "SA,SU"},
		{closing.Schedules[0].ValidFrom, "2026-12-01"},
		{open.ServiceAtLocations[0].Location.Addresses[0].Address1, "广灵二路近凉城路"},
		{open.ServiceAtLocations[0].Location.Addresses[0].Region, "凉城新村街道"},
		{open.ServiceAtLocations[0].Location.Addresses[0].City, "上海市"},
		{open.ServiceAtLocations[0].Location.Addresses[0].Country, "CN"},
		{open.Languages[0].Code, "zh"},
		{open.Organization.Name, "凉城四村居民区居委会"},
		{open.Attributes[0].TaxonomyTerm.Code, "meal_point"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	if l := open.ServiceAtLocations[0].Location; l.Latitude != 31.2893 || l.Longitude != 121.4651 {
		t.Errorf("location %v, %v; want the WGS84 point", l.Latitude, l.Longitude)
	}
	if !strings.Contains(open.Description, "送餐上门") || !strings.Contains(open.Description, "40") ||
		!strings.Contains(open.Description, "请提前一天订餐") {
		t.Errorf("description %q lacks offers, capacity or note", open.Description)
	}
	if !strings.Contains(closing.Alert, "2026-12-01") || !strings.Contains(closed.Alert, "Sample data") {
		t.Errorf("alerts: %q, %q", closing.Alert, closed.Alert)
	}
	if closing.Schedules[0].Notes == "" {
		t.Errorf("an overnight span carries no note that it closes the next day")
	}
	if len(closed.Phones) != 0 || len(closed.Schedules) != 0 || closed.Organization != nil || closed.Attributes != nil ||
		closed.ServiceAtLocations[0].Location.Addresses != nil {
		t.Errorf("a listing without phone, hours, known organization, category or address maps to %+v", closed)
	}
	if org := m.Organization(testOrganizations[1]); org.Description != testOrganizations[1].Name {
		t.Errorf("an organization of unknown kind is described as %q", org.Description)
	}
	sum := m.ServiceSummary(list[0])
	if sum.Phones != nil || sum.Schedules != nil || sum.ServiceAtLocations != nil || sum.Organization == nil {
		t.Errorf("a list item carries its related arrays or lacks its organization: %+v", sum)
	}
}

func TestIDsAreStableUUIDs(t *testing.T) {
	a := hsds.NewMapper(testStreet, testCategories, testOrganizations)
	b := hsds.NewMapper(testStreet, nil, nil)
	other := hsds.NewMapper(&doorstep.Street{Name: "曲阳路街道"}, nil, nil)
	id := a.ServiceID(7)
	u, err := uuid.Parse(id)
	if err != nil || u.Version() != 5 {
		t.Fatalf("ServiceID = %q (%v), want a version-5 UUID", id, err)
	}
	if b.ServiceID(7) != id || a.ServiceID(8) == id || other.ServiceID(7) == id || a.OrganizationID(7) == id {
		t.Errorf("ids are not stable per street and entity")
	}
	if got := a.Service(testServices()[0]).ID; got != id {
		t.Errorf("mapped service id %q, want %q", got, id)
	}
	// Every id in one service is distinct.
	seen := map[string]bool{}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			if id, ok := v["id"].(string); ok {
				if seen[id] && v["name"] != "凉城四村居民区居委会" {
					t.Errorf("id %s used twice", id)
				}
				seen[id] = true
			}
			for _, x := range v {
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	data, _ := json.Marshal(a.Service(testServices()[0]))
	var o any
	json.Unmarshal(data, &o)
	walk(o)
	if len(seen) < 9 {
		t.Errorf("only %d ids in a full service", len(seen))
	}
}

func TestPage(t *testing.T) {
	tests := []struct {
		total, page, per, n int
		want                hsds.Page[int]
	}{
		{0, 1, 50, 0, hsds.Page[int]{TotalItems: 0, TotalPages: 0, PageNumber: 1, Size: 0, FirstPage: true, LastPage: true, Empty: true}},
		{61, 1, 50, 50, hsds.Page[int]{TotalItems: 61, TotalPages: 2, PageNumber: 1, Size: 50, FirstPage: true, LastPage: false}},
		{61, 2, 50, 11, hsds.Page[int]{TotalItems: 61, TotalPages: 2, PageNumber: 2, Size: 11, FirstPage: false, LastPage: true}},
		{61, 3, 50, 0, hsds.Page[int]{TotalItems: 61, TotalPages: 2, PageNumber: 3, Size: 0, LastPage: true, Empty: true}},
		{50, 1, 50, 50, hsds.Page[int]{TotalItems: 50, TotalPages: 1, PageNumber: 1, Size: 50, FirstPage: true, LastPage: true}},
	}
	for _, tc := range tests {
		got := hsds.NewPage(make([]int, tc.n), tc.total, tc.page, tc.per)
		got.Contents = nil
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("NewPage(%d items, total %d, page %d of %d) = %+v, want %+v", tc.n, tc.total, tc.page, tc.per, got, tc.want)
		}
	}
	if p := hsds.NewPage[int](nil, 0, 1, 50); p.Contents == nil {
		t.Errorf("an empty page's contents are null, want []")
	}
}

func TestOpenAPIDocument(t *testing.T) {
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(hsds.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || len(doc.Paths) != 3 || doc.Paths["/services/{id}"] == nil {
		t.Errorf("openapi %q with paths %v", doc.OpenAPI, doc.Paths)
	}
}

// TestMapperTakesTheStreetsPlace maps a listing of a street elsewhere: its
// addresses, language and schedule offsets come from the street, not Shanghai.
func TestMapperTakesTheStreetsPlace(t *testing.T) {
	helsinki := &doorstep.Street{Name: "Kallio", City: "Helsinki", Country: "FI", Timezone: "Europe/Helsinki"}
	svc := testServices()[0]
	got := hsds.NewMapper(helsinki, testCategories, testOrganizations).Service(svc)
	addr := got.ServiceAtLocations[0].Location.Addresses[0]
	if addr.City != "Helsinki" || addr.Country != "FI" || addr.Region != "Kallio" {
		t.Errorf("address %+v", addr)
	}
	if len(got.Languages) != 1 || got.Languages[0].Code != "fi" {
		t.Errorf("languages %+v", got.Languages)
	}
	sch := got.Schedules[0]
	if sch.Timezone != 2 && sch.Timezone != 3 || !strings.HasSuffix(sch.OpensAt, "+02:00") && !strings.HasSuffix(sch.OpensAt, "+03:00") {
		t.Errorf("schedule timezone %v, opens %q; want Helsinki's offset", sch.Timezone, sch.OpensAt)
	}
	none := hsds.NewMapper(nil, testCategories, testOrganizations).Service(svc)
	if a := none.ServiceAtLocations[0].Location.Addresses[0]; a.Country != "CN" || a.City != "" {
		t.Errorf("without a street: address %+v", a)
	}
}

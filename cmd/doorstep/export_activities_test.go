package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"doorstep/exchange"
)

// TestExportActivities writes the sample programme as CSV and JSON: every
// activity once, its place named as a services export names it, and no hsds.
func TestExportActivities(t *testing.T) {
	db := sampleDBPath(t)
	out := runCLI(t, "export", "--db", db, "activities", "--format", "csv", "--bom=false")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) < 30 || strings.Join(rows[0][:4], ",") != "id,service_external_id,service_name,title" {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	for _, r := range rows[1:] {
		if r[1] == "" || r[2] == "" || !strings.HasPrefix(r[8], "FREQ=") || r[14] != "true" {
			t.Errorf("row %v: place unnamed, no rule or not marked sample", r)
		}
	}
	var list []exchange.ActivityJSON
	if err := json.Unmarshal([]byte(runCLI(t, "export", "--db", db, "activities", "--format", "json")), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != len(rows)-1 || list[0].ServiceName == "" || list[0].Title == "" {
		t.Errorf("JSON: %d activities, CSV %d; first %+v", len(list), len(rows)-1, list[0])
	}
	if _, _, err := doorstepCmd("export", "--db", db, "activities", "--format", "hsds"); err == nil || !strings.Contains(err.Error(), "HSDS") {
		t.Errorf("activities as HSDS: %v", err)
	}
}

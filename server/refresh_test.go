package server

import (
	"testing"
)

func TestRefreshTakesNewerListingsOnly(t *testing.T) {
	s := newTestPortal(t)
	first := s.Snapshot().AllServices()[0]
	newer, older := *first, *first
	newer.Name, newer.Version = "改过的名字", first.Version+2
	older.Name, older.Version = "更早的改动", first.Version+1
	added := *first
	added.ID, added.Name = 900001, "新的服务点"

	s.Refresh(&newer, &added)
	s.Refresh(&older) // an earlier edit's refresh arriving late
	snap := s.Snapshot()
	if got, _ := snap.Service(first.ID); got.Name != newer.Name {
		t.Errorf("service %d is %q, want the newer %q", first.ID, got.Name, newer.Name)
	}
	if got, ok := snap.Service(added.ID); !ok || got.Name != added.Name {
		t.Errorf("added listing: %+v %v", got, ok)
	}
	all := snap.AllServices()
	for i := 1; i < len(all); i++ {
		if all[i].ID <= all[i-1].ID {
			t.Fatalf("listings out of id order at %d", i)
		}
	}
	// The refreshed snapshot still answers lookups with the listing in place.
	var got serviceJSON
	if code := getJSON(t, s, "/api/services/900001", &got); code != 200 || got.Name != added.Name {
		t.Errorf("GET the added listing: %d %+v", code, got.Service)
	}
}

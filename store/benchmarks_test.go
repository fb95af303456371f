package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"doorstep"
	"doorstep/store"
	"doorstep/store/storetest"
)

// BenchmarkSearchServices searches 100,000 generated listings with queries of one,
// two, three and five characters and in English, as a city-wide directory would.
func BenchmarkSearchServices(b *testing.B) {
	ctx := context.Background()
	db := benchDB(b)
	for _, q := range []string{"助", "食堂", "驿站", "凉城路", "为老服务中", "凉城 助浴", "canteen", "天宝9村长者食堂", "无此服务"} {
		b.Run(q, func(b *testing.B) {
			var hits int
			b.ReportAllocs()
			for b.Loop() {
				m, err := db.SearchServices(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				hits = len(m)
			}
			b.ReportMetric(float64(hits), "hits")
		})
	}
}

// benchDB is a database of 100,000 generated listings in plausible Chinese.
func benchDB(tb testing.TB) *store.DB {
	ctx := context.Background()
	db := storetest.MustOpenDB(tb)
	conn, err := db.Conn(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	const n = 100_000
	start := time.Now()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (name) VALUES ('街道办事处')`); err != nil {
		tb.Fatal(err)
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO services (category, organization_id, name, name_en, address, lon, lat, offers,
		created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`)
	if err != nil {
		tb.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	places := []string{"凉城", "文苑", "汶水", "广灵", "曲阳", "江湾", "复旦", "秀苑", "新港", "华一", "奎照", "水电", "车站", "广粤", "天宝", "嘉兴", "欧阳", "四川北"}
	kinds := []struct{ cat, zh, en string }{
		{"meal_point", "助餐点", "Meal point"}, {"meal_point", "长者食堂", "Elder canteen"},
		{"citizen_station", "市民驿站", "Citizen station"}, {"activity_room", "居委会活动室", "Activity room"},
		{"health", "卫生服务站", "Health station"}, {"day_care", "日间照料中心", "Day care centre"},
		{"elderly_centre", "综合为老服务中心", "Elderly service centre"}, {"culture", "社区图书馆", "Library"},
	}
	roads := []string{"凉城路", "广灵二路", "广灵四路", "汶水东路", "水电路", "奎照路", "车站南路", "广中路", "江湾镇路", "四平路"}
	offers := []string{"助餐", "送餐上门", "助浴", "日托", "健康咨询", "康复", "代办", "文体活动", "阅览", "配药", "法律咨询"}
	for i := range n {
		k := kinds[r.IntN(len(kinds))]
		place := places[r.IntN(len(places))]
		var os []string
		for range 1 + r.IntN(4) {
			os = append(os, `"`+offers[r.IntN(len(offers))]+`"`)
		}
		_, err := stmt.ExecContext(ctx, k.cat, fmt.Sprintf("%s%d村%s", place, 1+i%9, k.zh), fmt.Sprintf("%s %d %s", place, i, k.en),
			fmt.Sprintf("%s%d号(%s居民区)", roads[r.IntN(len(roads))], 1+r.IntN(999), place),
			121.0+r.Float64(), 31.0+r.Float64(), "["+strings.Join(os, ",")+"]")
		if err != nil {
			tb.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		tb.Fatal(err)
	}
	conn.Close()
	tb.Logf("indexed %d listings in %s", n, time.Since(start).Round(time.Millisecond))
	return db
}

// BenchmarkServicesAll reads every one of 100,000 listings, as a snapshot's build
// does at start-up and after an import.
func BenchmarkServicesAll(b *testing.B) {
	ctx := context.Background()
	db := benchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		list, total, err := db.Services(ctx, doorstep.ServiceFilter{})
		if err != nil || total != len(list) || total < 100_000 {
			b.Fatalf("%d listings, total %d, %v", len(list), total, err)
		}
	}
}

package main

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"doorstep"
)

// Organization kinds as written to services.geojson.
const (
	kindStation   = "station"
	kindCommittee = "committee"
	kindOperator  = "operator"
	kindOffice    = "office"
	kindHealth    = "health"
	kindCulture   = "culture"
)

// Organizations that run several listings. Operator companies are invented and say so.
const (
	orgOffice      = "凉城新村街道办事处"
	orgHealth      = "凉城新村街道社区卫生服务中心"
	orgCulture     = "凉城新村街道社区文化活动中心"
	orgLibrary     = "凉城新村街道社区图书馆"
	orgCatering    = "(示例)凉馨餐饮管理有限公司"
	orgCatering2   = "(示例)乐膳餐饮管理有限公司"
	orgCare        = "(示例)康颐养老服务有限公司"
	orgSocial      = "(示例)乐龄社会服务中心"
	noteNeighbour  = "(示例)邻近街道设施,位置为示意"
	noteRenovation = "(示例)装修暂停,预计下月恢复"
)

// Days of the week as the schedule names them.
var (
	allWeek  = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	weekdays = []string{"mon", "tue", "wed", "thu", "fri"}
	monToSat = []string{"mon", "tue", "wed", "thu", "fri", "sat"}
	tueToSun = []string{"tue", "wed", "thu", "fri", "sat", "sun"}
	saturday = []string{"sat"}
)

func span(days []string, opens, closes string) doorstep.OpeningSpan {
	return doorstep.OpeningSpan{Days: days, Opens: opens, Closes: closes}
}

// Typical timetables by kind of place.
var (
	hoursLunch       = doorstep.Schedule{span(allWeek, "10:30", "13:00")}
	hoursLunchWeek   = doorstep.Schedule{span(monToSat, "10:30", "13:00")}
	hoursMeals       = doorstep.Schedule{span(allWeek, "10:30", "13:00"), span(allWeek, "16:30", "18:00")}
	hoursCentre      = doorstep.Schedule{span(weekdays, "08:30", "17:00")}
	hoursCentreAll   = doorstep.Schedule{span(allWeek, "08:30", "17:00")}
	hoursStation     = doorstep.Schedule{span(monToSat, "08:30", "17:00")}
	hoursDayCare     = doorstep.Schedule{span(weekdays, "08:00", "17:00")}
	hoursHealth      = doorstep.Schedule{span(weekdays, "08:00", "16:30"), span(saturday, "08:00", "11:30")}
	hoursHealthPost  = doorstep.Schedule{span(weekdays, "08:00", "11:30"), span(weekdays, "13:30", "16:30")}
	hoursActivity    = doorstep.Schedule{span(weekdays, "09:00", "11:30"), span(weekdays, "13:30", "16:30")}
	hoursAroundClock = doorstep.Schedule{span(allWeek, "00:00", "24:00")}
	hoursCulture     = doorstep.Schedule{span(tueToSun, "08:30", "20:00")}
	hoursLibrary     = doorstep.Schedule{span(tueToSun, "09:00", "17:00")}
)

// serviceSpec describes one sample listing before it has a position.
type serviceSpec struct {
	key          string
	category     string
	name, nameEn string
	org, orgKind string
	area         string    // residential area it stands in; found from at when that is fixed
	at           orb.Point // fixed [lon, lat], or zero to place it inside area
	outside      bool      // stands just outside the street
	near         string    // key of a listing it stands beside (30–60 m), or ""
	address      string    // "" derives one from the area's roads
	hours        doorstep.Schedule
	offers       []string
	capacity     int // seats, beds or day places; 0 when it does not apply
	status       string
	note         string
}

// canteenAt is the community elder canteen (社区长者食堂) reported at 广灵四路268号, near
// the east edge of the street by 水电路.
var canteenAt = orb.Point{121.4705, 31.2935}

// stationAreas are the areas of the citizen stations (市民驿站), first to fifth; each
// station has its area's residents' committee activity room beside it.
var stationAreas = []string{"凉城四村", "华一", "汶一", "秀苑", "奎照"}

// noActivityRoom are areas without an activity room of their own: gaps the street
// office's coverage view should show.
var noActivityRoom = map[string]bool{"俞泾": true}

var ordinals = []string{"一", "二", "三", "四", "五"}

// serviceSpecs returns the sample listings in the order they are written.
func serviceSpecs(areas []*area) []serviceSpec {
	specs := []serviceSpec{
		// Elderly-service centres: one comprehensive centre and its branch.
		{key: "centre", category: "elderly_centre", name: "凉城新村街道综合为老服务中心", nameEn: "Liangcheng Xincun Comprehensive Elderly Service Centre",
			org: orgOffice, orgKind: kindOffice, area: "广凉", hours: hoursCentreAll,
			offers: []string{"助餐", "助浴", "日托", "健康咨询", "康复", "代办", "文体活动"}},
		{key: "centre-branch", category: "elderly_centre", name: "凉城新村街道综合为老服务中心分中心", nameEn: "Liangcheng Xincun Elderly Service Centre, Branch",
			org: orgOffice, orgKind: kindOffice, area: "文苑二村", hours: hoursCentre,
			offers: []string{"助餐", "日托", "健康咨询", "文体活动"}},

		// Meal points: the community elder canteen and smaller 助餐点.
		{key: "canteen", category: "meal_point", name: "凉城新村街道社区长者食堂", nameEn: "Liangcheng Xincun Community Elder Canteen",
			org: orgCatering, orgKind: kindOperator, at: canteenAt, address: "广灵四路268号", hours: hoursMeals,
			offers: []string{"助餐", "送餐上门", "堂食"}, capacity: 120},
		{key: "meal-centre", category: "meal_point", name: "综合为老服务中心助餐点", nameEn: "Elderly Service Centre Meal Point",
			org: orgCatering, orgKind: kindOperator, area: "广凉", near: "centre", hours: hoursLunch,
			offers: []string{"助餐", "送餐上门"}, capacity: 60},
		{key: "meal-lc4", category: "meal_point", name: "凉城四村助餐点", nameEn: "Liangcheng Sicun Meal Point",
			org: orgCatering, orgKind: kindOperator, area: "凉城四村", hours: hoursLunchWeek,
			offers: []string{"助餐", "送餐上门"}, capacity: 40},
		{key: "meal-lc1", category: "meal_point", name: "凉城一村助餐点", nameEn: "Liangcheng Yicun Meal Point",
			org: orgCatering2, orgKind: kindOperator, area: "凉城一村", hours: hoursLunchWeek,
			offers: []string{"助餐"}, capacity: 30},
		{key: "meal-wy1", category: "meal_point", name: "文苑助餐点", nameEn: "Wenyuan Meal Point",
			org: orgCatering2, orgKind: kindOperator, area: "文苑一村", hours: hoursMeals,
			offers: []string{"助餐", "送餐上门"}, capacity: 50},
		{key: "meal-w2", category: "meal_point", name: "汶水助餐点", nameEn: "Wenshui Meal Point",
			org: orgCatering, orgKind: kindOperator, area: "汶二", hours: hoursLunch,
			offers: []string{"助餐", "送餐上门"}, capacity: 36, status: doorstep.StatusTemporarilyClosed, note: noteRenovation},
		{key: "meal-xy", category: "meal_point", name: "秀苑助餐点", nameEn: "Xiuyuan Meal Point",
			org: orgCatering2, orgKind: kindOperator, area: "秀苑", hours: hoursLunchWeek,
			offers: []string{"助餐", "送餐上门"}, capacity: 30},
		{key: "meal-h1", category: "meal_point", name: "华一助餐点", nameEn: "Huayi Meal Point",
			org: orgCatering, orgKind: kindOperator, area: "华一", hours: hoursLunch,
			offers: []string{"助餐"}, capacity: 24},

		// Day care: an elderly care home (长者照护之家) and day-care centres.
		{key: "care-home", category: "day_care", name: "凉城新村街道长者照护之家", nameEn: "Liangcheng Xincun Elderly Care Home",
			org: orgCare, orgKind: kindOperator, area: "凉城五村", hours: hoursAroundClock,
			offers: []string{"短期托养", "康复", "助浴", "日托"}, capacity: 30},
		{key: "daycare-h2", category: "day_care", name: "凉城日间照料中心", nameEn: "Liangcheng Day Care Centre",
			org: orgSocial, orgKind: kindOperator, area: "华二", hours: hoursDayCare,
			offers: []string{"日托", "助餐", "康复"}, capacity: 40},
		{key: "daycare-wy3", category: "day_care", name: "文苑日间照料中心", nameEn: "Wenyuan Day Care Centre",
			org: orgSocial, orgKind: kindOperator, area: "文苑三村", hours: hoursDayCare,
			offers: []string{"日托", "助餐", "文体活动"}, capacity: 30},

		// Nursing home (敬老院).
		{key: "nursing", category: "nursing_home", name: "凉城新村街道敬老院", nameEn: "Liangcheng Xincun Nursing Home",
			org: orgOffice, orgKind: kindOffice, area: "凉城三村", hours: hoursAroundClock,
			offers: []string{"长期照护", "康复", "助浴"}, capacity: 150},

		// Community affairs acceptance service centre.
		{key: "affairs", category: "service_centre", name: "凉城新村街道社区事务受理服务中心", nameEn: "Liangcheng Xincun Community Affairs Service Centre",
			org: orgOffice, orgKind: kindOffice, area: "广灵", hours: hoursCentre,
			offers: []string{"代办", "社保医保", "老年综合津贴", "法律咨询"}},

		// Health: the community health centre and its stations.
		{key: "health", category: "health", name: "凉城新村街道社区卫生服务中心", nameEn: "Liangcheng Xincun Community Health Centre",
			org: orgHealth, orgKind: kindHealth, area: "广粤", hours: hoursHealth,
			offers: []string{"配药", "健康咨询", "康复", "家庭医生"}},
		{key: "health-lc2", category: "health", name: "凉城二村卫生服务站", nameEn: "Liangcheng Ercun Health Station",
			org: orgHealth, orgKind: kindHealth, area: "凉城二村", hours: hoursHealthPost,
			offers: []string{"配药", "健康咨询"}},
		{key: "health-fd", category: "health", name: "复旦卫生服务站", nameEn: "Fudan Health Station",
			org: orgHealth, orgKind: kindHealth, area: "复旦", hours: hoursHealthPost,
			offers: []string{"配药", "健康咨询"}},
		{key: "health-w3", category: "health", name: "汶三卫生服务站", nameEn: "Wensan Health Station",
			org: orgHealth, orgKind: kindHealth, area: "汶三", hours: hoursHealthPost,
			offers: []string{"配药", "健康咨询", "家庭医生"}},
		{key: "health-xg", category: "health", name: "新港卫生服务站", nameEn: "Xingang Health Station",
			org: orgHealth, orgKind: kindHealth, area: "新港", hours: hoursHealthPost,
			offers: []string{"配药", "健康咨询"}},
		{key: "health-jw", category: "health", name: "江湾卫生服务站", nameEn: "Jiangwan Health Station",
			org: orgHealth, orgKind: kindHealth, area: "江湾", hours: hoursHealthPost,
			offers: []string{"配药", "健康咨询"}},

		// Culture: the culture centre and the library.
		{key: "culture", category: "culture", name: "凉城新村街道社区文化活动中心", nameEn: "Liangcheng Xincun Community Culture Centre",
			org: orgCulture, orgKind: kindCulture, area: "复旦", hours: hoursCulture,
			offers: []string{"文体活动", "阅览", "培训讲座"}},
		{key: "library", category: "culture", name: "凉城新村街道社区图书馆", nameEn: "Liangcheng Xincun Community Library",
			org: orgLibrary, orgKind: kindCulture, area: "文苑二村", hours: hoursLibrary,
			offers: []string{"阅览", "借阅"}, capacity: 80},

		// Just outside the street: residents cross the boundary roads.
		{key: "out-meal", category: "meal_point", name: "曲阳路街道长者助餐点", nameEn: "Quyang Road Street Elder Meal Point",
			org: orgCatering2, orgKind: kindOperator, outside: true, at: orb.Point{121.4745, 31.2890}, address: "水电路东侧(曲阳路街道)", hours: hoursLunch,
			offers: []string{"助餐", "送餐上门"}, capacity: 40, note: noteNeighbour},
		{key: "out-affairs", category: "service_centre", name: "曲阳路街道社区事务受理服务中心", nameEn: "Quyang Road Street Community Affairs Service Centre",
			org: "曲阳路街道办事处", orgKind: kindOffice, outside: true, at: orb.Point{121.4728, 31.2830}, address: "水电路东侧(曲阳路街道)", hours: hoursCentre,
			offers: []string{"代办", "社保医保"}, note: noteNeighbour},
		{key: "out-culture", category: "culture", name: "曲阳路街道社区文化活动中心", nameEn: "Quyang Road Street Community Culture Centre",
			org: "曲阳路街道社区文化活动中心", orgKind: kindCulture, outside: true, at: orb.Point{121.4736, 31.2990}, address: "水电路东侧(曲阳路街道)", hours: hoursCulture,
			offers: []string{"文体活动", "阅览"}, note: noteNeighbour},
		{key: "out-health-n", category: "health", name: "江湾镇街道社区卫生服务站", nameEn: "Jiangwanzhen Street Health Station",
			org: "江湾镇街道社区卫生服务中心", orgKind: kindHealth, outside: true, at: orb.Point{121.4650, 31.3045}, address: "奎照路北侧(江湾镇街道)", hours: hoursHealthPost,
			offers: []string{"配药", "健康咨询"}, note: noteNeighbour},
		{key: "out-daycare", category: "day_care", name: "江湾镇街道日间照料中心", nameEn: "Jiangwanzhen Street Day Care Centre",
			org: orgSocial, orgKind: kindOperator, outside: true, at: orb.Point{121.4690, 31.3042}, address: "奎照路北侧(江湾镇街道)", hours: hoursDayCare,
			offers: []string{"日托", "助餐"}, capacity: 35, note: noteNeighbour},
		{key: "out-health-s", category: "health", name: "广中路街道社区卫生服务站", nameEn: "Guangzhong Road Street Health Station",
			org: "广中路街道社区卫生服务中心", orgKind: kindHealth, outside: true, at: orb.Point{121.4630, 31.2801}, address: "广中路南侧(广中路街道)", hours: hoursHealthPost,
			offers: []string{"配药", "健康咨询"}, note: noteNeighbour},
		{key: "out-nursing", category: "nursing_home", name: "康颐养老院", nameEn: "Kangyi Care Home",
			org: orgCare, orgKind: kindOperator, outside: true, at: orb.Point{121.4547, 31.2890}, address: "俞泾浦西侧", hours: hoursAroundClock,
			offers: []string{"长期照护", "康复"}, capacity: 200, note: noteNeighbour},
	}

	// Citizen stations, each with its area's activity room beside it.
	station := map[string]string{}
	for i, name := range stationAreas {
		key := fmt.Sprintf("station-%d", i+1)
		station[name] = key
		org := "凉城新村街道市民驿站第" + ordinals[i] + "站"
		specs = append(specs, serviceSpec{key: key, category: "citizen_station", name: org,
			nameEn: fmt.Sprintf("Liangcheng Xincun Citizen Station No. %d", i+1),
			org:    org, orgKind: kindStation, area: name, hours: hoursStation,
			offers: []string{"代办", "健康咨询", "法律咨询", "文体活动", "阅览"}})
	}

	// Activity rooms of the residents' committees.
	extra := [][]string{{"健康咨询"}, {"法律咨询"}, {"代办"}, {}}
	for i, a := range areas {
		if noActivityRoom[a.name] {
			continue
		}
		offers := append([]string{"文体活动", "阅览"}, extra[i%len(extra)]...)
		specs = append(specs, serviceSpec{key: "room-" + a.nameEn, category: "activity_room",
			name: a.committee() + "活动室", nameEn: a.nameEn + " Residents' Committee Activity Room",
			org: a.committee(), orgKind: kindCommittee, area: a.name, near: station[a.name],
			hours: hoursActivity, offers: offers})
	}
	return specs
}

// service is a placed listing.
type service struct {
	serviceSpec
	xy orb.Point // metres in the local plane
}

// Placement rules in metres.
const (
	minServiceGap  = 40.0 // between two listings, relaxed to 25 when an area is crowded
	minEdgeGap     = 25.0 // from the area's edge
	outsideMinDist = 50.0 // an outside listing is this far from the street at least
	outsideMaxDist = 300.0
)

// placeServices gives every listing a position: fixed ones where they are, paired ones
// 30–60 m from their partner, the rest at random inside their own area, keeping
// listings apart from each other and from the area's edge.
func placeServices(rng *rand.Rand, pl plane, specs []serviceSpec, areas []*area, street []orb.Point) ([]*service, error) {
	byName := map[string]*area{}
	for _, a := range areas {
		byName[a.name] = a
	}
	streetRing := closed(street)
	out := make([]*service, len(specs))
	byKey := map[string]*service{}
	var placed []orb.Point
	farFromOthers := func(p orb.Point, gap float64) bool {
		for _, q := range placed {
			if planar.Distance(p, q) < gap {
				return false
			}
		}
		return true
	}

	// Three passes: fixed positions, free ones, then those beside a partner.
	for pass := range 3 {
		for i, sp := range specs {
			fixed, paired := !sp.at.Equal(orb.Point{}), sp.near != ""
			if (pass == 0) != fixed || (pass == 2) != (paired && !fixed) {
				continue
			}
			s := &service{serviceSpec: sp}
			switch {
			case fixed:
				s.xy = pl.toXY(sp.at)
				inside := planar.RingContains(streetRing, s.xy)
				d := planar.DistanceFrom(orb.LineString(streetRing), s.xy)
				if sp.outside {
					if inside || d < outsideMinDist || d > outsideMaxDist {
						return nil, fmt.Errorf("services: %s should stand %v–%v m outside the street; inside=%v, %.0f m from the edge",
							sp.name, outsideMinDist, outsideMaxDist, inside, d)
					}
				} else {
					for _, a := range areas {
						if planar.RingContains(closed(a.ring), s.xy) {
							s.area = a.name
						}
					}
					if s.area == "" {
						return nil, fmt.Errorf("services: %s is not inside the street", sp.name)
					}
				}
				if !farFromOthers(s.xy, 25) {
					return nil, fmt.Errorf("services: %s is too close to another listing", sp.name)
				}
			default:
				a := byName[sp.area]
				if a == nil {
					return nil, fmt.Errorf("services: %s names unknown area %q", sp.name, sp.area)
				}
				ring := closed(a.ring)
				partner := byKey[sp.near]
				found := false
				for try := 0; try < 4000 && !found; try++ {
					gap, edge := minServiceGap, minEdgeGap
					if try > 2000 {
						gap, edge = 25, 15
					}
					var p orb.Point
					if partner != nil {
						ang, r := rng.Float64()*2*math.Pi, 30+30*rng.Float64()
						p = add(partner.xy, orb.Point{r * math.Cos(ang), r * math.Sin(ang)})
						gap = 25
					} else {
						p = randomInside(rng, a.ring)
					}
					if planar.RingContains(ring, p) && planar.DistanceFrom(orb.LineString(ring), p) >= edge && farFromOthers(p, gap) {
						s.xy, found = p, true
					}
				}
				if !found {
					return nil, fmt.Errorf("services: no room for %s in %s", sp.name, sp.area)
				}
			}
			placed = append(placed, s.xy)
			out[i] = s
			byKey[sp.key] = s
		}
	}

	return out, nil
}

// addressText is the listing's address: the reported one where there is one, else a
// sample address derived from its area, the area's road near its cross road, never a
// house number, since none of them is verified.
func (s *service) addressText(byName map[string]*area) string {
	if s.address != "" {
		return s.address
	}
	a := byName[s.area]
	return fmt.Sprintf("%s近%s(%s居民区)", a.road, a.cross, a.name)
}

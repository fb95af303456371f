package finder

import (
	"cmp"
	"fmt"
	"math"
	"strings"

	"doorstep"
	"doorstep/geo"

	"github.com/paulmach/orb"
)

// RouteQuery asks for a walk from a point to a point or to a listing.
type RouteQuery struct {
	From      orb.Point  // WGS84
	To        *orb.Point // WGS84; nil: to the listing ServiceID
	ServiceID int64
	Speed     float64 // metres a minute (doorstep.ParseSpeed)
}

// RouteAnswer is a walk along the network, as GET /api/route answers it.
type RouteAnswer struct {
	From, To     orb.Point
	Service      *doorstep.Service // when the walk leads to a listing
	Profile      doorstep.Profile
	SpeedMPerMin float64
	Line         orb.LineString // from From to To: straight onto the network, along it, straight off
	DistanceM    float64        // metres on the ground, rounded
	WalkMinutes  float64        // at the speed, with the profile's extra time (a walker's flights), one decimal
	Flights      int            // flights of steps on the way
	Crossings    int            // street crossings (OSM footway=crossing) on the way
	Directions   []Direction
}

// Direction is one line of a route's directions, in Chinese and English.
type Direction struct {
	Zh, En string
	Metres float64 // rounded as said
}

// ErrNoRoute is answered when no walk of the profile joins the two places: a
// step-free walk where only steps lead.
var ErrNoRoute = doorstep.Errorf(doorstep.EUNPROCESSABLE,
	"No walk of this profile joins the two places (for a step-free walk: only steps lead there).")

// Route finds the walk from q.From to q.To (or the listing q.ServiceID) by the
// snapshot's profile: the cheapest by its costs, which for the plain walk is the
// shortest. Both ends must lie within geo.MaxSnapMetres of the network.
func (s *Snapshot) Route(q RouteQuery) (*RouteAnswer, error) {
	if err := doorstep.CheckSpeed(q.Speed); err != nil {
		return nil, err
	}
	ans := &RouteAnswer{From: q.From, Profile: s.Profile(), SpeedMPerMin: q.Speed}
	cost := s.cost(q.Speed)
	var dst pointSnap
	if q.To != nil {
		ans.To = *q.To
		dst = s.snapAt(ans.To, cost)
	} else {
		i, ok := s.position(q.ServiceID)
		if !ok {
			return nil, doorstep.Errorf(doorstep.ENOTFOUND, "Service %d not found.", q.ServiceID)
		}
		ans.Service, ans.To = s.services[i], s.services[i].Point()
		dst = s.snapFor(s.snaps[i], ans.To, cost)
	}
	if s.graph == nil {
		return nil, ErrNoNetwork
	}
	src := s.snapAt(q.From, cost)
	if !src.ok {
		return nil, doorstep.FieldErrorf("from_lon", "The start is more than %d m from the walking network.", geo.MaxSnapMetres)
	}
	if !dst.ok {
		field := "to_lon"
		if q.To == nil {
			field = "to_service"
		}
		return nil, doorstep.FieldErrorf(field, "The destination is more than %d m from the walking network.", geo.MaxSnapMetres)
	}
	w := s.walkerAt(q.Speed)
	defer s.release(w)
	r, ok := w.Route(src.snap, dst.snap)
	if !ok {
		return nil, ErrNoRoute
	}
	ans.Line = r.Line()
	ans.DistanceM = math.Round(r.Metres)
	ans.WalkMinutes = roundMinutes(r.Cost / q.Speed)
	ans.Flights, ans.Crossings = s.countFlightsAndCrossings(r.Legs)
	ans.Directions = s.directions(r.Legs, ans.Service)
	return ans, nil
}

// countFlightsAndCrossings counts the flights of steps on legs (a run of steps
// legs is one flight unless it holds several flight edges) and the runs of
// crossing legs.
func (s *Snapshot) countFlightsAndCrossings(legs []geo.RouteLeg) (flights, crossings int) {
	g := s.graph
	inSteps, runFlights, inCrossing := false, 0, false
	endRun := func() {
		if inSteps {
			flights += max(runFlights, 1)
		}
		inSteps, runFlights = false, 0
	}
	for _, l := range legs {
		if l.Edge < 0 {
			endRun()
			inCrossing = false
			continue
		}
		a := g.EdgeAccess(l.Edge)
		if a&doorstep.AccessSteps != 0 {
			inSteps = true
			if a&doorstep.AccessFlight != 0 {
				runFlights++
			}
		} else {
			endRun()
		}
		crossing := g.EdgeKind(l.Edge) == "crossing"
		if crossing && !inCrossing {
			crossings++
		}
		inCrossing = crossing
	}
	endRun()
	return flights, crossings
}

// routeStretch is a run of legs along one way (same name, or same kind when
// unnamed) without a sharp bend: what one line of directions says.
type routeStretch struct {
	name, kind  string
	metres      float64
	first, last orb.Point // where it starts and ends
	startDir    float64   // bearing of its first leg, degrees clockwise from north
	endDir      float64   // bearing of its last leg
	bend        bool      // it goes on along the way the last stretch took, after a bend
}

// routeBendDegrees is the change of direction along one way that directions say
// as a turn.
const routeBendDegrees = 60

// directions describes the legs in a few lines: the way, its compass direction and
// length, and the turn onto each next way or at a sharp bend. The straight steps
// onto and off the network are counted with the stretches they join.
func (s *Snapshot) directions(legs []geo.RouteLeg, to *doorstep.Service) []Direction {
	g := s.graph
	var stretches []routeStretch
	for _, l := range legs {
		if l.Metres <= 0 && l.A == l.B {
			continue
		}
		name, kind := "", ""
		if l.Edge >= 0 {
			name, kind = g.EdgeName(l.Edge), g.EdgeKind(l.Edge)
		}
		dir := bearing(l.A, l.B)
		n := len(stretches)
		var last *routeStretch
		if n > 0 {
			last = &stretches[n-1]
		}
		sameWay := last != nil && last.name == name && (name != "" || last.kind == kind)
		switch {
		case last != nil && (l.Edge < 0 || (sameWay && !sharp(last.endDir, dir, l.Metres))):
			last.metres += l.Metres
			last.last = l.B
			if l.Metres > 1 {
				last.endDir = dir
			}
		case n == 1 && last.kind == "" && last.name == "":
			// The step onto the network is part of the first way.
			last.name, last.kind = name, kind
			last.metres += l.Metres
			last.last, last.endDir = l.B, dir
		default:
			stretches = append(stretches, routeStretch{
				name: name, kind: kind, metres: l.Metres, first: l.A, last: l.B, startDir: dir, endDir: dir, bend: sameWay,
			})
		}
	}
	var out []Direction
	for i, st := range stretches {
		m := roundSaidMetres(st.metres)
		zhDir, enDir := compass(bearing(st.first, st.last))
		zhWay, enWay := wayWords(st.name, st.kind)
		zhTurn, enTurn := "", ""
		if i > 0 {
			zhTurn, enTurn = turn(stretches[i-1].endDir, st.startDir)
		}
		var zh, en string
		switch {
		case st.kind == "steps" || st.kind == "elevator":
			verbZh, verbEn := "走台阶", "Take the steps"
			if st.kind == "elevator" {
				verbZh, verbEn = "乘电梯", "Take the lift"
			}
			zh = fmt.Sprintf("%s向%s %g 米", verbZh, zhDir, m)
			en = fmt.Sprintf("%s %s for %g m", verbEn, enDir, m)
			if zhTurn != "" && zhTurn != "直行" {
				zh, en = zhTurn+"，"+zh, enTurn+" and "+strings.ToLower(en[:1])+en[1:]
			}
		case i == 0:
			zh = fmt.Sprintf("沿%s向%s走 %g 米", zhWay, zhDir, m)
			en = fmt.Sprintf("Walk %s along %s for %g m", enDir, enWay, m)
		case st.bend:
			zh = fmt.Sprintf("%s，沿%s向%s走 %g 米", zhTurn, zhWay, zhDir, m)
			en = fmt.Sprintf("%s and walk %s along %s for %g m", enTurn, enDir, enWay, m)
		case zhTurn == "直行":
			zh = fmt.Sprintf("直行到%s，向%s走 %g 米", zhWay, zhDir, m)
			en = fmt.Sprintf("Go straight on onto %s and walk %s for %g m", enWay, enDir, m)
		default:
			zh = fmt.Sprintf("在%s%s，向%s走 %g 米", zhWay, zhTurn, zhDir, m)
			en = fmt.Sprintf("%s onto %s and walk %s for %g m", enTurn, enWay, enDir, m)
		}
		out = append(out, Direction{Zh: zh, En: en, Metres: m})
	}
	if to != nil {
		out = append(out, Direction{Zh: "到达" + to.Name, En: "Arrive at " + cmp.Or(to.NameEn, to.Name)})
	} else {
		out = append(out, Direction{Zh: "到达目的地", En: "Arrive"})
	}
	return out
}

// sharp reports whether a leg of metres turns from bearing from to bearing to by
// more than routeBendDegrees; legs under 3 m never do (they are a kink, not a
// corner).
func sharp(from, to, metres float64) bool {
	d := math.Abs(math.Mod(to-from+540, 360) - 180)
	return metres >= 3 && d > routeBendDegrees
}

// wayWords names a way in directions: its name, else what kind of way it is.
func wayWords(name, kind string) (zh, en string) {
	if name != "" {
		return name, name
	}
	switch kind {
	case "steps":
		return "台阶", "the steps"
	case "elevator":
		return "电梯", "the lift"
	case "crossing":
		return "人行横道", "the crossing"
	case "":
		return "直线", "a straight line"
	}
	return "小路", "the path"
}

// bearing is the direction from a to b in degrees clockwise from north, in a local
// flat projection (enough for the tens of metres a leg spans).
func bearing(a, b orb.Point) float64 {
	dx := (b[0] - a[0]) * math.Cos(a[1]*math.Pi/180)
	dy := b[1] - a[1]
	deg := math.Atan2(dx, dy) * 180 / math.Pi
	if deg < 0 {
		deg += 360
	}
	return deg
}

// compass names a bearing by the eight points of the compass.
func compass(deg float64) (zh, en string) {
	zhs := [8]string{"北", "东北", "东", "东南", "南", "西南", "西", "西北"}
	ens := [8]string{"north", "northeast", "east", "southeast", "south", "southwest", "west", "northwest"}
	i := int(math.Round(deg/45)) % 8
	return zhs[i], ens[i]
}

// turn names the change of direction from one bearing to the next: within 30° is
// straight on, beyond 150° is turning back.
func turn(from, to float64) (zh, en string) {
	d := math.Mod(to-from+540, 360) - 180 // (-180, 180], positive clockwise
	switch {
	case math.Abs(d) <= 30:
		return "直行", "Go straight on"
	case d > 150 || d < -150:
		return "掉头", "Turn back"
	case d > 0:
		return "右转", "Turn right"
	}
	return "左转", "Turn left"
}

// roundSaidMetres rounds a distance as directions say it: to 5 m below 100 m, to
// 10 m above, and never below 5 m.
func roundSaidMetres(m float64) float64 {
	if m < 100 {
		return max(5, math.Round(m/5)*5)
	}
	return math.Round(m/10) * 10
}

// Package geo is Doorstep's pure geometry: distances, China's map coordinate
// systems, the point index, the residential-area locator and (in other files)
// the walking graph. It takes plain points and IDs and returns results; it
// never touches the store or the server.
//
// Coordinates are always [lon, lat] in degrees (orb's order, GeoJSON's order),
// WGS84 unless a function says otherwise. Distances are metres.
package geo

import (
	"math"

	"github.com/paulmach/orb"
)

// MeanEarthRadius is the mean radius of the Earth in metres, the IUGG value
// R1 = (2a + b) / 3 of the WGS84 ellipsoid (Moritz, "Geodetic Reference
// System 1980", Bulletin Géodésique 54:395, 1980). It is the radius that
// minimises the error of a spherical model; note that orb.EarthRadius is the
// equatorial radius 6378137 m, 0.1% larger, which is why this package does
// not use orb/geo's distance functions.
const MeanEarthRadius = 6371008.8

const degToRad = math.Pi / 180

// Distance returns the great-circle distance in metres between a and b, given
// as [lon, lat] in degrees, on a sphere of radius MeanEarthRadius.
//
// It uses the haversine formula (R. W. Sinnott, "Virtues of the Haversine",
// Sky and Telescope 68(2):159, 1984), which stays accurate for short
// distances, where the spherical law of cosines loses precision: float64
// rounding stays below a micrometre at city distances and grows to decimetres
// only next to the antipode, where the haversine is ill-conditioned. The
// spherical model is within about 0.5% of the ellipsoidal (Vincenty) distance
// everywhere and within 0.3% at Shanghai's latitude (north–south distances
// read 0.3% long, east–west 0.2% short). Distance is symmetric, safe for
// concurrent use and does not allocate.
func Distance(a, b orb.Point) float64 {
	return haversineMetres(a[0], a[1], math.Cos(a[1]*degToRad), b[0], b[1], math.Cos(b[1]*degToRad))
}

// haversineTerm returns the haversine of the central angle between two points,
// hav(θ) = sin²(Δlat/2) + cos(lat1)·cos(lat2)·sin²(Δlon/2), given their lon
// and lat in degrees and the cosines of their latitudes. It is monotone in the
// distance, and 4·hav(θ) is the squared chord between the points on the unit
// sphere. The point index compares this term and converts only its results to
// metres; keeping a single formula makes the index's distances bit-for-bit
// equal to Distance.
func haversineTerm(aLon, aLat, aCos, bLon, bLat, bCos float64) float64 {
	sLat := math.Sin((bLat - aLat) * (degToRad / 2))
	sLon := math.Sin((bLon - aLon) * (degToRad / 2))
	return sLat*sLat + aCos*bCos*sLon*sLon
}

// haversineToMetres converts hav(θ) to the great-circle distance in metres:
// θ = 2·asin(√hav).
func haversineToMetres(h float64) float64 {
	if h > 1 {
		h = 1 // rounding near the antipode
	}
	return 2 * MeanEarthRadius * math.Asin(math.Sqrt(h))
}

// haversineMetres is Distance with the latitude cosines precomputed.
func haversineMetres(aLon, aLat, aCos, bLon, bLat, bCos float64) float64 {
	return haversineToMetres(haversineTerm(aLon, aLat, aCos, bLon, bLat, bCos))
}

// Projection is a local equirectangular projection: it maps [lon, lat]
// degrees to planar [x, y] metres east and north of Origin, with x scaled by
// cos(Origin latitude), on a sphere of radius MeanEarthRadius. Use it for
// planar work near the origin (projecting a point onto a short segment,
// areas, grids), not for long distances: the east–west scale error is about
// tan(lat0)·Δlat (0.1% 20 km north or south of Shanghai's latitude), and
// distances are only as good as that. A Projection is a small value, safe
// for concurrent use.
//
// The formula is the "equirectangular approximation" of Snyder, "Map
// Projections — A Working Manual", USGS Professional Paper 1395, 1987, p. 90.
type Projection struct {
	Origin orb.Point // [lon, lat] in degrees
	kx, ky float64   // metres per degree east and north
}

// NewProjection returns the local equirectangular projection centred on
// origin ([lon, lat] degrees).
func NewProjection(origin orb.Point) Projection {
	ky := MeanEarthRadius * degToRad
	return Projection{Origin: origin, kx: ky * math.Cos(origin[1]*degToRad), ky: ky}
}

// Forward projects p ([lon, lat] degrees) to [x, y] metres east and north of
// the origin. Longitudes are unwrapped to within 180° of the origin, so a
// projection near the antimeridian is continuous.
func (pr Projection) Forward(p orb.Point) orb.Point {
	dLon := p[0] - pr.Origin[0]
	if dLon > 180 {
		dLon -= 360
	} else if dLon < -180 {
		dLon += 360
	}
	return orb.Point{dLon * pr.kx, (p[1] - pr.Origin[1]) * pr.ky}
}

// Inverse maps [x, y] metres east and north of the origin back to
// [lon, lat] degrees. The longitude is not normalised to [-180, 180].
func (pr Projection) Inverse(xy orb.Point) orb.Point {
	return orb.Point{pr.Origin[0] + xy[0]/pr.kx, pr.Origin[1] + xy[1]/pr.ky}
}

// MetresPerDegree returns the projection's scale: metres per degree of
// longitude (east) and of latitude (north) at the origin.
func (pr Projection) MetresPerDegree() (east, north float64) {
	return pr.kx, pr.ky
}

// Package sample embeds the sample street of Doorstep (家门口): Liangcheng Xincun street
// (凉城新村街道, Hongkou, Shanghai), which an empty database is filled with.
//
// The boundary and the main roads are real, from OpenStreetMap (© OpenStreetMap
// contributors, ODbL 1.0); the residential areas, services and walking lanes are
// generated sample data (示例数据), not real listings, and every generated feature has
// "sample": true. See README.md; regenerate with `go run ./store/sample/gen` from the
// module root.
package sample

import "embed"

// Files holds the sample street as GeoJSON FeatureCollections, coordinates WGS84
// [lon, lat]:
//
//   - boundary.geojson: the street (properties.role "target") and its neighbours, real.
//   - roads.geojson: metro lines, metro stations, elevated and main roads, real.
//   - areas.geojson: 27 residential areas (居民区), Polygons tiling the street, generated.
//   - services.geojson: 60-odd service listings, Points, generated.
//   - network.geojson: the walking network, LineStrings meeting at shared coordinates;
//     kind "road" is real (sample false), "lane" and "footway" are generated.
//
//go:embed *.geojson
var Files embed.FS

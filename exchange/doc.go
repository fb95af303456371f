// Package exchange holds Doorstep's exchange formats: the files the imports read and
// the exports write (OpenStreetMap, GeoJSON, CSV), turned into and out of the root
// package's values. It knows neither the store nor HTTP.
package exchange

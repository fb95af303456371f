package hsds

import (
	_ "embed"
)

// OpenAPI is the OpenAPI 3.1 document of the HSDS API Doorstep serves: HSDS 3.0's
// own, cut to the endpoints Doorstep answers (/, /services, /services/{id}) and their
// parameters (search, page, per_page).
//
//go:embed openapi.json
var OpenAPI []byte

// Paging limits of /services.
const (
	DefaultPerPage = 50
	MaxPerPage     = 500
)

// APIInfo is the answer of the API's root: which HSDS version it serves and where
// its OpenAPI document is.
type APIInfo struct {
	Version    string `json:"version"`
	OpenAPIURL string `json:"openapi_url"`
}

// Page is the HSDS API's page of a list: where the page lies in the whole list,
// and its contents.
type Page[T any] struct {
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	PageNumber int  `json:"page_number"`
	Size       int  `json:"size"` // items on this page
	FirstPage  bool `json:"first_page"`
	LastPage   bool `json:"last_page"`
	Empty      bool `json:"empty"`
	Contents   []T  `json:"contents"`
}

// NewPage returns page number page (from 1) of perPage items, holding contents, of
// a list of total items.
func NewPage[T any](contents []T, total, page, perPage int) Page[T] {
	if contents == nil {
		contents = []T{}
	}
	pages := (total + perPage - 1) / perPage
	return Page[T]{
		TotalItems: total, TotalPages: pages, PageNumber: page, Size: len(contents),
		FirstPage: page == 1, LastPage: page >= pages, Empty: len(contents) == 0, Contents: contents,
	}
}

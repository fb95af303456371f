package server

import (
	"cmp"
	"context"
	"net/http"
	"slices"
	"strings"
	"sync"

	"doorstep"
	"doorstep/finder"
	"doorstep/geo"
	"doorstep/hsds"

	"github.com/gin-gonic/gin"
	"github.com/google/uuid"
)

// hsdsAPI serves the listings as Open Referral HSDS 3.0 (package hsds): the API's
// root, its OpenAPI document, a paged list of services and one service by its HSDS
// id. Closed listings are included, with status inactive, so a directory that
// copies ours learns of a closure.
type hsdsAPI struct {
	s *Server
	// index maps HSDS ids back to listing ids for one snapshot; rebuilt after a write.
	mu    sync.Mutex
	index *hsdsIndex
}

type hsdsIndex struct {
	snap   *finder.Snapshot
	mapper *hsds.Mapper
	byUUID map[uuid.UUID]int64
}

// hsdsParams reads the query string; coordinates in HSDS are WGS84 by the
// standard, so another crs is refused rather than ignored.
func (h *hsdsAPI) hsdsParams(c *gin.Context) (*params, bool) {
	p, crs, ok := h.s.requestParams(c)
	if ok && crs != geo.WGS84 {
		writeError(c, doorstep.FieldErrorf("crs", "HSDS coordinates are WGS84 by the standard; crs must be wgs84 or left out."))
		return nil, false
	}
	return p, ok
}

func (h *hsdsAPI) handleInfo(c *gin.Context) {
	if _, ok := h.hsdsParams(c); !ok {
		return
	}
	// The portal's address comes from its configuration, never from the request's
	// Host header, which any client sets; without one the URL is relative.
	c.JSON(http.StatusOK, hsds.APIInfo{Version: hsds.Version,
		OpenAPIURL: strings.TrimSuffix(h.s.cfg.PublicURL, "/") + "/hsds/openapi.json"})
}

func (h *hsdsAPI) handleOpenAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json; charset=utf-8", hsds.OpenAPI)
}

// handleServices answers a page of services (one-to-one fields and organization):
// page from 1, per_page 1–500 (default 50), search as q of /api/services. Without
// search the list is in listing id order; with it, best match first.
func (h *hsdsAPI) handleServices(c *gin.Context) {
	p, ok := h.hsdsParams(c)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	q, err := readHSDSPage(p)
	var idx *hsdsIndex
	if err == nil {
		idx, err = h.currentIndex(ctx)
	}
	var list []*doorstep.Service
	var total int
	if err == nil {
		list, total, err = h.services(ctx, q)
	}
	if err != nil {
		writeError(c, err)
		return
	}
	contents := make([]hsds.Service, len(list))
	for i, svc := range list {
		contents[i] = idx.mapper.ServiceSummary(svc)
	}
	c.JSON(http.StatusOK, hsds.NewPage(contents, total, q.page, q.perPage))
}

// hsdsPageQuery is a page of GET /hsds/services: its number from 1, its size, and the
// text searched for when searching.
type hsdsPageQuery struct {
	page, perPage int
	search        string
	searching     bool
}

func readHSDSPage(p *params) (q hsdsPageQuery, err error) {
	if q.page, err = p.int("page", 1, 1, maxOffset); err != nil {
		return q, err
	}
	if q.perPage, err = p.int("per_page", hsds.DefaultPerPage, 1, hsds.MaxPerPage); err != nil {
		return q, err
	}
	q.search, q.searching, err = p.get("search")
	return q, err
}

// services returns the page's listings, best match first when searching, and how
// many there are in all.
func (h *hsdsAPI) services(ctx context.Context, q hsdsPageQuery) ([]*doorstep.Service, int, error) {
	filter := doorstep.ServiceFilter{Limit: q.perPage, Offset: (q.page - 1) * q.perPage}
	if !q.searching {
		return h.s.db.Services(ctx, filter)
	}
	hits, err := h.s.db.SearchServices(ctx, q.search)
	if err != nil {
		return nil, 0, searchErrorAs(err, "search")
	}
	order := rankedIDs(hits)
	total := len(order)
	order = page1(order, filter.Offset, q.perPage)
	list, _, err := h.s.db.Services(ctx, doorstep.ServiceFilter{IDs: order})
	if err != nil {
		return nil, 0, err
	}
	pos := make(map[int64]int, len(order))
	for i, id := range order {
		pos[id] = i
	}
	slices.SortFunc(list, func(a, b *doorstep.Service) int { return cmp.Compare(pos[a.ID], pos[b.ID]) })
	return list, total, nil
}

// handleService answers one service, fully nested, by its HSDS id (a UUID).
func (h *hsdsAPI) handleService(c *gin.Context) {
	if _, ok := h.hsdsParams(c); !ok {
		return
	}
	idx, err := h.currentIndex(c.Request.Context())
	var svc *doorstep.Service
	if err == nil {
		svc, err = h.service(c.Request.Context(), idx, c.Param("id"))
	}
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, idx.mapper.Service(svc))
}

// service returns the listing with the HSDS id (a UUID) in idx.
func (h *hsdsAPI) service(ctx context.Context, idx *hsdsIndex, hsdsID string) (*doorstep.Service, error) {
	u, err := uuid.Parse(hsdsID)
	if err != nil {
		return nil, doorstep.FieldErrorf("id", "id must be the service's HSDS id, a UUID.")
	}
	id, found := idx.byUUID[u]
	if !found {
		return nil, doorstep.Errorf(doorstep.ENOTFOUND, "Service %s not found.", u)
	}
	return h.s.db.Service(ctx, id)
}

// currentIndex returns the mapper and id index of the current snapshot, making
// them after a write: one UUID (SHA-1) a listing.
func (h *hsdsAPI) currentIndex(ctx context.Context) (*hsdsIndex, error) {
	snap := h.s.Snapshot()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.index != nil && h.index.snap == snap {
		return h.index, nil
	}
	orgs, err := h.s.db.Organizations(ctx)
	if err != nil {
		return nil, err
	}
	ids, err := h.s.db.ExternalIDs(ctx) // every listing has one
	if err != nil {
		return nil, err
	}
	idx := &hsdsIndex{snap: snap, mapper: hsds.NewMapper(snap.Street(), snap.Categories(), orgs), byUUID: make(map[uuid.UUID]int64, len(ids))}
	for id := range ids {
		idx.byUUID[uuid.MustParse(idx.mapper.ServiceID(id))] = id
	}
	h.index = idx
	return idx, nil
}

// rankedIDs lists the ids of search hits, best rank first, by id among equals.
func rankedIDs(hits map[int64]float64) []int64 {
	ids := make([]int64, 0, len(hits))
	for id := range hits {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b int64) int {
		return cmp.Or(cmp.Compare(hits[a], hits[b]), cmp.Compare(a, b))
	})
	return ids
}

// page1 returns list[offset:offset+limit], empty past the end.
func page1[T any](list []T, offset, limit int) []T {
	if offset >= len(list) {
		return []T{}
	}
	return list[offset:min(offset+limit, len(list))]
}

// searchErrorAs renames the field of the store's error about q to the parameter
// the request used.
func searchErrorAs(err error, field string) error {
	if doorstep.ErrorField(err) == "q" {
		return doorstep.FieldErrorf(field, "%s", field+strings.TrimPrefix(doorstep.ErrorMessage(err), "q"))
	}
	return err
}

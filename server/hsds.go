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
	scheme := "http"
	if c.Request.TLS != nil || c.GetHeader("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	c.JSON(http.StatusOK, hsds.APIInfo{Version: hsds.Version, OpenAPIURL: scheme + "://" + c.Request.Host + "/hsds/openapi.json"})
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
	page, err := p.int("page", 1, 1, maxOffset)
	if err != nil {
		writeError(c, err)
		return
	}
	perPage, err := p.int("per_page", hsds.DefaultPerPage, 1, hsds.MaxPerPage)
	if err != nil {
		writeError(c, err)
		return
	}
	search, given, err := p.get("search")
	if err != nil {
		writeError(c, err)
		return
	}
	idx, err := h.currentIndex(ctx)
	if err != nil {
		writeError(c, err)
		return
	}
	filter := doorstep.ServiceFilter{Limit: perPage, Offset: (page - 1) * perPage}
	var order []int64 // the page's ids in answer order, when searching
	total := 0
	if given {
		hits, err := h.s.db.SearchServices(ctx, search)
		if err != nil {
			writeError(c, searchErrorAs(err, "search"))
			return
		}
		order = rankedIDs(hits)
		total = len(order)
		order = page1(order, filter.Offset, perPage)
		filter = doorstep.ServiceFilter{IDs: order}
	}
	list, n, err := h.s.db.Services(ctx, filter)
	if err != nil {
		writeError(c, err)
		return
	}
	if !given {
		total = n
	} else {
		pos := make(map[int64]int, len(order))
		for i, id := range order {
			pos[id] = i
		}
		slices.SortFunc(list, func(a, b *doorstep.Service) int { return cmp.Compare(pos[a.ID], pos[b.ID]) })
	}
	contents := make([]hsds.Service, len(list))
	for i, svc := range list {
		contents[i] = idx.mapper.ServiceSummary(svc)
	}
	c.JSON(http.StatusOK, hsds.NewPage(contents, total, page, perPage))
}

// handleService answers one service, fully nested, by its HSDS id (a UUID).
func (h *hsdsAPI) handleService(c *gin.Context) {
	if _, ok := h.hsdsParams(c); !ok {
		return
	}
	ctx := c.Request.Context()
	u, err := uuid.Parse(c.Param("id"))
	if err != nil {
		writeError(c, doorstep.FieldErrorf("id", "id must be the service's HSDS id, a UUID."))
		return
	}
	idx, err := h.currentIndex(ctx)
	if err != nil {
		writeError(c, err)
		return
	}
	id, found := idx.byUUID[u]
	if !found {
		writeError(c, doorstep.Errorf(doorstep.ENOTFOUND, "Service %s not found.", u))
		return
	}
	svc, err := h.s.db.Service(ctx, id)
	if err != nil {
		writeError(c, err)
		return
	}
	c.JSON(http.StatusOK, idx.mapper.Service(svc))
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

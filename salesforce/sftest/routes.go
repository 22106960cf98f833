package sftest

// The REST routes the fake serves, named as Calls and Fault.Route expect
// them: the method and the path below /services/data/vNN.N, with the parts
// that vary in braces.
const (
	RouteDescribeGlobal   = "GET /sobjects"
	RouteSObjectInfo      = "GET /sobjects/{type}"
	RouteDescribe         = "GET /sobjects/{type}/describe"
	RouteCreate           = "POST /sobjects/{type}"
	RouteGet              = "GET /sobjects/{type}/{id}"
	RouteUpdate           = "PATCH /sobjects/{type}/{id}"
	RouteDelete           = "DELETE /sobjects/{type}/{id}"
	RouteGetByExternalID  = "GET /sobjects/{type}/{field}/{value}"
	RouteUpsert           = "PATCH /sobjects/{type}/{field}/{value}"
	RouteDeleteByExtID    = "DELETE /sobjects/{type}/{field}/{value}"
	RouteQuery            = "GET /query"
	RouteQueryMore        = "GET /query/{locator}"
	RouteQueryAll         = "GET /queryAll"
	RouteQueryAllMore     = "GET /queryAll/{locator}"
	RouteCollectionCreate = "POST /composite/sobjects"
	RouteCollectionUpdate = "PATCH /composite/sobjects"
	RouteCollectionDelete = "DELETE /composite/sobjects"
	RouteCollectionUpsert = "PATCH /composite/sobjects/{type}/{field}"
	RouteComposite        = "POST /composite"
	RouteGraph            = "POST /composite/graph"
	RouteLimits           = "GET /limits"
	RouteToolingQuery     = "GET /tooling/query"
	RouteToolingCreate    = "POST /tooling/sobjects/{type}"

	RouteBulkIngestCreate  = "POST /jobs/ingest"
	RouteBulkIngestGet     = "GET /jobs/ingest/{id}"
	RouteBulkIngestPatch   = "PATCH /jobs/ingest/{id}"
	RouteBulkIngestDelete  = "DELETE /jobs/ingest/{id}"
	RouteBulkIngestUpload  = "PUT /jobs/ingest/{id}/batches"
	RouteBulkIngestResults = "GET /jobs/ingest/{id}/{results}"
	RouteBulkQueryCreate   = "POST /jobs/query"
	RouteBulkQueryGet      = "GET /jobs/query/{id}"
	RouteBulkQueryPatch    = "PATCH /jobs/query/{id}"
	RouteBulkQueryDelete   = "DELETE /jobs/query/{id}"
	RouteBulkQueryResults  = "GET /jobs/query/{id}/results"

	RouteUnknown = "" // any REST request that matches no route
)

// routes lists the named routes in the order Routes returns them.
var routes = []string{
	RouteDescribeGlobal, RouteSObjectInfo, RouteDescribe, RouteCreate,
	RouteGet, RouteUpdate, RouteDelete,
	RouteGetByExternalID, RouteUpsert, RouteDeleteByExtID,
	RouteQuery, RouteQueryMore, RouteQueryAll, RouteQueryAllMore,
	RouteCollectionCreate, RouteCollectionUpdate, RouteCollectionDelete, RouteCollectionUpsert,
	RouteComposite, RouteGraph, RouteLimits, RouteToolingQuery, RouteToolingCreate,
	RouteBulkIngestCreate, RouteBulkIngestGet, RouteBulkIngestPatch, RouteBulkIngestDelete,
	RouteBulkIngestUpload, RouteBulkIngestResults,
	RouteBulkQueryCreate, RouteBulkQueryGet, RouteBulkQueryPatch, RouteBulkQueryDelete, RouteBulkQueryResults,
}

// Routes returns the names of the routes the fake serves, the values Calls
// and Fault.Route take (RouteUnknown aside), in the order of the Route*
// constants.
func Routes() []string { return append([]string(nil), routes...) }

var knownRoutes = func() map[string]bool {
	m := make(map[string]bool, len(routes))
	for _, r := range routes {
		m[r] = true
	}
	return m
}()

// routeOf names the route of a call, or RouteUnknown.
func routeOf(c call) string {
	var path string
	n := len(c.segs)
	switch {
	case n == 0:
		return RouteUnknown
	case c.segs[0] == "sobjects":
		path = [...]string{"", "/sobjects", "/sobjects/{type}", "/sobjects/{type}/{id}", "/sobjects/{type}/{field}/{value}"}[min(n, 4)]
		if n == 3 && c.segs[2] == "describe" {
			path = "/sobjects/{type}/describe"
		}
		if n > 4 {
			return RouteUnknown
		}
	case c.segs[0] == "query" || c.segs[0] == "queryAll":
		path = "/" + c.segs[0]
		if n == 2 {
			path += "/{locator}"
		}
	case c.segs[0] == "limits" && n == 1:
		path = "/limits"
	case c.segs[0] == "jobs" && n >= 2 && n <= 4:
		path = "/jobs/" + c.segs[1]
		switch {
		case n == 3:
			path += "/{id}"
		case n == 4 && c.segs[1] == "ingest" && c.segs[3] == "batches":
			path += "/{id}/batches"
		case n == 4 && c.segs[1] == "ingest":
			path += "/{id}/{results}"
		case n == 4 && c.segs[3] == "results":
			path += "/{id}/results"
		case n == 4:
			return RouteUnknown
		}
	case c.segs[0] == "tooling":
		switch {
		case n == 2 && c.segs[1] == "query":
			path = "/tooling/query"
		case n == 3 && c.segs[1] == "sobjects":
			path = "/tooling/sobjects/{type}"
		}
	case c.segs[0] == "composite":
		switch {
		case n == 1:
			path = "/composite"
		case n == 2 && (c.segs[1] == "graph" || c.segs[1] == "sobjects"):
			path = "/composite/" + c.segs[1]
		case n == 4 && c.segs[1] == "sobjects":
			path = "/composite/sobjects/{type}/{field}"
		}
	}
	route := c.method + " " + path
	if !knownRoutes[route] {
		return RouteUnknown
	}
	return route
}

package sftest

import (
	"strings"
	"testing"
)

func TestRouteOf(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"GET sobjects":                              RouteDescribeGlobal,
		"POST sobjects/Account":                     RouteCreate,
		"GET sobjects/Account/describe":             RouteDescribe,
		"PATCH sobjects/Account/001000000000001AAA": RouteUpdate,
		"PATCH sobjects/Account/Key__c/a@b.example": RouteUpsert,
		"DELETE sobjects/Account/Key__c/a":          RouteDeleteByExtID,
		"GET query":                                 RouteQuery,
		"GET query/01g-2000":                        RouteQueryMore,
		"GET queryAll":                              RouteQueryAll,
		"PATCH composite/sobjects/Account/Key__c":   RouteCollectionUpsert,
		"DELETE composite/sobjects":                 RouteCollectionDelete,
		"POST composite":                            RouteComposite,
		"POST composite/graph":                      RouteGraph,
		"GET limits":                                RouteLimits,
		"GET tooling/query":                         RouteToolingQuery,
		"POST tooling/sobjects/CustomField":         RouteToolingCreate,
		"PUT limits":                                RouteUnknown,
		"GET sobjects/Account/Key__c/a/b":           RouteUnknown,
		"GET nothing":                               RouteUnknown,
		"POST composite/tree/Account":               RouteUnknown,
		"GET tooling/sobjects/CustomField":          RouteUnknown,
	}
	for in, want := range tests {
		method, path, _ := strings.Cut(in, " ")
		if got := routeOf(call{method: method, segs: strings.Split(path, "/")}); got != want {
			t.Errorf("routeOf(%s) = %q, want %q", in, got, want)
		}
	}
	all := Routes()
	if len(all) != len(knownRoutes) || all[0] != RouteDescribeGlobal {
		t.Errorf("Routes() = %v", all)
	}
	all[0] = "changed"
	if Routes()[0] != RouteDescribeGlobal {
		t.Error("Routes returns the package's own slice")
	}
}

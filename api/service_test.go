package api_test

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"gopkg.in/yaml.v3"

	"github.com/yiyun-console/console/api"
	"github.com/yiyun-console/console/internal/testenv"
)

func TestHealthAndReady(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	env.Must(t, http.StatusOK, req{Method: "GET", Path: "/healthz"})
	r := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/readyz"})
	if r.Str("postgres") != "ok" || r.Str("temporal") != "ok" {
		t.Errorf("readyz: %s", r.Body)
	}
	if r.Header.Get("X-Request-Id") == "" {
		t.Error("no request ID")
	}
	doc := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/openapi.yaml"})
	if !strings.HasPrefix(string(doc.Body), "components:") &&
		!strings.Contains(string(doc.Body), "openapi: 3.0.3") {
		t.Errorf("openapi.yaml: %.200s", doc.Body)
	}
	page := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/docs"})
	if !strings.Contains(string(page.Body), "/v1/accounts") {
		t.Error("the docs page does not list /v1/accounts")
	}
	// Code spans of the descriptions show as code, not as backticks.
	if !strings.Contains(string(page.Body), "<code>next_cursor</code>") ||
		strings.Contains(string(page.Body), "`next_cursor`") {
		t.Error("the docs page does not render the descriptions' code spans")
	}
}

// TestRoutesMatchOpenAPI proves that the router and the OpenAPI description list the
// same operations, so that neither drifts from the other.
func TestRoutesMatchOpenAPI(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	routes := map[string]bool{}
	err := chi.Walk(env.API.Handler().(chi.Routes), func(method, route string,
		_ http.Handler, _ ...func(http.Handler) http.Handler) error {
		route = strings.TrimSuffix(strings.ReplaceAll(route, "/*/", "/"), "/*")
		if route != "/" && strings.HasSuffix(route, "/") {
			route = strings.TrimSuffix(route, "/")
		}
		routes[method+" "+route] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	ops, err := api.Operations()
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for _, op := range ops {
		documented[op] = true
		if !routes[op] {
			t.Errorf("documented but not routed: %s", op)
		}
	}
	var missing []string
	for r := range routes {
		if !documented[r] {
			missing = append(missing, r)
		}
	}
	sort.Strings(missing)
	for _, r := range missing {
		t.Errorf("routed but not documented: %s", r)
	}
}

// TestOpenAPIHasNoStrayKeys reads the served description and refuses any key
// without a value: in YAML's flow style an unquoted comma ends a description early
// and turns the rest of it into a key of its own.
func TestOpenAPIHasNoStrayKeys(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	r := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/openapi.yaml"})
	var doc any
	if err := yaml.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, n any)
	walk = func(path string, n any) {
		switch v := n.(type) {
		case map[string]any:
			for k, child := range v {
				if child == nil {
					t.Errorf("%s: key %q has no value", path, k)
				}
				walk(path+"/"+k, child)
			}
		case []any:
			for i, child := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), child)
			}
		}
	}
	walk("", doc)
}

package api_test

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/yiyun-console/console/internal/testenv"
)

// TestBadInputSweep sends every documented operation requests that are wrong in
// every way the sweep knows: no credential, the wrong role, another account's or an
// unknown object, missing, wrong-typed, oversized and hostile fields. Every answer
// must be a 4xx in the error envelope (or a 2xx where the request was in fact valid),
// never a 5xx, and a refused request must change nothing in the database.
func TestBadInputSweep(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	ops := loadSweepOperations(t, env)
	dev := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")
	operator := env.Staff(t, "operator")
	creds := map[string]string{
		"none": "", "developer": dev.Token, "reviewer": reviewer.Token,
		"operator": operator.Token, "platform": env.Config.PlatformToken,
		"garbage": "not-a-token",
	}

	tried := 0
	for _, op := range ops {
		for credName, token := range creds {
			for _, path := range sweepPaths(op.Path) {
				bodies := sweepBodies(op)
				if credName == "none" || credName == "garbage" || credName == "reviewer" {
					// Refused before the body is read, or covered by the operator.
					bodies = bodies[:1]
				}
				for _, body := range bodies {
					before := dbFingerprint(t, env)
					r := env.Do(t, testenv.Request{Method: op.Method, Path: path, Token: token,
						Body: body.value, Content: body.contentType})
					tried++
					where := fmt.Sprintf("%s %s as %s with %s", op.Method, path, credName, body.name)
					if r.Status >= 500 {
						t.Errorf("%s: status %d: %.300s", where, r.Status, r.Body)
						continue
					}
					if r.Status >= 400 {
						if r.ErrorCode() == "" {
							t.Errorf("%s: %d without the error envelope: %.200s", where, r.Status, r.Body)
						}
						if after := dbFingerprint(t, env); after != before {
							t.Errorf("%s: refused with %d but the database changed", where, r.Status)
						}
					}
				}
			}
			if credName == "none" || credName == "garbage" || credName == "reviewer" {
				continue
			}
			// Hostile query parameters, under names the routes use and others: each is
			// refused with a 400 before any handler sees it.
			path := pathParam.ReplaceAllString(op.Path, "0123456789abcdef0123456789abcdef")
			for _, q := range hostileQueries {
				before := dbFingerprint(t, env)
				r := env.Do(t, testenv.Request{Method: op.Method, Path: path + "?" + q, Token: token,
					Body: map[string]any{}})
				tried++
				where := fmt.Sprintf("%s %s?%s as %s", op.Method, path, q, credName)
				if r.Status != 400 || r.ErrorCode() != "invalid_request" {
					t.Errorf("%s: %d, want 400 invalid_request: %.300s", where, r.Status, r.Body)
				}
				if after := dbFingerprint(t, env); after != before {
					t.Errorf("%s: refused with %d but the database changed", where, r.Status)
				}
			}
		}
	}
	testenv.Report(t, "bad-input sweep: %d requests over %d operations, each answered "+
		"with the envelope and a 4xx, the database unchanged", tried, len(ops))
}

type sweepOp struct {
	Method, Path string
	Fields       map[string]string // request body fields and their types
	Multipart    bool
}

// loadSweepOperations reads the operations and their body fields from /openapi.yaml.
func loadSweepOperations(t *testing.T, env *testenv.Env) []sweepOp {
	r := env.Must(t, 200, testenv.Request{Method: "GET", Path: "/openapi.yaml"})
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Properties map[string]struct {
							Type string `yaml:"type"`
						} `yaml:"properties"`
					} `yaml:"schema"`
				} `yaml:"content"`
			} `yaml:"requestBody"`
		} `yaml:"paths"`
	}
	if err := yaml.Unmarshal(r.Body, &doc); err != nil {
		t.Fatal(err)
	}
	var ops []sweepOp
	for path, item := range doc.Paths {
		for method, op := range item {
			o := sweepOp{Method: strings.ToUpper(method), Path: path, Fields: map[string]string{}}
			for ct, c := range op.RequestBody.Content {
				if strings.HasPrefix(ct, "multipart/") {
					o.Multipart = true
				}
				for name, p := range c.Schema.Properties {
					o.Fields[name] = p.Type
				}
			}
			ops = append(ops, o)
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].Method+ops[i].Path < ops[j].Method+ops[j].Path })
	return ops
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// sweepPaths fills the path parameters with an unknown ID and with hostile text.
func sweepPaths(path string) []string {
	if !pathParam.MatchString(path) {
		return []string{path}
	}
	var out []string
	for _, v := range []string{"0123456789abcdef0123456789abcdef", "..%2F..%2Fetc",
		"%27%20OR%201%3D1", strings.Repeat("9", 300), "2026-13"} {
		out = append(out, pathParam.ReplaceAllString(path, v))
	}
	return out
}

type sweepBody struct {
	name        string
	value       any
	contentType string
}

// hostile are strings that have broken other systems.
var hostile = []any{
	"' OR '1'='1", "<script>alert(1)</script>", "../../../../etc/passwd", "\x00\x01",
	"\u202e\u0000", "${jndi:ldap://127.0.0.1/x}", strings.Repeat("长", 5000),
	"a\u200b", "\u202egnp.exe", "\ufeff", "\u0085",
}

// hostileQueries are query strings holding a NUL, invalid UTF-8 or an overlong
// encoding of NUL, in the values and the names of query parameters.
var hostileQueries = []string{
	"caller=%00", "callee=a%00b", "app_id=%ff", "region=%c0%80", "month=2026-01%00",
	"status=%fe%ff", "cursor=%00", "limit=1%00", "q=%ed%a0%80", "x%00=1", "%ff=1",
}

// hostileRaw are JSON string literals, written as sent, that the JSON encoder of
// the test cannot produce: escapes of NUL and unpaired surrogates, and invalid
// UTF-8.
var hostileRaw = []string{
	`"a\u0000b"`, `"\ud800"`, `"x\udc00y"`, `"\ud83dA"`, "\"\xff\xc0\x80\"", "\"\xed\xa0\x80\"",
}

// sweepBodies returns the bodies to send to op: none, malformed, and one per field
// per kind of wrongness.
func sweepBodies(op sweepOp) []sweepBody {
	if op.Method == "GET" || op.Method == "DELETE" {
		return []sweepBody{{name: "no body"}}
	}
	out := []sweepBody{
		{name: "no body"},
		{name: "malformed JSON", value: []byte(`{"a":`), contentType: "application/json"},
		{name: "a JSON array", value: []byte(`[1,2]`), contentType: "application/json"},
		{name: "an empty object", value: map[string]any{}},
		{name: "a 2 MB body", value: []byte(`{"x":"` + strings.Repeat("a", 2<<20) + `"}`),
			contentType: "application/json"},
		{name: "a form body", value: []byte("a=b"), contentType: "application/x-www-form-urlencoded"},
	}
	if op.Multipart {
		out = append(out, sweepBody{name: "a broken multipart body", value: []byte("--x\r\n"),
			contentType: "multipart/form-data; boundary=x"})
	}
	names := make([]string, 0, len(op.Fields))
	for n := range op.Fields {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		var wrong any = "not-a-number"
		if op.Fields[name] == "string" || op.Fields[name] == "" {
			wrong = 12345
		}
		out = append(out,
			sweepBody{name: name + " of the wrong type", value: map[string]any{name: wrong}},
			sweepBody{name: name + " as an object", value: map[string]any{name: map[string]any{"$gt": ""}}},
		)
		for i, h := range hostile {
			out = append(out, sweepBody{name: fmt.Sprintf("%s hostile #%d", name, i),
				value: map[string]any{name: h}})
		}
		for i, h := range hostileRaw {
			out = append(out, sweepBody{name: fmt.Sprintf("%s hostile raw #%d", name, i),
				value: []byte(`{"` + name + `":` + h + `}`), contentType: "application/json"})
		}
	}
	return out
}

// dbFingerprint sums up every table that requests may change, so that a refused
// request can be shown to have changed nothing. Sessions and login throttling are
// left out: logging in and counting failed logins are their purpose.
func dbFingerprint(t *testing.T, env *testenv.Env) string {
	ctx := context.Background()
	rows, err := env.Store().Pool.Query(ctx, `SELECT tablename FROM pg_tables
		WHERE schemaname = 'public' AND tablename NOT IN ('sessions', 'login_throttle')
		ORDER BY tablename`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var parts []string
	for _, tbl := range tables {
		var sum string
		q := fmt.Sprintf(`SELECT count(*)::text || ':' || coalesce(md5(string_agg(t::text, ','
			ORDER BY t::text)), '') FROM %q t`, tbl)
		if err := env.Store().Pool.QueryRow(ctx, q).Scan(&sum); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, tbl+"="+sum)
	}
	return strings.Join(parts, ";")
}

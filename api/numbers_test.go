package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/testenv"
)

func TestNumberPoolImport(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	op := env.Staff(t, "operator")
	dev := env.Developer(t)

	r := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST", Path: "/v1/ops/numbers",
		Token: op.Token, Body: map[string]any{"numbers": []map[string]string{
			{"number": "010-8888 9999"},
			{"number": "+86 755 8601 3388"},
			{"number": "400-800-1234", "region": "全国"},
			{"number": "95588"},
			{"number": "13800138000", "region": "广东"},
		}}})
	imported, _ := r.JSON["imported"].([]any)
	if len(imported) != 5 {
		t.Fatalf("imported: %s", r.Body)
	}
	want := []string{
		"01088889999 landline 北京 010-88889999",
		"075586013388 landline 深圳 0755-86013388",
		"4008001234 400 全国 400-800-1234",
		"95588 95  95588",
		"13800138000 mobile 广东 13800138000",
	}
	for i, it := range imported {
		n := it.(map[string]any)
		got := strings.Join([]string{n["number"].(string), n["kind"].(string),
			n["region"].(string), n["display"].(string)}, " ")
		if got != want[i] || n["status"] != "free" {
			t.Errorf("number %d: %q, want %q", i, got, want[i])
		}
	}

	// Importing again reports them as existing and changes nothing.
	again := env.Must(t, http.StatusCreated, testenv.Request{Method: "POST",
		Path: "/v1/ops/numbers", Token: op.Token, Body: map[string]any{"numbers": []map[string]string{
			{"number": "01088889999"}, {"number": "021-12345678"}}}})
	if !strings.Contains(string(again.Body), `"existing":["01088889999"]`) {
		t.Errorf("again: %s", again.Body)
	}

	// One bad number refuses the whole import, naming it.
	before := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/ops/numbers?limit=100", Token: op.Token})
	for _, bad := range []string{"010-123", "88889999", "4001234", "abc", "12345678901"} {
		r := env.Do(t, testenv.Request{Method: "POST", Path: "/v1/ops/numbers", Token: op.Token,
			Body: map[string]any{"numbers": []map[string]string{{"number": "020-87654321"},
				{"number": bad}}}})
		if r.Status != http.StatusBadRequest ||
			!strings.Contains(string(r.Body), `"field":"numbers[1].number"`) {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
	env.Must(t, http.StatusBadRequest, testenv.Request{Method: "POST", Path: "/v1/ops/numbers",
		Token: op.Token, Body: map[string]any{"numbers": []any{}}})
	after := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/ops/numbers?limit=100", Token: op.Token})
	if string(before.Body) != string(after.Body) {
		t.Errorf("a refused import changed the pool")
	}

	// Filters and paging.
	l := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/ops/numbers?kind=landline&limit=2", Token: op.Token})
	items, _ := l.JSON["items"].([]any)
	if len(items) != 2 || l.Str("next_cursor") == "" {
		t.Fatalf("landlines page 1: %s", l.Body)
	}
	l2 := env.Must(t, http.StatusOK, testenv.Request{Method: "GET",
		Path: "/v1/ops/numbers?kind=landline&limit=2&cursor=" + l.Str("next_cursor"), Token: op.Token})
	items2, _ := l2.JSON["items"].([]any)
	if len(items2) != 1 || l2.Str("next_cursor") != "" {
		t.Fatalf("landlines page 2: %s", l2.Body)
	}
	for _, q := range []string{"?status=lost", "?kind=fax", "?limit=101"} {
		env.Must(t, http.StatusBadRequest, testenv.Request{Method: "GET", Path: "/v1/ops/numbers" + q,
			Token: op.Token})
	}
	env.Must(t, http.StatusForbidden, testenv.Request{Method: "POST", Path: "/v1/ops/numbers",
		Token: dev.Token, Body: map[string]any{"numbers": []map[string]string{{"number": "95588"}}}})
	mine := env.Must(t, http.StatusOK, testenv.Request{Method: "GET", Path: "/v1/numbers",
		Token: dev.Token})
	if items, _ := mine.JSON["items"].([]any); len(items) != 0 {
		t.Errorf("a developer without apps sees numbers: %s", mine.Body)
	}
}

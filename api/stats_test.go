package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/testenv"
)

func items(r testenv.Response) []map[string]any {
	var out []map[string]any
	for _, it := range r.JSON["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

func TestStatsBeijingDaysTotalsAndIsolation(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev, other := env.Developer(t), env.Developer(t)
	app := insertApp(t, env, dev.SID, "voice_code", "live")
	otherApp := insertApp(t, env, other.SID, "voice_code", "live")
	beijing := time.FixedZone("CST", 8*3600)

	// A call at 23:59:59 and one at 00:00:00 Beijing time fall on two days: the 3rd
	// and the 4th of last month (the intake takes calls of the past year only).
	now := time.Now().In(beijing)
	monthStart := time.Date(now.Year(), now.Month()-1, 1, 0, 0, 0, 0, beijing)
	early := monthStart.AddDate(0, 0, 3)
	late := early.Add(-time.Second)
	d3, d4 := late.Format(time.DateOnly), early.Format(time.DateOnly)
	mFrom, mTo := monthStart.Format(time.DateOnly), monthStart.AddDate(0, 1, -1).Format(time.DateOnly)
	batch := []map[string]any{call("late", app, late, 30, "answered"),
		call("early", app, early, 0, "busy")}
	// More calls over the two days, with all sorts of lengths.
	for i := range 40 {
		outcome := "answered"
		if i%4 == 3 {
			outcome = "no_answer"
		}
		billed := 0
		if outcome == "answered" {
			billed = i * 17
		}
		batch = append(batch, call(fmt.Sprint("n-", i), app,
			early.Add(time.Duration(i-20)*time.Hour+30*time.Minute), billed, outcome))
	}
	postBatch(t, env, batch...)
	postBatch(t, env, call("o-1", otherApp, early, 100, "answered"))

	st := env.Must(t, http.StatusOK, req{Method: "GET",
		Path: "/v1/stats/sessions?from=" + d3 + "&to=" + d3, Token: dev.Token})
	day3 := items(st)
	st = env.Must(t, http.StatusOK, req{Method: "GET",
		Path: "/v1/stats/sessions?from=" + d4 + "&to=" + d4, Token: dev.Token})
	day4 := items(st)
	if len(day3) != 1 || len(day4) != 1 || day3[0]["day"] != d3 {
		t.Fatalf("days: %v %v", day3, day4)
	}
	// Independently: calls i<20 start before midnight, plus "late"; the others after.
	if day3[0]["calls"] != 21.0 || day4[0]["calls"] != 21.0 {
		t.Errorf("calls per day: %v and %v", day3[0]["calls"], day4[0]["calls"])
	}

	// The totals equal the sums of the records themselves, page by page.
	all := env.Must(t, http.StatusOK, req{Method: "GET",
		Path: "/v1/stats/sessions?from=" + mFrom + "&to=" + mTo, Token: dev.Token})
	total := all.JSON["total"].(map[string]any)
	var calls, answered, minutes, seconds float64
	cursor := ""
	for pages := 0; ; pages++ {
		page := env.Must(t, http.StatusOK, req{Method: "GET",
			Path: "/v1/cdrs?limit=7&cursor=" + cursor, Token: dev.Token})
		for _, c := range items(page) {
			calls++
			if c["outcome"] == "answered" {
				answered++
			}
			minutes += c["billed_minutes"].(float64)
			seconds += c["billed_seconds"].(float64)
		}
		cursor = page.Str("next_cursor")
		if cursor == "" {
			if pages != 5 {
				t.Errorf("%d pages of 7 for 42 records", pages+1)
			}
			break
		}
	}
	if calls != 42 || total["calls"] != calls || total["answered"] != answered ||
		total["billed_minutes"] != minutes || total["billed_seconds"] != seconds {
		t.Errorf("totals %v; records: %v calls, %v answered, %v min, %v s", total, calls,
			answered, minutes, seconds)
	}
	wantRate := float64(int(answered/calls*10000+0.5)) / 10000
	if total["answer_rate"] != wantRate {
		t.Errorf("answer rate %v, want %v", total["answer_rate"], wantRate)
	}
	cons := env.Must(t, http.StatusOK, req{Method: "GET",
		Path: "/v1/stats/consumption?period=month&by=category", Token: dev.Token})
	// voice_code costs 0.060 a minute.
	if cons.Str("total") != fmt.Sprintf("%.3f", minutes*0.06) || total["amount"] !=
		cons.Str("total") {
		t.Errorf("consumption %s, sessions amount %v, %v minutes", cons.Body,
			total["amount"], minutes)
	}

	// Filters: the Beijing midnight, outcome, call type.
	after := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/cdrs?limit=100&" +
		"from=" + d4 + "T00:00:00%2B08:00&to=" + d4 + "T00:00:01%2B08:00", Token: dev.Token})
	if got := items(after); len(got) != 1 || got[0]["call_id"] != "early" {
		t.Errorf("records of the first second of 11-04: %v", got)
	}
	// Pages of a time range: its end is excluded ("early" starts exactly there), and
	// the cursor stays inside it. Independently: n-8 to n-19 start from 12:30 to
	// 23:30 on 11-03, and "late" at 23:59:59.
	var inRange []string
	cursor = ""
	for {
		page := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/cdrs?limit=5&" +
			"from=" + d3 + "T12:00:00%2B08:00&to=" + d4 + "T00:00:00%2B08:00&cursor=" + cursor,
			Token: dev.Token})
		for _, c := range items(page) {
			inRange = append(inRange, c["call_id"].(string))
		}
		if cursor = page.Str("next_cursor"); cursor == "" {
			break
		}
	}
	if len(inRange) != 13 || inRange[0] != "late" || inRange[1] != "n-19" ||
		inRange[12] != "n-8" {
		t.Errorf("records from 12:00 to midnight of 11-03: %v", inRange)
	}
	busy := env.Must(t, http.StatusOK, req{Method: "GET",
		Path: "/v1/cdrs?outcome=busy&callee=13900000002&call_type=voice_code", Token: dev.Token})
	if got := items(busy); len(got) != 1 || got[0]["call_id"] != "early" {
		t.Errorf("busy records: %v", got)
	}
	for _, q := range []string{"outcome=maybe", "from=yesterday", "app_id=x", "call_type=fax",
		"cursor=abc", "limit=1000"} {
		if r := env.Do(t, req{Method: "GET", Path: "/v1/cdrs?" + q, Token: dev.Token}); r.Status !=
			http.StatusBadRequest {
			t.Errorf("%s: %d", q, r.Status)
		}
	}

	// The export holds the same records as CSV; another account's are never seen.
	exp := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/cdrs/export",
		Token: dev.Token})
	rows, err := csv.NewReader(strings.NewReader(string(exp.Body))).ReadAll()
	if err != nil || len(rows) != 43 || rows[0][0] != "id" ||
		!strings.HasPrefix(exp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("export: %d rows, %v", len(rows), err)
	}
	for _, path := range []string{"/v1/cdrs", "/v1/cdrs?app_id=" + app,
		"/v1/stats/sessions?from=" + mFrom + "&to=" + mTo + "&app_id=" + app} {
		r := env.Must(t, http.StatusOK, req{Method: "GET", Path: path, Token: other.Token})
		for _, it := range items(r) {
			if it["app_id"] != otherApp {
				t.Errorf("%s shows another account's record: %v", path, it)
			}
		}
	}
	otherExp := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/cdrs/export",
		Token: other.Token})
	if strings.Count(string(otherExp.Body), "\n") != 2 || strings.Contains(string(otherExp.Body),
		app) {
		t.Errorf("other account's export: %s", otherExp.Body)
	}
	checkLedger(t, env)
}

package billing_test

import (
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ledger"
)

func TestGoLiveMonthEdges(t *testing.T) {
	cases := []struct {
		name  string
		at    time.Time
		month string
	}{
		{"31 January, evening in Beijing", time.Date(2027, 1, 31, 15, 59, 59, 0, time.UTC), "2027-01"},
		{"31 January 23:59 Beijing", time.Date(2027, 1, 31, 15, 59, 59, 999e6, time.UTC), "2027-01"},
		{"29 February", time.Date(2028, 2, 29, 12, 0, 0, 0, ledger.Beijing), "2028-02"},
		{"29 February, last instant", time.Date(2028, 2, 29, 15, 59, 59, 0, time.UTC), "2028-02"},
		{"00:30 Beijing on the 1st = 16:30 UTC the day before",
			time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC), "2026-12"},
		{"00:00 Beijing on 1 January", time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC), "2027-01"},
	}
	for _, c := range cases {
		if got := ledger.Month(c.at); got != c.month {
			t.Errorf("%s: month %s, want %s", c.name, got, c.month)
		}
		key := ledger.IVRAppRentKey("app1", ledger.Month(c.at))
		if key != "ivr-app-rent:app1:"+c.month {
			t.Errorf("%s: key %s", c.name, key)
		}
	}

	// The go-live month and the run of that month share one key.
	goLive := time.Date(2026, 11, 30, 16, 30, 0, 0, time.UTC)
	if ledger.IVRAppRentKey("a", ledger.Month(goLive)) != ledger.IVRAppRentKey("a", "2026-12") {
		t.Error("go-live at 00:30 Beijing on 1 December and the December run differ")
	}
}

func TestMonthBounds(t *testing.T) {
	start, end, err := billing.MonthBounds("2028-02")
	if err != nil {
		t.Fatal(err)
	}
	if !start.Equal(time.Date(2028, 1, 31, 16, 0, 0, 0, time.UTC)) ||
		!end.Equal(time.Date(2028, 2, 29, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("2028-02 is [%s, %s)", start.UTC(), end.UTC())
	}
	for month, prev := range map[string]string{"2027-01": "2026-12", "2028-03": "2028-02",
		"2026-11": "2026-10"} {
		if got, err := billing.PreviousMonth(month); err != nil || got != prev {
			t.Errorf("PreviousMonth(%s) = %s, %v", month, got, err)
		}
	}
	for _, bad := range []string{"2026-13", "2026-1", "2026-00", "x", "2026-11-01", ""} {
		if _, err := billing.ParseMonth("month", bad); err == nil {
			t.Errorf("ParseMonth(%q) accepted", bad)
		}
	}
}

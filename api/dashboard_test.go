package api_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/testenv"
)

func TestDashboard(t *testing.T) {
	env := testenv.New(t, testenv.Options{NoWorker: true})
	dev, other := env.Developer(t), env.Developer(t)
	live := insertApp(t, env, dev.SID, "ivr", "live")
	insertApp(t, env, dev.SID, "voice_code", "test")
	credit(t, env, dev.SID, 10*money.Yuan)

	y, m, d := time.Now().In(time.FixedZone("CST", 8*3600)).Date()
	today := time.Date(y, m, d, 0, 0, 1, 0, time.FixedZone("CST", 8*3600))
	busy := call("d-5", live, today, 0, "busy")
	busy["hangup_cause"] = "USER_BUSY"
	postBatch(t, env, call("d-1", live, today, 60, "answered"),
		call("d-2", live, today, 120, "answered"), call("d-3", live, today, 30, "answered"),
		call("d-4", live, today, 0, "no_answer"), busy,
		call("d-6", live, today.AddDate(0, 0, -3), 45, "answered"),
		call("d-7", live, today.AddDate(0, 0, -3), 0, "no_answer"))

	r := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/dashboard", Token: dev.Token})
	acct := r.JSON["account"].(map[string]any)
	if acct["account_sid"] != dev.SID || acct["verification_level"] != "none" ||
		acct["contact_name"] != "Test Developer" {
		t.Errorf("account: %v", acct)
	}
	// IVR calls at 0.100 a minute: 1 + 2 + 1 minutes today, 1 three days ago.
	if want := fmt.Sprint(10_000 - 500); acct["balance"] != money.Li(10_000-500).String() {
		t.Errorf("balance %v, want %s li", acct["balance"], want)
	}
	q := r.JSON["call_quality"].(map[string]any)
	day, week := q["today"].(map[string]any), q["last_7_days"].(map[string]any)
	if day["calls"] != 5.0 || day["answered"] != 3.0 || day["answer_rate"] != 0.6 ||
		day["average_duration_seconds"] != 70.0 {
		t.Errorf("today: %v", day)
	}
	if fmt.Sprint(day["top_failure_causes"]) !=
		"[map[calls:1 cause:NO_USER_RESPONSE] map[calls:1 cause:USER_BUSY]]" {
		t.Errorf("today's failure causes: %v", day["top_failure_causes"])
	}
	if week["calls"] != 7.0 || week["answered"] != 4.0 || week["answer_rate"] != 0.5714 ||
		week["average_duration_seconds"] != 63.8 {
		t.Errorf("last 7 days: %v", week)
	}
	if fmt.Sprint(week["top_failure_causes"]) !=
		"[map[calls:2 cause:NO_USER_RESPONSE] map[calls:1 cause:USER_BUSY]]" {
		t.Errorf("the week's failure causes: %v", week["top_failure_causes"])
	}
	apps := r.JSON["apps"].(map[string]any)
	if apps["total"] != 2.0 || fmt.Sprint(apps["by_status"]) != "map[live:1 test:1]" {
		t.Errorf("apps: %v", apps)
	}
	top := apps["top_cost_this_month"].([]any)
	if len(top) != 1 || top[0].(map[string]any)["app_id"] != live ||
		top[0].(map[string]any)["amount"] != "0.500" {
		t.Errorf("top cost apps: %v", top)
	}
	unread := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages/unread-count",
		Token: dev.Token})
	if r.JSON["unread_messages"] != unread.JSON["unread"] {
		t.Errorf("unread %v, message center says %v", r.JSON["unread_messages"],
			unread.JSON["unread"])
	}

	// Another account sees only its own, empty, dashboard.
	o := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/dashboard",
		Token: other.Token})
	oq := o.JSON["call_quality"].(map[string]any)["last_7_days"].(map[string]any)
	if oq["calls"] != 0.0 || o.JSON["apps"].(map[string]any)["total"] != 0.0 {
		t.Errorf("another account's dashboard: %s", o.Body)
	}
}

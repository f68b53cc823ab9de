package api_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/temporalproto"

	"github.com/yiyun-console/console/internal/testenv"
	"github.com/yiyun-console/console/workflows"
)

// TestWriteGoLiveHistory records the histories of an approved IVR go-live and of
// its number binding for the replay test of the workflows package. It runs only
// when asked, after a change to those workflows that is meant to break replay:
//
//	WRITE_GO_LIVE_HISTORY=1 go test ./api -run TestWriteGoLiveHistory
func TestWriteGoLiveHistory(t *testing.T) {
	if os.Getenv("WRITE_GO_LIVE_HISTORY") == "" {
		t.Skip("set WRITE_GO_LIVE_HISTORY to record the histories")
	}
	env := goLiveEnv(t, true)
	cb, _ := callbackServer(t)
	op := env.Staff(t, "operator")
	reviewer := env.Staff(t, "reviewer")
	dev := verifiedDeveloper(t, env, 1100)
	importNumbers(t, env, op, "010-88889999")
	app := createApp(t, env, dev, "IVR", "ivr", cb.URL)
	reqID := env.Must(t, http.StatusAccepted, testenv.Request{Method: "POST",
		Path: "/v1/apps/" + app + "/go-live", Token: dev.Token}).Str("id")
	waitReviewing(t, env, reviewer, reqID)
	decideGoLiveRequest(t, env, reviewer, reqID, http.StatusOK, map[string]any{"decision": "approve"})

	ctx := context.Background()
	var res workflows.GoLiveResult
	if err := env.App.Temporal.GetWorkflow(ctx, workflows.GoLiveID(reqID), "").
		Get(ctx, &res); err != nil || res.Status != "live" {
		t.Fatalf("go-live ended %+v, %v", res, err)
	}
	for file, id := range map[string]string{
		"go_live_ivr.json":        workflows.GoLiveID(reqID),
		"number_binding_ivr.json": workflows.NumberBindingID(app, reqID),
	} {
		var hist historypb.History
		it := env.App.Temporal.GetWorkflowHistory(ctx, id, "", false,
			enums.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatal(err)
			}
			hist.Events = append(hist.Events, ev)
		}
		raw, err := temporalproto.CustomJSONMarshalOptions{Indent: "  "}.Marshal(&hist)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("..", "workflows", "testdata", file)
		if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d events", path, len(hist.Events))
	}
}

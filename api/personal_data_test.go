package api_test

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/yiyun-console/console/internal/testenv"
)

// lockedBuffer collects the console's logs from the handlers and the worker at once.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// personalData are the personal details that the flows below send; none may appear in
// the logs or in a workflow's history (input, Updates, activities, search attributes,
// memo). The birth date and the middle of the credit code stand for the whole numbers,
// whose masked forms keep only their ends.
var personalData = []string{
	"19491231", "M000100", "m000100", "张三", "李四", "010-88889999", "王五",
	"13900139000", "建国路", "6225880123456789",
}

// workflowHistory returns the binary encoding of every event of a finished workflow,
// in which payloads are stored as they were sent.
func workflowHistory(t *testing.T, env *testenv.Env, workflowID string) []byte {
	t.Helper()
	ctx := context.Background()
	if err := env.App.Temporal.GetWorkflow(ctx, workflowID, "").Get(ctx, nil); err != nil {
		t.Fatalf("workflow %s: %v", workflowID, err)
	}
	var out []byte
	iter := env.App.Temporal.GetWorkflowHistory(ctx, workflowID, "", false, 0)
	for iter.HasNext() {
		ev, err := iter.Next()
		if err != nil {
			t.Fatal(err)
		}
		b, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}

func TestPersonalDataStaysOutOfLogsAndWorkflows(t *testing.T) {
	logs := &lockedBuffer{}
	env := testenv.New(t, testenv.Options{Log: logs})
	dev := env.Developer(t)
	reviewer := env.Staff(t, "reviewer")
	operator := env.Staff(t, "operator")

	// A personal verification rejected, resubmitted and approved, with the reviewer
	// viewing it in full; then the upgrade to a company.
	p1 := submit(t, env, dev, personalBody(t, env, dev))
	if full := env.Must(t, http.StatusOK, req{Method: "GET",
		Path:  "/v1/review/verifications/" + p1,
		Token: reviewer.Token}); full.Str("id_number") != testIDNumber {
		t.Fatalf("reviewer's view: %s", full.Body)
	}
	decide(t, env, reviewer, p1, http.StatusOK, "reject", "the photo is blurred")
	p2 := submit(t, env, dev, personalBody(t, env, dev))
	decide(t, env, reviewer, p2, http.StatusOK, "approve", "")
	c := submit(t, env, dev, companyBody(t, env, dev))
	decide(t, env, reviewer, c, http.StatusOK, "approve", "")

	// An invoice with the company's details and a mailing address, taken to delivery.
	topUp(t, env, dev.SID, 100, "pd")
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/invoice-profile", Token: dev.Token,
		Body: map[string]any{"invoice_type": "company", "phone": "010-88889999",
			"bank_name": "招商银行北京分行", "bank_account": "6225 8801 2345 6789"}})
	env.Must(t, http.StatusOK, req{Method: "PUT", Path: "/v1/mailing-address", Token: dev.Token,
		Body: testMailing})
	a := apply(t, env, dev, "50", "pd-1")
	if a.Status != http.StatusCreated {
		t.Fatalf("application: %d %s", a.Status, a.Body)
	}
	inv := a.Str("id")
	step(t, env, reviewer, "/v1/review/invoices/"+inv+"/decision", http.StatusOK,
		map[string]any{"decision": "approve"})
	step(t, env, operator, "/v1/ops/invoices/"+inv+"/issue", http.StatusOK,
		map[string]any{"invoice_number": "044001900222"})
	step(t, env, operator, "/v1/ops/invoices/"+inv+"/mail", http.StatusOK,
		map[string]any{"courier": "SF Express", "tracking_number": "SF1234567891"})
	step(t, env, dev, "/v1/invoices/"+inv+"/confirm-delivery", http.StatusOK, nil)

	// The developer's messages tell each outcome without the full numbers.
	msgs := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages?limit=100",
		Token: dev.Token})
	if n := len(msgs.JSON["items"].([]any)); n != 7 {
		t.Errorf("%d messages, want 7: %s", n, msgs.Body)
	}
	for _, number := range []string{"19491231", "M000100"} {
		if bytes.Contains(msgs.Body, []byte(number)) {
			t.Errorf("a message shows the full number: %s", msgs.Body)
		}
	}

	histories := map[string][]byte{}
	for _, id := range []string{"verification-review/" + p1, "verification-review/" + p2,
		"verification-review/" + c, "invoice/" + inv} {
		histories[id] = workflowHistory(t, env, id)
	}

	// The logs did record the flow, so their silence below means something.
	logged := logs.Bytes()
	for _, want := range []string{p1, c, inv} {
		if !bytes.Contains(logged, []byte(want)) {
			t.Fatalf("the logs do not mention %s:\n%s", want, logged)
		}
	}
	for _, secret := range personalData {
		if bytes.Contains(logged, []byte(secret)) {
			t.Errorf("the logs contain %q", secret)
		}
		for id, h := range histories {
			if bytes.Contains(h, []byte(secret)) {
				t.Errorf("the history of %s contains %q", id, secret)
			}
		}
	}
	// The histories do hold what the steps recorded, so they were read in full.
	if !bytes.Contains(histories["invoice/"+inv], []byte("SF1234567891")) ||
		!bytes.Contains(histories["verification-review/"+p1], []byte("the photo is blurred")) {
		t.Error("the histories lack the recorded steps")
	}
}

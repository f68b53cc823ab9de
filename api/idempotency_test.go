package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/yiyun-console/console/internal/testenv"
)

// idemRoute is a route that creates something, as TestIdempotencyKeyOnCreatingRoutes
// drives it. prepare makes a fresh owner.
type idemRoute struct {
	name    string
	prepare func(t *testing.T) idemOwner
	status  int // the status of a created answer
	// again and againCount are the status of a second request without a key, and
	// how many objects are there after it: two, or one when the route refuses the
	// repeat itself (409) or answers it as existing.
	again      int
	againCount int
}

// idemOwner is what one owner sends to an idemRoute.
type idemOwner struct {
	// send sends the request; other sends another request to the same route (another
	// body, or another app in the path).
	send, other func(key string) testenv.Response
	// objects counts what both create for the owner; starts, when the route starts a
	// workflow, counts the owner's workflow starts of its type.
	objects, starts func() int
}

// multipartBody builds a multipart body of parts; each call draws a new boundary.
func multipartBody(t *testing.T, parts ...[3]string) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts { // form name, file name, content
		var fw io.Writer
		var err error
		if p[1] != "" {
			fw, err = mw.CreateFormFile(p[0], p[1])
		} else {
			fw, err = mw.CreateFormField(p[0])
		}
		if err == nil {
			_, err = fw.Write([]byte(p[2]))
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), mw.FormDataContentType()
}

func TestIdempotencyKeyOnCreatingRoutes(t *testing.T) {
	env := goLiveEnv(t, true)
	callback, _ := callbackServer(t)
	count := func(t *testing.T, sql string, args ...any) func() int {
		return func() int { return countRows(t, env, sql, args...) }
	}
	withKey := func(r req, key string) req {
		if key != "" {
			r.Header = map[string]string{"Idempotency-Key": key}
		}
		return r
	}
	jsonPost := func(t *testing.T, path, token string, body any) func(string) testenv.Response {
		return func(key string) testenv.Response {
			return env.Do(t, withKey(req{Method: "POST", Path: path, Token: token, Body: body}, key))
		}
	}
	upload := func(t *testing.T, path, token string, parts ...[3]string) func(string) testenv.Response {
		return func(key string) testenv.Response {
			body, ctype := multipartBody(t, parts...)
			return env.Do(t, withKey(req{Method: "POST", Path: path, Token: token,
				Body: body, Content: ctype}, key))
		}
	}
	seq := 0
	jpeg, png := string(jpegBytes(t)), string(pngBytes(t))
	wav := string(ivrFile(t, "hello-world.wav"))

	workflowStarts := func(t *testing.T, sid, typ string) func() int {
		return count(t, "SELECT count(*) FROM workflow_starts WHERE account_sid = $1 "+
			"AND workflow_type = $2", sid, typ)
	}

	routes := []idemRoute{
		{name: "verification", status: http.StatusCreated, again: http.StatusConflict,
			againCount: 1,
			prepare: func(t *testing.T) idemOwner {
				dev := env.Developer(t)
				body := personalBody(t, env, dev)
				otherBody := personalBody(t, env, dev)
				otherBody["real_name"] = "王五"
				return idemOwner{
					send:    jsonPost(t, "/v1/verifications", dev.Token, body),
					other:   jsonPost(t, "/v1/verifications", dev.Token, otherBody),
					objects: count(t, "SELECT count(*) FROM verifications WHERE account_sid = $1", dev.SID),
					starts:  workflowStarts(t, dev.SID, "VerificationReview"),
				}
			}},
		{name: "app", status: http.StatusCreated, again: http.StatusConflict, againCount: 1,
			prepare: func(t *testing.T) idemOwner {
				dev := env.Developer(t)
				return idemOwner{
					send: jsonPost(t, "/v1/apps", dev.Token,
						map[string]any{"name": "Notify", "type": "voice_notification"}),
					other: jsonPost(t, "/v1/apps", dev.Token,
						map[string]any{"name": "Notify2", "type": "voice_notification"}),
					objects: count(t, "SELECT count(*) FROM apps WHERE account_sid = $1", dev.SID),
				}
			}},
		{name: "go-live", status: http.StatusAccepted, again: http.StatusConflict, againCount: 1,
			prepare: func(t *testing.T) idemOwner {
				dev := verifiedDeveloper(t, env, 0)
				app := createApp(t, env, dev, "Code", "voice_code", callback.URL+"/cb")
				app2 := createApp(t, env, dev, "Code2", "voice_code", callback.URL+"/cb")
				// The other request is the same key on another app's go-live.
				return idemOwner{
					send:  jsonPost(t, "/v1/apps/"+app+"/go-live", dev.Token, nil),
					other: jsonPost(t, "/v1/apps/"+app2+"/go-live", dev.Token, nil),
					objects: count(t, "SELECT count(*) FROM go_live_requests WHERE account_sid = $1",
						dev.SID),
					starts: workflowStarts(t, dev.SID, "GoLiveWorkflow"),
				}
			}},
		{name: "test number", status: http.StatusCreated, again: http.StatusConflict,
			againCount: 1,
			prepare: func(t *testing.T) idemOwner {
				dev := env.Developer(t)
				return idemOwner{
					send: jsonPost(t, "/v1/test-numbers", dev.Token,
						map[string]any{"mobile": "13912345678"}),
					other: jsonPost(t, "/v1/test-numbers", dev.Token,
						map[string]any{"mobile": "13912345679"}),
					objects: count(t, "SELECT count(*) FROM test_numbers WHERE account_sid = $1", dev.SID),
					starts:  workflowStarts(t, dev.SID, "TestNumberWorkflow"),
				}
			}},
		{name: "file", status: http.StatusCreated, again: http.StatusCreated, againCount: 2,
			prepare: func(t *testing.T) idemOwner {
				dev := env.Developer(t)
				return idemOwner{
					send:    upload(t, "/v1/files", dev.Token, [3]string{"file", "id.jpg", jpeg}),
					other:   upload(t, "/v1/files", dev.Token, [3]string{"file", "id.png", png}),
					objects: count(t, "SELECT count(*) FROM files WHERE account_sid = $1", dev.SID),
				}
			}},
		{name: "media", status: http.StatusCreated, again: http.StatusCreated, againCount: 2,
			prepare: func(t *testing.T) idemOwner {
				dev := env.Developer(t)
				path := "/v1/apps/" + createApp(t, env, dev, "IVR", "ivr", "") + "/media"
				// The same audio under another prompt name is another request.
				return idemOwner{
					send: upload(t, path, dev.Token, [3]string{"name", "", "Welcome"},
						[3]string{"file", "hello.wav", wav}),
					other: upload(t, path, dev.Token, [3]string{"name", "", "Goodbye"},
						[3]string{"file", "hello.wav", wav}),
					objects: count(t, "SELECT count(*) FROM app_media WHERE account_sid = $1", dev.SID),
				}
			}},
		{name: "number import", status: http.StatusCreated, again: http.StatusCreated,
			againCount: 1, // the second import answers the number as existing
			prepare: func(t *testing.T) idemOwner {
				op := env.Staff(t, "operator")
				seq++
				one, two := fmt.Sprintf("0108888%04d", 2*seq), fmt.Sprintf("0108888%04d", 2*seq+1)
				item := func(s string) map[string]any {
					return map[string]any{"numbers": []map[string]string{{"number": s}}}
				}
				return idemOwner{
					send:  jsonPost(t, "/v1/ops/numbers", op.Token, item(one)),
					other: jsonPost(t, "/v1/ops/numbers", op.Token, item(two)),
					objects: count(t, "SELECT count(*) FROM inbound_numbers WHERE number = ANY($1)",
						[]string{one, two}),
				}
			}},
		{name: "announcement", status: http.StatusCreated, again: http.StatusCreated,
			againCount: 2,
			prepare: func(t *testing.T) idemOwner {
				op := env.Staff(t, "operator")
				return idemOwner{
					send: jsonPost(t, "/v1/ops/announcements", op.Token,
						map[string]any{"title": "Maintenance", "body": "Tonight."}),
					other: jsonPost(t, "/v1/ops/announcements", op.Token,
						map[string]any{"title": "Maintenance", "body": "Tomorrow."}),
					objects: count(t, "SELECT count(*) FROM announcements WHERE created_by = $1", op.SID),
				}
			}},
		{name: "ticket", status: http.StatusCreated, again: http.StatusCreated, againCount: 2,
			prepare: func(t *testing.T) idemOwner {
				dev := env.Developer(t)
				body := func(title string) map[string]any {
					return map[string]any{"category": "billing", "title": title,
						"content": "The bill of last month looks wrong."}
				}
				return idemOwner{
					send:    jsonPost(t, "/v1/tickets", dev.Token, body("Bill")),
					other:   jsonPost(t, "/v1/tickets", dev.Token, body("Bill again")),
					objects: count(t, "SELECT count(*) FROM tickets WHERE account_sid = $1", dev.SID),
					starts:  workflowStarts(t, dev.SID, "TicketAutoClose"),
				}
			}},
		{name: "ticket reply", status: http.StatusCreated, again: http.StatusCreated,
			againCount: 2,
			prepare: func(t *testing.T) idemOwner {
				dev := env.Developer(t)
				id := openTicketForIdem(t, env, dev)
				path := "/v1/tickets/" + id + "/replies"
				return idemOwner{
					send:    jsonPost(t, path, dev.Token, map[string]any{"body": "Any news?"}),
					other:   jsonPost(t, path, dev.Token, map[string]any{"body": "Still waiting."}),
					objects: count(t, "SELECT count(*) FROM ticket_replies WHERE ticket_id = $1", id),
				}
			}},
		{name: "staff reply", status: http.StatusCreated, again: http.StatusCreated,
			againCount: 2,
			prepare: func(t *testing.T) idemOwner {
				dev := env.Developer(t)
				op := env.Staff(t, "operator")
				id := openTicketForIdem(t, env, dev)
				path := "/v1/ops/tickets/" + id + "/replies"
				// Each reply also tells the developer: as many messages as replies,
				// counted where the other routes count their workflow starts.
				return idemOwner{
					send:    jsonPost(t, path, op.Token, map[string]any{"body": "Looking into it."}),
					other:   jsonPost(t, path, op.Token, map[string]any{"body": "Fixed."}),
					objects: count(t, "SELECT count(*) FROM ticket_replies WHERE ticket_id = $1", id),
					starts: count(t, "SELECT count(*) FROM messages WHERE account_sid = $1 "+
						"AND type = 'ticket' AND reference = $2", dev.SID, id),
				}
			}},
	}

	for _, rt := range routes {
		t.Run(rt.name, func(t *testing.T) {
			o := rt.prepare(t)
			key := "key-" + strings.ReplaceAll(rt.name, " ", "-")
			check := func(step string, want int) {
				t.Helper()
				if n := o.objects(); n != want {
					t.Fatalf("%s: %d objects, want %d", step, n, want)
				}
				if o.starts != nil {
					if n := o.starts(); n != want {
						t.Fatalf("%s: %d workflow starts, want %d", step, n, want)
					}
				}
			}

			// The same request twice under one key: one object, the same answer. The
			// multipart routes draw a new boundary for each request.
			first := o.send(key)
			if first.Status != rt.status || first.Header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("first: %d %q %s", first.Status,
					first.Header.Get("Idempotent-Replayed"), first.Body)
			}
			again := o.send(key)
			if again.Status != rt.status || !bytes.Equal(again.Body, first.Body) ||
				again.Header.Get("Idempotent-Replayed") != "true" {
				t.Fatalf("replay: %d %q %s, first %s", again.Status,
					again.Header.Get("Idempotent-Replayed"), again.Body, first.Body)
			}
			check("after a replay", 1)

			// Another request under the same key is refused and creates nothing.
			refused := o.other(key)
			if refused.Status != http.StatusUnprocessableEntity ||
				refused.ErrorCode() != "idempotency_key_reused" {
				t.Fatalf("other request under the key: %d %s", refused.Status, refused.Body)
			}
			check("after a refused request", 1)
			// The key still answers its first request.
			if r := o.send(key); r.Status != rt.status || !bytes.Equal(r.Body, first.Body) {
				t.Fatalf("replay after the refusal: %d %s", r.Status, r.Body)
			}

			// Concurrent requests under a new key, for a fresh owner: the work is done
			// once, and every answer is its answer.
			o = rt.prepare(t)
			answers := make([]testenv.Response, 6)
			var wg sync.WaitGroup
			for i := range answers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					answers[i] = o.send(key + "-concurrent")
				}()
			}
			wg.Wait()
			replayed := 0
			for _, a := range answers {
				if a.Status != rt.status || !bytes.Equal(a.Body, answers[0].Body) {
					t.Fatalf("concurrent answers differ: %d %s and %d %s", a.Status, a.Body,
						answers[0].Status, answers[0].Body)
				}
				if a.Header.Get("Idempotent-Replayed") == "true" {
					replayed++
				}
			}
			if replayed != len(answers)-1 {
				t.Fatalf("%d of %d concurrent answers replayed, want %d", replayed,
					len(answers), len(answers)-1)
			}
			check("after concurrent requests", 1)

			// Without a key, for a fresh owner, each request is a new one.
			o = rt.prepare(t)
			if r := o.send(""); r.Status != rt.status || r.Header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("first without a key: %d %s", r.Status, r.Body)
			}
			if r := o.send(""); r.Status != rt.again || r.Header.Get("Idempotent-Replayed") != "" {
				t.Fatalf("second without a key: %d %s, want %d", r.Status, r.Body, rt.again)
			}
			check("after two requests without a key", rt.againCount)
		})
	}
}

// TestIdempotentAnswersSealed checks that the answers a replay shows again, a new
// app's token or a person's verification, are not kept in plain text with the key.
func TestIdempotentAnswersSealed(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	stored := func(key string) []byte {
		t.Helper()
		var b []byte
		err := env.Store().Pool.QueryRow(context.Background(), "SELECT response_body "+
			"FROM idempotency_keys WHERE account_sid = $1 AND key = $2", dev.SID, key).Scan(&b)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}

	create := req{Method: "POST", Path: "/v1/apps", Token: dev.Token,
		Header: map[string]string{"Idempotency-Key": "app-1"},
		Body:   map[string]any{"name": "R&D <notify>", "type": "voice_notification"}}
	first := env.Must(t, http.StatusCreated, create)
	again := env.Must(t, http.StatusCreated, create)
	token := first.Str("app_token")
	// The replay is the first answer, byte for byte, with HTML characters as they are.
	if token == "" || !bytes.Equal(again.Body, first.Body) ||
		!bytes.Contains(again.Body, []byte(`"R&D <notify>"`)) {
		t.Fatalf("created %s, then %s", first.Body, again.Body)
	}
	if b := stored("app-1"); len(b) == 0 || bytes.Contains(b, []byte(token)) ||
		bytes.Contains(b, []byte(first.Str("app_id"))) {
		t.Fatalf("the stored answer shows the app in plain text: %q", b)
	}

	submit := req{Method: "POST", Path: "/v1/verifications", Token: dev.Token,
		Header: map[string]string{"Idempotency-Key": "verify-1"},
		Body:   personalBody(t, env, dev)}
	first = env.Must(t, http.StatusCreated, submit)
	again = env.Must(t, http.StatusCreated, submit)
	if !bytes.Equal(again.Body, first.Body) || first.Str("id_number") != testIDMasked {
		t.Fatalf("submitted %s, then %s", first.Body, again.Body)
	}
	if b := stored("verify-1"); len(b) == 0 || bytes.Contains(b, []byte("张三")) ||
		bytes.Contains(b, []byte(testIDMasked)) {
		t.Fatalf("the stored answer shows the person in plain text: %q", b)
	}
}

// openTicketForIdem opens a ticket for dev and returns its ID.
func openTicketForIdem(t *testing.T, env *testenv.Env, dev testenv.User) string {
	t.Helper()
	r := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/tickets", Token: dev.Token,
		Body: map[string]any{"category": "technical", "title": "Calls drop",
			"content": "Calls to my IVR drop after a minute."}})
	return r.Str("id")
}

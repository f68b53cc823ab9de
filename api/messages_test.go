package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/messages"
	"github.com/yiyun-console/console/internal/testenv"
)

func unread(t testing.TB, env *testenv.Env, u testenv.User) float64 {
	t.Helper()
	r := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages/unread-count",
		Token: u.Token})
	return r.JSON["unread"].(float64)
}

func messageIDs(t testing.TB, env *testenv.Env, u testenv.User, query string) []string {
	t.Helper()
	r := env.Must(t, http.StatusOK, req{Method: "GET", Path: "/v1/messages" + query,
		Token: u.Token})
	var out []string
	for _, it := range r.JSON["items"].([]any) {
		out = append(out, it.(map[string]any)["id"].(string))
	}
	return out
}

func TestMessageCenter(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	dev := env.Developer(t)
	other := env.Developer(t)
	ctx := context.Background()

	// Five messages for dev (three about verification, two about billing), one for
	// other; posting a key again, as a retried activity does, adds nothing.
	types := []messages.Type{messages.TypeVerification, messages.TypeBilling,
		messages.TypeVerification, messages.TypeBilling, messages.TypeVerification}
	for i, ty := range types {
		for range 2 {
			if err := env.Acts.PostMessage(ctx, messages.Message{AccountSID: dev.SID, Type: ty,
				Title: fmt.Sprintf("m%d", i), Body: "body", Key: fmt.Sprintf("test:%d", i),
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := env.Acts.PostMessage(ctx, messages.Message{AccountSID: other.SID,
		Type: messages.TypeBilling, Title: "theirs", Body: "b", Key: "test:other"}); err != nil {
		t.Fatal(err)
	}

	if got := messageTitles(t, env, dev, ""); strings.Join(got, ",") != "m4,m3,m2,m1,m0" {
		t.Errorf("all messages %v", got)
	}
	if got := messageTitles(t, env, dev, "?type=billing"); strings.Join(got, ",") != "m3,m1" {
		t.Errorf("billing messages %v", got)
	}
	if n := unread(t, env, dev); n != 5 {
		t.Errorf("unread %v, want 5", n)
	}

	// Pages of two, newest first.
	var paged []string
	path := "/v1/messages?limit=2"
	for path != "" {
		r := env.Must(t, http.StatusOK, req{Method: "GET", Path: path, Token: dev.Token})
		for _, it := range r.JSON["items"].([]any) {
			paged = append(paged, it.(map[string]any)["title"].(string))
		}
		path = ""
		if c := r.Str("next_cursor"); c != "" {
			path = "/v1/messages?limit=2&cursor=" + c
		}
	}
	if strings.Join(paged, ",") != "m4,m3,m2,m1,m0" {
		t.Errorf("paged %v", paged)
	}

	// Mark one read, twice: it stays read and is counted once.
	ids := messageIDs(t, env, dev, "")
	for range 2 {
		env.Must(t, http.StatusNoContent, req{Method: "POST",
			Path: "/v1/messages/" + ids[1] + "/read", Token: dev.Token})
	}
	if n := unread(t, env, dev); n != 4 {
		t.Errorf("unread %v after one read, want 4", n)
	}
	if got := messageIDs(t, env, dev, "?read=true"); len(got) != 1 || got[0] != ids[1] {
		t.Errorf("read messages %v, want [%s]", got, ids[1])
	}
	if got := messageTitles(t, env, dev, "?read=false&type=billing"); strings.Join(got, ",") != "m1" {
		t.Errorf("unread billing %v", got)
	}

	// Another account's message is not found and stays unread.
	theirs := messageIDs(t, env, other, "")
	env.Must(t, http.StatusNotFound, req{Method: "POST",
		Path: "/v1/messages/" + theirs[0] + "/read", Token: dev.Token})
	env.Must(t, http.StatusNotFound, req{Method: "POST", Path: "/v1/messages/nope/read",
		Token: dev.Token})
	if n := unread(t, env, other); n != 1 {
		t.Errorf("other's unread %v", n)
	}

	// Read all.
	r := env.Must(t, http.StatusOK, req{Method: "POST", Path: "/v1/messages/read-all",
		Token: dev.Token})
	if r.JSON["marked_read"] != 4.0 || unread(t, env, dev) != 0 || unread(t, env, other) != 1 {
		t.Errorf("read-all: %s", r.Body)
	}
	if got := messageIDs(t, env, dev, "?read=false"); len(got) != 0 {
		t.Errorf("unread after read-all: %v", got)
	}

	// Bad filters.
	for _, q := range []string{"?type=spam", "?read=maybe", "?limit=0", "?cursor=zzz"} {
		if r := env.Do(t, req{Method: "GET", Path: "/v1/messages" + q,
			Token: dev.Token}); r.Status != http.StatusBadRequest {
			t.Errorf("GET /v1/messages%s: %d", q, r.Status)
		}
	}
}

func TestAnnouncements(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	early1 := env.Developer(t)
	early2 := env.Developer(t)
	operator := env.Staff(t, "operator")
	reviewer := env.Staff(t, "reviewer")

	r := env.Must(t, http.StatusCreated, req{Method: "POST", Path: "/v1/ops/announcements",
		Token: operator.Token, Body: map[string]any{"title": " Maintenance ",
			"body": "The console is down on Sunday 02:00-03:00."}})
	if r.JSON["recipients"] != 2.0 || r.Str("title") != "Maintenance" {
		t.Errorf("announcement: %s", r.Body)
	}
	late := env.Developer(t)

	for _, u := range []testenv.User{early1, early2} {
		got := messageTitles(t, env, u, "?type=announcement")
		if len(got) != 1 || got[0] != "Maintenance" {
			t.Errorf("%s announcements %v", u.Email, got)
		}
	}
	if got := messageTitles(t, env, late, ""); len(got) != 0 {
		t.Errorf("an account registered later got %v", got)
	}
	if got := messageTitles(t, env, operator, ""); len(got) != 0 {
		t.Errorf("staff got %v", got)
	}

	// Only operators announce, with a title and body.
	for _, u := range []testenv.User{early1, reviewer} {
		if r := env.Do(t, req{Method: "POST", Path: "/v1/ops/announcements", Token: u.Token,
			Body: map[string]any{"title": "x", "body": "y"}}); r.Status != http.StatusForbidden {
			t.Errorf("%s announcing: %d", u.Email, r.Status)
		}
	}
	for _, body := range []map[string]any{{"title": "", "body": "y"},
		{"title": "x", "body": " "}, {"title": strings.Repeat("x", 101), "body": "y"},
		{"title": "x\x00", "body": "y"}} {
		if r := env.Do(t, req{Method: "POST", Path: "/v1/ops/announcements",
			Token: operator.Token, Body: body}); r.Status != http.StatusBadRequest {
			t.Errorf("announcement %v: %d %s", body, r.Status, r.Body)
		}
	}
	var n int
	env.Store().Pool.QueryRow(t.Context(), "SELECT count(*) FROM announcements").Scan(&n)
	if n != 1 {
		t.Errorf("%d announcements stored", n)
	}
}

func TestStaffMessagesPostedOnce(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	op1 := env.Staff(t, "operator")
	op2 := env.Staff(t, "operator")
	rv := env.Staff(t, "reviewer")
	m := messages.Message{Type: messages.TypeOperations, Title: "t", Body: "b", Key: "k"}
	for range 2 {
		if err := env.Acts.PostStaffMessage(context.Background(), m, false); err != nil {
			t.Fatal(err)
		}
	}
	if unread(t, env, op1) != 1 || unread(t, env, op2) != 1 || unread(t, env, rv) != 0 {
		t.Errorf("unread: %v %v %v", unread(t, env, op1), unread(t, env, op2), unread(t, env, rv))
	}
}

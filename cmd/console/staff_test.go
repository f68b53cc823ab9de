package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/yiyun-console/console/internal/testenv"
)

func TestStaffCreate(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	t.Setenv("DATABASE_URL", env.Config.DatabaseURL)
	t.Setenv("STAFF_PASSWORD", "operator password")
	var out, errs bytes.Buffer
	err := run(context.Background(), []string{"staff", "create", "-email", "ops@example.com",
		"-role", "operator"}, &out, &errs)
	if err != nil {
		t.Fatalf("staff create: %v\n%s", err, errs.String())
	}
	if !strings.Contains(out.String(), "created operator ops@example.com") {
		t.Errorf("output: %q", out.String())
	}
	token := env.Login(t, "ops@example.com", "operator password")
	r := env.Must(t, 201, testenv.Request{Method: "POST", Path: "/v1/ops/announcements",
		Token: token, Body: map[string]any{"title": "Hello", "body": "From operations."}})
	if r.JSON["recipients"] != float64(0) {
		t.Errorf("announcement: %s", r.Body)
	}

	// A second account with the same email, a bad role and a short password are refused.
	for _, args := range [][]string{
		{"-email", "ops@example.com", "-role", "operator"},
		{"-email", "x@example.com", "-role", "admin"},
	} {
		err := run(context.Background(), append([]string{"staff", "create"}, args...), &out, &errs)
		if err == nil {
			t.Errorf("staff create %v succeeded", args)
		}
	}
	t.Setenv("STAFF_PASSWORD", "short")
	if err := run(context.Background(), []string{"staff", "create", "-email", "y@example.com",
		"-role", "reviewer"}, &out, &errs); err == nil {
		t.Error("a short password was accepted")
	}
}

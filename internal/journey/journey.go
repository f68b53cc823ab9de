// Package journey walks a new developer through the whole console over its public
// API, as any client would: registration, verification, top-up, an IVR app with its
// prompts, a test number, go-live, call records, a company verification, an invoice
// taken to delivery, the month's IVR fee run, and the dashboard, statistics and bill
// at the end. `console demo` runs it against a running console; the end-to-end
// tests run it too, one journey and fifty in parallel through crashes.
package journey

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/yiyun-console/console/internal/ids"
)

// Staff is a staff member's login.
type Staff struct {
	Email, Password string
}

// Config says where the console is and who the staff are.
type Config struct {
	BaseURL       string // the API, e.g. http://127.0.0.1:8080
	PlatformToken string // the telephony platform's credential, for call records
	Reviewer      Staff
	Operator      Staff
	// TemporalUI is the Temporal UI's address; each step that runs a workflow
	// prints a link to it there. Empty: no links.
	TemporalUI string
	Namespace  string // Temporal namespace; default "default"
	// Out receives one line per step and its details; nil discards them.
	Out io.Writer
	// Patience bounds how long a step waits for a process to move on and how long
	// a request is retried through crashes and restarts; default two minutes.
	Patience time.Duration
	// Stats, when set, counts the journey's requests.
	Stats *Stats
}

// Result is what a finished journey made, for the tests to check against the
// database.
type Result struct {
	AccountSID      string
	Email, Password string // the developer's login
	AppID           string
	Number          string // the inbound number bound at go-live
	RechargeOrderID string
	Recharged       string // CNY
	InvoiceID       string
	Invoiced        string // CNY
	CallsStored     int
	Balance         string // CNY, at the end
	Steps           int
}

// journey is one run in progress.
type journey struct {
	cfg    Config
	client *Client
	out    io.Writer
	tag    string // makes emails, names and numbers unique per journey

	dev, reviewer, operator string // bearer tokens
	res                     Result
	month                   string // the current Beijing month
}

// Run walks the journey and returns what it made, or the first step that failed.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if cfg.Patience == 0 {
		cfg.Patience = 2 * time.Minute
	}
	out := cfg.Out
	if out == nil {
		out = io.Discard
	}
	j := &journey{
		cfg: cfg,
		client: &Client{BaseURL: strings.TrimRight(cfg.BaseURL, "/"), RetryFor: cfg.Patience,
			Stats: cfg.Stats},
		out:   out,
		tag:   ids.New()[:10],
		month: time.Now().In(beijing).Format("2006-01"),
	}
	steps := []struct {
		title string
		run   func(context.Context) error
	}{
		{"Register a developer and log in", j.register},
		{"Staff log in", j.staffLogin},
		{"Personal verification, approved by a reviewer", j.personalVerification},
		{"Top up through the sandbox payment channel", j.topUp},
		{"Create an IVR app", j.createApp},
		{"Upload the IVR prompts", j.uploadPrompts},
		{"Add a test number with the code from the SMS outbox", j.testNumber},
		{"Go live, approved by a reviewer", j.goLive},
		{"Import the Asterisk call records", j.importCalls},
		{"Upgrade to a company verification", j.companyVerification},
		{"Apply for an invoice and take it to delivery", j.invoice},
		{"Run the month's IVR fees", j.billingRun},
		{"Dashboard", j.dashboard},
		{"Statistics", j.statistics},
		{"Bill", j.bill},
	}
	for i, s := range steps {
		fmt.Fprintf(out, "\n[%2d/%d] %s\n", i+1, len(steps), s.title)
		if err := s.run(ctx); err != nil {
			fmt.Fprintf(out, "  ✗ %v\n", err)
			return j.res, fmt.Errorf("step %d (%s): %w", i+1, s.title, err)
		}
		fmt.Fprintf(out, "  ✓ done\n")
		j.res.Steps++
	}
	return j.res, nil
}

// say prints one detail line of the current step.
func (j *journey) say(format string, args ...any) {
	fmt.Fprintf(j.out, "  · "+format+"\n", args...)
}

// workflow prints where to see a workflow in the Temporal UI.
func (j *journey) workflow(id string) {
	if j.cfg.TemporalUI == "" {
		j.say("workflow %s", id)
		return
	}
	q := url.Values{"query": {fmt.Sprintf("WorkflowId=%q", id)}}
	j.say("workflow %s: %s/namespaces/%s/workflows?%s", id,
		strings.TrimRight(j.cfg.TemporalUI, "/"), url.PathEscape(j.cfg.Namespace), q.Encode())
}

// call sends one request as the given bearer token.
func (j *journey) call(ctx context.Context, c Call) (Answer, error) {
	return j.client.Do(ctx, c)
}

// waitFor polls check until it reports done, for at most the journey's patience.
// what names the awaited state in the error.
func (j *journey) waitFor(ctx context.Context, what string,
	check func() (bool, error)) error {
	deadline := time.Now().Add(j.cfg.Patience)
	delay := 100 * time.Millisecond
	for {
		done, err := check()
		if err != nil {
			return err
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up waiting for %s after %s", what, j.cfg.Patience)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		delay = min(delay*2, 2*time.Second)
	}
}

// waitStatus polls a GET route until its status field is want. A status in
// failed ends the wait with an error.
func (j *journey) waitStatus(ctx context.Context, token, path, want string,
	failed ...string) (Answer, error) {
	var last Answer
	err := j.waitFor(ctx, path+" to be "+want, func() (bool, error) {
		a, err := j.call(ctx, Call{Method: "GET", Path: path, Token: token})
		if err != nil {
			return false, err
		}
		last = a
		st := a.Str("status")
		for _, f := range failed {
			if st == f {
				return false, fmt.Errorf("%s is %s: %s", path, st, a.Body)
			}
		}
		return st == want, nil
	})
	return last, err
}

// decide sends a decision or an operator's step that a workflow may not be ready
// for yet (409 while it is still checking, 503 while its start is in flight), and
// that a retry after a lost answer may find already applied: it is retried on 409
// until confirm reports the wanted state.
func (j *journey) decide(ctx context.Context, c Call, confirm func() (bool, error)) error {
	return j.waitFor(ctx, c.Method+" "+c.Path, func() (bool, error) {
		c.Want = 0
		a, err := j.call(ctx, c)
		if err == nil {
			return true, nil
		}
		if a.Status != 409 {
			return false, err
		}
		return confirm()
	})
}

package journey

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/yiyun-console/console/internal/cdrcsv"
	"github.com/yiyun-console/console/internal/cdrs"
)

// callRecord is one finished call as the platform reports it.
type callRecord struct {
	CallID        string     `json:"call_id"`
	AppID         string     `json:"app_id"`
	Caller        string     `json:"caller,omitempty"`
	Callee        string     `json:"callee,omitempty"`
	StartTime     time.Time  `json:"start_time"`
	AnswerTime    *time.Time `json:"answer_time,omitempty"`
	EndTime       time.Time  `json:"end_time"`
	BilledSeconds int        `json:"billed_seconds"`
	Outcome       string     `json:"outcome"`
}

// readCalls reads the Asterisk file as the app's calls. The file's calls are moved
// in time, all by the same amount, so that the last one ended a minute before now
// and the dashboard's "today" and "last 7 days" show them; each call ID carries the
// app, so that parallel journeys report distinct calls.
func readCalls(app string, now time.Time) ([]callRecord, int, error) {
	raw, err := data.ReadFile("data/cdr-asterisk-master.csv")
	if err != nil {
		return nil, 0, err
	}
	rd := cdrcsv.NewAsteriskReader(bytes.NewReader(raw), beijing)
	var legs []cdrs.Record
	bad := 0
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var lineErr *cdrcsv.LineError
		if errors.As(err, &lineErr) {
			bad++
			continue
		}
		if err != nil {
			return nil, 0, err
		}
		legs = append(legs, cdrs.FromSwitch(rec, app))
	}
	if len(legs) == 0 {
		return nil, bad, errors.New("the call record file holds no calls")
	}
	last := legs[0].End
	for _, l := range legs {
		if l.End.After(last) {
			last = l.End
		}
	}
	by := now.Add(-time.Minute).Sub(last).Truncate(time.Second)
	shift := func(t time.Time) time.Time { return t.Add(by) }
	out := make([]callRecord, len(legs))
	for i, l := range legs {
		out[i] = callRecord{CallID: app + "/" + l.CallID, AppID: app, Caller: l.Caller,
			Callee: l.Callee, StartTime: shift(l.Start), EndTime: shift(l.End),
			BilledSeconds: l.BilledSec, Outcome: l.Outcome}
		if l.Answer != nil {
			a := shift(*l.Answer)
			out[i].AnswerTime = &a
		}
	}
	return out, bad, nil
}

func (j *journey) importCalls(ctx context.Context) error {
	calls, bad, err := readCalls(j.res.AppID, time.Now())
	if err != nil {
		return err
	}
	j.say("read %d call legs from the Asterisk Master.csv (%d lines refused), moved in "+
		"time to end a minute ago", len(calls), bad)
	a, err := j.call(ctx, Call{Method: "POST", Path: "/v1/platform/cdrs",
		Token: j.cfg.PlatformToken, Want: http.StatusOK,
		Body: map[string]any{"records": calls}})
	if err != nil {
		return err
	}
	j.res.CallsStored = int(a.Int("accepted")) + int(a.Int("duplicate"))
	if a.Int("rejected") > 0 {
		return fmt.Errorf("the platform route refused records: %s", a.Body)
	}
	j.say("the platform route took %d calls (%d repeats) and charged %s CNY",
		a.Int("accepted"), a.Int("duplicate"), a.Str("charged"))
	cd, err := j.call(ctx, Call{Method: "GET", Path: "/v1/cdrs?app_id=" + j.res.AppID +
		"&limit=3", Token: j.dev})
	if err != nil {
		return err
	}
	for _, c := range cd.Items() {
		j.say("call %v → %v %v, %v s billed", c["caller"], c["callee"], c["outcome"],
			c["billed_seconds"])
	}
	return nil
}

package journey

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/yiyun-console/console/internal/ids"
)

// Client calls the console's public API, retrying what a crash or a restart of a
// service may interrupt: connection errors and 5xx answers are retried with the same
// Idempotency-Key, for up to RetryFor (a minute when zero).
type Client struct {
	BaseURL  string
	HTTP     *http.Client
	RetryFor time.Duration
	Stats    *Stats // counts requests; may be nil
}

// Stats counts what clients sent; safe for concurrent use.
type Stats struct {
	Requests atomic.Int64 // requests sent, retries included
	Retries  atomic.Int64 // requests sent again after a connection error or a 5xx
}

var defaultHTTP = &http.Client{Timeout: 30 * time.Second}

// Answer is a decoded API answer.
type Answer struct {
	Status int
	Body   []byte
	JSON   map[string]any
}

// Str returns a top-level string field.
func (a Answer) Str(k string) string {
	s, _ := a.JSON[k].(string)
	return s
}

// Int returns a top-level number field.
func (a Answer) Int(k string) int64 {
	f, _ := a.JSON[k].(float64)
	return int64(f)
}

// ErrorMessage returns the message of an error envelope.
func (a Answer) ErrorMessage() string {
	e, _ := a.JSON["error"].(map[string]any)
	msg, _ := e["message"].(string)
	return msg
}

// Items returns the items of a list answer.
func (a Answer) Items() []map[string]any {
	raw, _ := a.JSON["items"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, r := range raw {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// Call is one request.
type Call struct {
	Method, Path, Token string
	Body                any // JSON-encoded
	Idempotent          bool
	File                *File // multipart upload instead of Body
	Want                int   // expected status; 0 means any 2xx
}

// File is a multipart file part.
type File struct {
	Field, Name string
	Data        []byte
}

// Do sends c, retrying transient failures, and fails unless the answer has the
// wanted status.
func (cl *Client) Do(ctx context.Context, c Call) (Answer, error) {
	key := ""
	if c.Idempotent {
		key = ids.New()
	}
	retryFor := cl.RetryFor
	if retryFor == 0 {
		retryFor = time.Minute
	}
	deadline := time.Now().Add(retryFor)
	for attempt := 0; ; attempt++ {
		a, err := cl.once(ctx, c, key)
		transient := err != nil || a.Status >= 500
		if cl.Stats != nil {
			cl.Stats.Requests.Add(1)
			if attempt > 0 {
				cl.Stats.Retries.Add(1)
			}
		}
		if !transient {
			ok := (c.Want == 0 && a.Status/100 == 2) || a.Status == c.Want
			if !ok {
				return a, fmt.Errorf("%s %s: status %d: %s", c.Method, c.Path, a.Status, a.Body)
			}
			return a, nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			if err == nil {
				err = fmt.Errorf("status %d: %s", a.Status, a.Body)
			}
			return a, fmt.Errorf("%s %s: %w", c.Method, c.Path, err)
		}
		time.Sleep(time.Duration(min(attempt+1, 10)) * 200 * time.Millisecond)
	}
}

func (cl *Client) once(ctx context.Context, c Call, key string) (Answer, error) {
	var body io.Reader
	ctype := ""
	switch {
	case c.File != nil:
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, err := mw.CreateFormFile(c.File.Field, c.File.Name)
		if err != nil {
			return Answer{}, err
		}
		_, _ = fw.Write(c.File.Data)
		_ = mw.Close()
		body, ctype = &buf, mw.FormDataContentType()
	case c.Body != nil:
		b, err := json.Marshal(c.Body)
		if err != nil {
			return Answer{}, err
		}
		body, ctype = bytes.NewReader(b), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, cl.BaseURL+c.Path, body)
	if err != nil {
		return Answer{}, err
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	hc := cl.HTTP
	if hc == nil {
		hc = defaultHTTP
	}
	resp, err := hc.Do(req)
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Answer{}, err
	}
	a := Answer{Status: resp.StatusCode, Body: raw}
	_ = json.Unmarshal(raw, &a.JSON)
	return a, nil
}

package api

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/yiyun-console/console/internal/apperr"
)

// Page sizes of every list.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// cursor is the position after the last item of a page: lists are ordered by a time
// and an ID. Clients see it only as an opaque string.
type cursor struct {
	Time time.Time `json:"t"`
	ID   string    `json:"i"`
}

// pageParams are the limit and the decoded cursor of a list request.
type pageParams struct {
	Limit int32
	After *cursor
}

// readPage parses the limit and cursor query parameters.
func readPage(r *http.Request) (pageParams, error) {
	p := pageParams{Limit: defaultLimit}
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return p, apperr.Field("limit", "must be a whole number from 1 to 100")
		}
		p.Limit = int32(n)
	}
	if s := q.Get("cursor"); s != "" {
		b, err := base64.RawURLEncoding.DecodeString(s)
		var c cursor
		if err != nil || len(b) > 512 || json.Unmarshal(b, &c) != nil || c.ID == "" {
			return p, apperr.Field("cursor", "is not a cursor this API returned")
		}
		p.After = &c
	}
	return p, nil
}

// encodeCursor makes the opaque cursor for the item at (t, id).
func encodeCursor(t time.Time, id string) string {
	b, _ := json.Marshal(cursor{Time: t, ID: id})
	return base64.RawURLEncoding.EncodeToString(b)
}

// listResponse is the shape of every list.
type listResponse[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// pageOf builds a list response from rows fetched with limit+1, so that a next cursor
// is given only when more rows exist. key returns a row's ordering time and ID.
func pageOf[R, T any](rows []R, limit int32, key func(R) (time.Time, string),
	conv func(R) T) listResponse[T] {
	out := listResponse[T]{Items: make([]T, 0, len(rows))}
	for i, row := range rows {
		if int32(i) == limit {
			t, id := key(rows[i-1])
			out.NextCursor = encodeCursor(t, id)
			break
		}
		out.Items = append(out.Items, conv(row))
	}
	return out
}

// writePageOf writes the page of rows as pageOf makes it, with a conversion that
// may fail (say, decrypting a field): the first failure is returned instead.
func writePageOf[R, T any](w http.ResponseWriter, rows []R, limit int32,
	key func(R) (time.Time, string), conv func(R) (T, error)) error {
	var convErr error
	out := pageOf(rows, limit, key, func(row R) T {
		item, err := conv(row)
		convErr = errors.Join(convErr, err)
		return item
	})
	if convErr != nil {
		return convErr
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// afterTime and afterID unpack an optional cursor for sqlc.narg parameters.
func (p pageParams) afterTime() *time.Time {
	if p.After == nil {
		return nil
	}
	return &p.After.Time
}

func (p pageParams) afterID() *string {
	if p.After == nil {
		return nil
	}
	return &p.After.ID
}

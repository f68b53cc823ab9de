package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
)

// maxIdempotencyKey bounds the Idempotency-Key header.
const maxIdempotencyKey = 128

// idempotentFunc does a request's work inside its transaction and returns the status
// and body to answer with.
type idempotentFunc func(q *db.Queries, tx pgx.Tx) (int, any, error)

// idempotent runs fn in a transaction under the request's Idempotency-Key header,
// if it has one, and writes the answer. The key is claimed in the same transaction as
// fn's work, so the answer is stored exactly when the work is committed. The same key
// with the same body answers the stored response again without running fn; the same
// key with another body or route is refused. Errors are not stored: a request that
// failed may be retried with its key. It reports whether fn ran.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, body []byte,
	fn idempotentFunc) (bool, error) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKey || (key != "" && !printable(key)) {
		return false, apperr.New(apperr.Invalid,
			"the Idempotency-Key header must be 1 to %d printable ASCII characters",
			maxIdempotencyKey)
	}
	sum := sha256.Sum256(body)
	route := r.Method + " " + r.URL.Path
	account := caller(r.Context()).SID

	var status int
	var out []byte
	ran := false
	err := s.store.InTx(r.Context(), func(q *db.Queries, tx pgx.Tx) error {
		if key != "" {
			n, err := q.ClaimIdempotencyKey(r.Context(), db.ClaimIdempotencyKeyParams{
				AccountSid: account, Key: key, Route: route, RequestHash: sum[:],
			})
			if err != nil {
				return err
			}
			if n == 0 {
				prior, err := q.GetIdempotencyKey(r.Context(), db.GetIdempotencyKeyParams{
					AccountSid: account, Key: key,
				})
				if err != nil {
					return err
				}
				if prior.Route != route || !bytes.Equal(prior.RequestHash, sum[:]) {
					return apperr.New(apperr.IdempotencyMismatch,
						"this Idempotency-Key was used with another request; use a new key")
				}
				status, out = int(prior.StatusCode), prior.ResponseBody
				return nil
			}
		}
		code, resp, err := fn(q, tx)
		if err != nil {
			return err
		}
		ran = true
		status = code
		if out, err = json.Marshal(resp); err != nil {
			return err
		}
		if key == "" {
			return nil
		}
		return q.SaveIdempotentResponse(r.Context(), db.SaveIdempotentResponseParams{
			AccountSid: account, Key: key, StatusCode: int32(code), ResponseBody: out,
		})
	})
	if err != nil {
		return false, err
	}
	if !ran {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(append(out, '\n'))
	return ran, nil
}

// readBody reads a JSON body for a handler that needs its bytes, as idempotent does.
func readBody(r *http.Request) ([]byte, error) {
	var raw json.RawMessage
	if err := decode(r, &raw); err != nil {
		return nil, err
	}
	return raw, nil
}

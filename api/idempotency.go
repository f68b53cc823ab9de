package api

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash"
	"io"
	"net/http"

	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
)

// maxIdempotencyKey bounds the Idempotency-Key header. Keys are kept for
// workflows.IdempotencyKeyRetention, then purged by a daily schedule.
const maxIdempotencyKey = 128

// idempotentFunc does a request's work inside its transaction and returns the status
// and body to answer with.
type idempotentFunc func(q *db.Queries, tx pgx.Tx) (int, any, error)

// idempotent runs fn in a transaction under the request's Idempotency-Key header,
// if it has one, and writes the answer. The key is bound to the route and to the
// SHA-256 of body; see idempotentSum.
func (s *Server) idempotent(w http.ResponseWriter, r *http.Request, body []byte,
	fn idempotentFunc) (bool, error) {
	return s.idempotentSum(w, r, idemRequest{Sum: jsonSum(body)}, fn)
}

// jsonSum is the SHA-256 of a JSON body with its insignificant whitespace
// removed, so that a client that re-encodes the same request with another layout
// still matches its key. A body that is not JSON is hashed as it is.
func jsonSum(body []byte) [sha256.Size]byte {
	var b bytes.Buffer
	if err := json.Compact(&b, body); err != nil {
		return sha256.Sum256(body)
	}
	return sha256.Sum256(b.Bytes())
}

// idemRequest is what an Idempotency-Key is bound to besides the route.
type idemRequest struct {
	// Sum identifies the request's content: the SHA-256 of a JSON body, or of a
	// multipart body's parts (partsHash), whose boundary changes per request.
	Sum [sha256.Size]byte
	// Seal stores the answer encrypted, for an answer that shows a secret once
	// (such as a new app's token), which is otherwise kept only hashed.
	Seal bool
}

// idempotentSum runs fn in a transaction under the request's Idempotency-Key header,
// if it has one, and writes the answer. The key is claimed in the same transaction as
// fn's work, so the answer is stored exactly when the work is committed. The same key
// with the same request answers the stored response again without running fn; the
// same key with another request or route is refused. Errors are not stored: a request
// that failed may be retried with its key. It reports whether fn ran.
func (s *Server) idempotentSum(w http.ResponseWriter, r *http.Request, ir idemRequest,
	fn idempotentFunc) (bool, error) {
	key := r.Header.Get("Idempotency-Key")
	if len(key) > maxIdempotencyKey || (key != "" && !printable(key)) {
		return false, apperr.New(apperr.Invalid,
			"the Idempotency-Key header must be 1 to %d printable ASCII characters",
			maxIdempotencyKey)
	}
	sum := ir.Sum
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
				if ir.Seal {
					out, err = s.openAnswer(prior.ResponseBody, account, key)
				}
				return err
			}
		}
		code, resp, err := fn(q, tx)
		if err != nil {
			return err
		}
		ran = true
		status = code
		if out, err = marshalAnswer(resp); err != nil {
			return err
		}
		if key == "" {
			return nil
		}
		stored := out
		if ir.Seal {
			box, err := s.secretBox()
			if err != nil {
				return err
			}
			stored = box.Seal(string(out), answerContext(account, key))
		}
		return q.SaveIdempotentResponse(r.Context(), db.SaveIdempotentResponseParams{
			AccountSid: account, Key: key, StatusCode: int32(code), ResponseBody: stored,
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

// decodeKeeping decodes a JSON body into v, as decode does, and returns its bytes
// for idempotent.
func decodeKeeping(r *http.Request, v any) ([]byte, error) {
	raw, err := readBody(r)
	if err != nil {
		return nil, err
	}
	return raw, decodeBytes(raw, v)
}

// answerContext binds a sealed answer to its account and key.
func answerContext(account, key string) string {
	return "idempotent-answer:" + account + ":" + key
}

// openAnswer decrypts an answer stored sealed.
func (s *Server) openAnswer(sealed []byte, account, key string) ([]byte, error) {
	box, err := s.secretBox()
	if err != nil {
		return nil, err
	}
	plain, err := box.Open(sealed, answerContext(account, key))
	return []byte(plain), err
}

// readRawBody reads a body that a route ignores or reads itself, bounded by
// maxJSONBody, so that an Idempotency-Key can be bound to it.
func readRawBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxJSONBody+1))
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "the body could not be read")
	}
	if len(body) > maxJSONBody {
		return nil, apperr.New(apperr.TooLarge, "the body is larger than %d bytes", maxJSONBody)
	}
	return body, nil
}

// partsHash hashes the multipart parts a route uses, each as its form name, file
// name and content, length-prefixed, so that two uploads of the same parts have the
// same hash whatever their boundaries.
type partsHash struct{ h hash.Hash }

func newPartsHash() *partsHash { return &partsHash{h: sha256.New()} }

// Add adds one part.
func (p *partsHash) Add(name, fileName string, content []byte) {
	for _, b := range [][]byte{[]byte(name), []byte(fileName), content} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		p.h.Write(n[:])
		p.h.Write(b)
	}
}

// Sum returns the hash of the parts added.
func (p *partsHash) Sum() [sha256.Size]byte {
	var out [sha256.Size]byte
	p.h.Sum(out[:0])
	return out
}

// marshalAnswer encodes v as writeJSON does (HTML characters as they are), without
// the final newline.
func marshalAnswer(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

package api

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/yiyun-console/console/internal/apperr"
)

// envelope is the one shape of every error answer.
type envelope struct {
	Error errorBody `json:"error"`
}

type errorBody struct {
	Code      apperr.Code         `json:"code"`
	Message   string              `json:"message"`
	Fields    []apperr.FieldError `json:"fields,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
}

// statusOf is the one place where an error code becomes an HTTP status.
func statusOf(c apperr.Code) int {
	switch c {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.MethodNotAllowed:
		return http.StatusMethodNotAllowed
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.IdempotencyMismatch:
		return http.StatusUnprocessableEntity
	case apperr.InsufficientBalance:
		return http.StatusPaymentRequired
	case apperr.TooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.UnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	case apperr.Unavailable:
		return http.StatusServiceUnavailable
	default:
		return http.StatusInternalServerError
	}
}

// handlerFunc is a handler that returns its error instead of writing it, so that a
// handler cannot forget to stop after an error.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle adapts a handlerFunc: a returned error is written as the envelope.
func (s *Server) handle(fn handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			s.writeError(w, r, err)
		}
	}
}

// writeError writes err as the envelope. Errors that are not an *apperr.Error are
// server faults: they are logged and answered with a generic message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := apperr.As(err)
	if !ok {
		switch {
		case isUnstorableInput(err):
			// A safety net behind the checks of query parameters and bodies: text
			// Postgres cannot store is the caller's fault, not the server's.
			e = apperr.New(apperr.Invalid,
				"the request holds text that cannot be stored (such as a NUL character, "+
					"invalid UTF-8 or an over-long value)")
		case r.Context().Err() != nil:
			// The client went away or the request timed out: not a server fault.
			e = apperr.New(apperr.Unavailable, "the request was cancelled")
		case isOutage(err):
			e = apperr.New(apperr.Unavailable,
				"a service the console depends on is unavailable; try again shortly")
		default:
			logger(r.Context(), s.log).Error("request failed", "err", err)
			e = apperr.New(apperr.Internal, "an internal error occurred")
		}
	}
	status := statusOf(e.Code)
	if status >= 500 && e.Code != apperr.Internal {
		logger(r.Context(), s.log).Warn("request unavailable", "err", err)
	}
	writeJSON(w, status, envelope{Error: errorBody{
		Code: e.Code, Message: e.Message, Fields: e.Fields, RequestID: requestID(r.Context()),
	}})
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("writing response failed", "err", err)
	}
}

// isUnstorableInput reports whether err is Postgres refusing a value the caller
// sent: 22021 (invalid byte sequence, such as NUL), 22P05 (untranslatable
// character) or 54000 (program limit exceeded, such as an over-long index entry).
func isUnstorableInput(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "22021", "22P05", "54000":
		return true
	}
	return false
}

// isOutage reports whether err comes from Postgres or Temporal being down or
// restarting rather than from a fault of the console: the request may be retried.
func isOutage(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08: connection exceptions; 57P01-57P03: shutdown or start-up.
		return strings.HasPrefix(pgErr.Code, "08") || pgErr.Code == "57P01" ||
			pgErr.Code == "57P02" || pgErr.Code == "57P03"
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	return errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		isTemporalUnavailable(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET)
}

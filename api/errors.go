package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

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
		if r.Context().Err() != nil {
			// The client went away or the request timed out: not a server fault.
			e = apperr.New(apperr.Unavailable, "the request was cancelled")
		} else {
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

package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
)

var (
	errNoRoute  = apperr.New(apperr.NotFound, "no such route")
	errNoMethod = apperr.New(apperr.MethodNotAllowed, "method not allowed on this route")
)

type ctxKey int

const (
	ctxRequestID ctxKey = iota
	ctxPrincipal
	ctxLogger
	ctxServer
)

// requestID gives every request an ID, echoed in X-Request-Id and in every log line.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if len(id) < 8 || len(id) > 64 || !printable(id) {
			id = ids.New()[:16]
		}
		w.Header().Set("X-Request-Id", id)
		ctx := context.WithValue(r.Context(), ctxRequestID, id)
		ctx = context.WithValue(ctx, ctxLogger, s.log.With("request_id", id))
		ctx = context.WithValue(ctx, ctxServer, s)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func printable(s string) bool {
	for _, c := range s {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// requestID returns the request's ID.
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID).(string)
	return id
}

// logger returns the request's logger, which carries its ID.
func logger(ctx context.Context, fallback *slog.Logger) *slog.Logger {
	if l, ok := ctx.Value(ctxLogger).(*slog.Logger); ok {
		return l
	}
	return fallback
}

// recoverer turns a panic into the internal error envelope.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger(r.Context(), s.log).Error("handler panicked", "panic", fmt.Sprint(v),
					"stack", string(debug.Stack()))
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// accessLog logs each request's route, status and duration at debug level, and
// server faults at warn.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		route := chi.RouteContext(r.Context()).RoutePattern()
		logger(r.Context(), s.log).Log(r.Context(), level, "request",
			"method", r.Method, "route", route, "status", sw.status,
			"duration_ms", time.Since(start).Milliseconds())
	})
}

// serverFrom returns the Server handling r, for middleware built without one.
func serverFrom(r *http.Request) *Server {
	return r.Context().Value(ctxServer).(*Server)
}

// checkQuery refuses a request whose query parameter names or values, once
// percent-decoded, hold a NUL character or invalid UTF-8: no handler can use them,
// and Postgres refuses to store or compare them.
func (s *Server) checkQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			if err := checkQueryValues(r.URL.RawQuery); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// checkQueryValues returns the error naming the first unusable query parameter.
func checkQueryValues(raw string) error {
	// A malformed escape is left to the handlers, which see it dropped by
	// URL.Query; what did decode is checked.
	values, _ := url.ParseQuery(raw)
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if badText(name) {
			return &apperr.Error{Code: apperr.Invalid,
				Message: "a query parameter name holds a NUL character or invalid UTF-8",
				Fields: []apperr.FieldError{{Field: strings.ToValidUTF8(
					strings.ReplaceAll(name, "\x00", "\uFFFD"), "\uFFFD"),
					Reason: "the name must be valid UTF-8 without NUL characters"}}}
		}
		for _, v := range values[name] {
			if badText(v) {
				return apperr.Field(name, "must be valid UTF-8 without NUL characters")
			}
		}
	}
	return nil
}

// badText reports whether s is invalid UTF-8 or holds a NUL character.
func badText(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsRune(s, 0)
}

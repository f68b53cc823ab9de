package api

import (
	"context"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
)

// The roles an account may have.
const (
	roleDeveloper = "developer"
	roleReviewer  = "reviewer"
	roleOperator  = "operator"
)

// principal is the signed-in caller.
type principal struct {
	SID       string
	Role      string
	tokenHash []byte
	account   db.Account // as read when the request was authenticated
}

// caller returns the signed-in caller; routes behind authenticate always have one.
func caller(ctx context.Context) principal {
	p, _ := ctx.Value(ctxPrincipal).(principal)
	return p
}

var errNoSession = apperr.New(apperr.Unauthenticated,
	"sign in first: send the session token as 'Authorization: Bearer <token>'")

// bearer returns the bearer token of r, if any.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// authenticate admits requests that carry a live session token.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		if token == "" || len(token) > 128 {
			s.writeError(w, r, errNoSession)
			return
		}
		hash := ids.Hash(token)
		row, err := s.store.GetSessionAccount(r.Context(), hash)
		if err != nil {
			if isNoRows(err) {
				err = apperr.New(apperr.Unauthenticated,
					"the session has expired or was signed out; sign in again")
			}
			s.writeError(w, r, err)
			return
		}
		p := principal{SID: row.Account.Sid, Role: row.Account.Role, tokenHash: hash,
			account: row.Account}
		ctx := context.WithValue(r.Context(), ctxPrincipal, p)
		ctx = context.WithValue(ctx, ctxLogger, logger(ctx, s.log).With("account_sid", row.Account.Sid))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// requireRole admits only callers with one of roles.
func requireRole(roles ...string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !slices.Contains(roles, caller(r.Context()).Role) {
				srv := serverFrom(r)
				err := apperr.New(apperr.Forbidden, "this route is for %s accounts",
					strings.Join(roles, " and "))
				srv.writeError(w, r, err)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// platformAuth admits the telephony platform, which signs in with its own token
// (PLATFORM_TOKEN) as a bearer token, never with a developer's session.
func (s *Server) platformAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := bearer(r)
		want := s.cfg.PlatformToken
		if token == "" || want == "" ||
			subtle.ConstantTimeCompare([]byte(token), []byte(want)) != 1 {
			s.writeError(w, r, apperr.New(apperr.Unauthenticated,
				"platform routes need the platform's bearer token"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

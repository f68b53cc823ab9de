package api

import (
	"crypto/sha256"
	"encoding/hex"
	"net"
	"net/http"
	"net/mail"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/password"
	"github.com/yiyun-console/console/internal/phone"
)

func (s *Server) mountAccounts(m mounts) {
	m.public.Post("/accounts", s.handle(s.register))
	m.public.Post("/sessions", s.handle(s.login))
	m.user.Delete("/sessions/current", s.handle(s.logout))
	m.user.Get("/account", s.handle(s.getAccount))
	m.user.Patch("/account", s.handle(s.patchAccount))
	m.dev.Post("/account/auth-token/rotate", s.handle(s.rotateAuthToken))
}

// accountJSON is an account as the API shows it.
type accountJSON struct {
	AccountSID          string    `json:"account_sid"`
	Role                string    `json:"role"`
	Email               string    `json:"email"`
	ContactName         string    `json:"contact_name"`
	Mobile              string    `json:"mobile"`
	VerificationLevel   string    `json:"verification_level"`
	Balance             money.Li  `json:"balance"`
	LowBalanceThreshold money.Li  `json:"low_balance_threshold"`
	InArrears           bool      `json:"in_arrears"`
	CreatedAt           time.Time `json:"created_at"`
}

func toAccountJSON(a db.Account) accountJSON {
	return accountJSON{
		AccountSID:          a.Sid,
		Role:                a.Role,
		Email:               a.Email,
		ContactName:         a.ContactName,
		Mobile:              a.Mobile,
		VerificationLevel:   a.VerificationLevel,
		Balance:             money.Li(a.BalanceLi),
		LowBalanceThreshold: money.Li(a.LowBalanceThresholdLi),
		InArrears:           a.BalanceLi < 0,
		CreatedAt:           a.CreatedAt,
	}
}

// Limits of the registration fields.
const (
	minPasswordLen    = 10
	maxPasswordLen    = 128
	maxContactNameLen = 50
	maxEmailLen       = 254
)

type registerRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	Mobile      string `json:"mobile"`
	ContactName string `json:"contact_name"`
}

type registerResponse struct {
	accountJSON
	AuthToken string `json:"auth_token"`
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) error {
	var req registerRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v apperr.Validation
	email := checkEmail(&v, req.Email)
	checkPassword(&v, req.Password)
	mobile, err := phone.ParseMobile(req.Mobile)
	if err != nil {
		v.Add("mobile", "must be a Chinese mobile number of 11 digits, such as 13800138000")
	}
	name := checkContactName(&v, "contact_name", req.ContactName)
	if err := v.Err(); err != nil {
		return err
	}

	authToken := ids.Token()
	acct, err := s.store.CreateAccount(r.Context(), db.CreateAccountParams{
		Sid:           ids.New(),
		Role:          roleDeveloper,
		Email:         email,
		PasswordHash:  password.Hash(req.Password),
		ContactName:   name,
		Mobile:        mobile,
		AuthTokenHash: ids.Hash(authToken),
	})
	if _, dup := db.IsUniqueViolation(err); dup {
		return apperr.Field("email", "is already registered")
	}
	if err != nil {
		return err
	}
	logger(r.Context(), s.log).Info("account registered", "account_sid", acct.Sid)
	writeJSON(w, http.StatusCreated, registerResponse{toAccountJSON(acct), authToken})
	return nil
}

func checkEmail(v *apperr.Validation, s string) string {
	s = strings.TrimSpace(s)
	addr, err := mail.ParseAddress(s)
	switch {
	case s == "":
		v.Add("email", "is required")
	case len(s) > maxEmailLen:
		v.Addf("email", "must be at most %d characters", maxEmailLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, isControl):
		v.Add("email", "must not contain control or invisible formatting characters")
	case err != nil || addr.Address != s || !strings.Contains(s[strings.LastIndex(s, "@"):], "."):
		v.Add("email", "must be an email address such as dev@example.com")
	}
	return s
}

func checkPassword(v *apperr.Validation, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < minPasswordLen:
		v.Addf("password", "must be at least %d characters", minPasswordLen)
	case n > maxPasswordLen:
		v.Addf("password", "must be at most %d characters", maxPasswordLen)
	}
}

func checkContactName(v *apperr.Validation, field, s string) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		v.Add(field, "is required")
	case n > maxContactNameLen:
		v.Addf(field, "must be at most %d characters", maxContactNameLen)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, isControl):
		v.Add(field, "must not contain control or invisible formatting characters")
	}
	return s
}

// isControl reports control characters and the characters that show nothing:
// format characters (category Cf: zero-width spaces and joiners, bidirectional
// overrides), line and paragraph separators, variation selectors and the other
// default-ignorable ones (fillers such as U+3164, the grapheme joiner U+034F). They
// let two texts that look the same differ, or a required text look empty.
func isControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r < 0xa0) ||
		unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp, unicode.Variation_Selector,
			unicode.Other_Default_Ignorable_Code_Point)
}

// Login throttling: failures within loginWindow per account from one client
// address, per account from anywhere, and per client address. The tight limit is
// the pair's, so that a stranger's wrong guesses from elsewhere do not lock the
// owner out; the account-wide limit still bounds guessing spread over many
// addresses.
const (
	loginWindow              = 15 * time.Minute
	maxFailuresPerEmailAndIP = 5
	maxFailuresPerEmail      = 50
	maxFailuresPerClient     = 30
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
}

type loginResponse struct {
	Token      string    `json:"token"`
	ExpiresAt  time.Time `json:"expires_at"`
	AccountSID string    `json:"account_sid"`
	Role       string    `json:"role"`
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	var req loginRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v apperr.Validation
	if strings.TrimSpace(req.Email) == "" || len(req.Email) > maxEmailLen {
		v.Add("email", "is required")
	}
	if req.Password == "" || len(req.Password) > 4*maxPasswordLen {
		v.Add("password", "is required")
	}
	if err := v.Err(); err != nil {
		return err
	}

	ctx := r.Context()
	emailHash := hashHex(strings.ToLower(strings.TrimSpace(req.Email)))
	emailKey := "email:" + emailHash
	pairKey := "email-client:" + emailHash + ":" + clientIP(r)
	clientKey := "client:" + clientIP(r)
	for _, l := range []struct {
		key string
		max int32
	}{{pairKey, maxFailuresPerEmailAndIP}, {emailKey, maxFailuresPerEmail},
		{clientKey, maxFailuresPerClient}} {
		if err := s.checkThrottle(r, l.key, l.max); err != nil {
			return err
		}
	}

	acct, err := s.store.GetAccountByEmail(ctx, strings.TrimSpace(req.Email))
	ok := false
	switch {
	case err == nil:
		ok, err = password.Check(acct.PasswordHash, req.Password)
		if err != nil {
			return err
		}
	case isNoRows(err):
		password.CheckDummy(req.Password)
	default:
		return err
	}
	if !ok {
		for _, k := range []string{pairKey, emailKey, clientKey} {
			if _, err := s.store.RecordLoginFailure(ctx, db.RecordLoginFailureParams{
				Key: k, WindowSeconds: int32(loginWindow.Seconds()),
			}); err != nil {
				return err
			}
		}
		logger(ctx, s.log).Info("login failed")
		return apperr.New(apperr.Unauthenticated, "the email or password is wrong")
	}
	if err := s.store.DeleteLoginThrottle(ctx, pairKey); err != nil {
		return err
	}

	token := ids.Token()
	expires := s.now().Add(s.cfg.SessionTTL)
	if err := s.store.CreateSession(ctx, db.CreateSessionParams{
		TokenHash: ids.Hash(token), AccountSid: acct.Sid, ExpiresAt: expires,
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, loginResponse{
		Token: token, ExpiresAt: expires.UTC(), AccountSID: acct.Sid, Role: acct.Role,
	})
	return nil
}

// checkThrottle refuses a login while key has too many recent failures.
func (s *Server) checkThrottle(r *http.Request, key string, max int32) error {
	t, err := s.store.GetLoginThrottle(r.Context(), key)
	if isNoRows(err) {
		return nil
	}
	if err != nil {
		return err
	}
	retry := t.WindowStart.Add(loginWindow).Sub(s.now())
	if t.Failures >= max && retry > 0 {
		return apperr.New(apperr.RateLimited,
			"too many failed logins; try again in %d seconds", int(retry.Seconds())+1)
	}
	return nil
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:16])
}

// clientIP is the address the request came from. Forwarding headers are not trusted.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.store.DeleteSession(r.Context(), caller(r.Context()).tokenHash); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getAccount answers the account as read by authenticate, in the same query as the
// session, so that the read costs one round trip.
func (s *Server) getAccount(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, toAccountJSON(caller(r.Context()).account))
	return nil
}

type patchAccountRequest struct {
	ContactName         *string   `json:"contact_name"`
	Mobile              *string   `json:"mobile"`
	LowBalanceThreshold *money.Li `json:"low_balance_threshold"`
}

func (s *Server) patchAccount(w http.ResponseWriter, r *http.Request) error {
	var req patchAccountRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v apperr.Validation
	p := db.UpdateAccountProfileParams{Sid: caller(r.Context()).SID}
	if req.ContactName != nil {
		name := checkContactName(&v, "contact_name", *req.ContactName)
		p.ContactName = &name
	}
	if req.Mobile != nil {
		m, err := phone.ParseMobile(*req.Mobile)
		if err != nil {
			v.Add("mobile", "must be a Chinese mobile number of 11 digits")
		}
		p.Mobile = &m
	}
	if t := req.LowBalanceThreshold; t != nil {
		switch {
		case *t < 0:
			v.Add("low_balance_threshold", "must not be negative")
		case *t%10 != 0:
			v.Add("low_balance_threshold", "must have at most two decimals")
		case *t > 1_000_000*money.Yuan:
			v.Add("low_balance_threshold", "must be at most 1000000.00")
		}
		li := int64(*t)
		p.LowBalanceThresholdLi = &li
	}
	if err := v.Err(); err != nil {
		return err
	}
	acct, err := s.store.UpdateAccountProfile(r.Context(), p)
	if err != nil {
		return db.NotFound(err, "account")
	}
	writeJSON(w, http.StatusOK, toAccountJSON(acct))
	return nil
}

type rotateResponse struct {
	AuthToken string    `json:"auth_token"`
	RotatedAt time.Time `json:"rotated_at"`
}

func (s *Server) rotateAuthToken(w http.ResponseWriter, r *http.Request) error {
	token := ids.Token()
	n, err := s.store.UpdateAccountAuthToken(r.Context(), db.UpdateAccountAuthTokenParams{
		Sid: caller(r.Context()).SID, AuthTokenHash: ids.Hash(token),
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "account not found")
	}
	writeJSON(w, http.StatusOK, rotateResponse{AuthToken: token, RotatedAt: s.now().UTC()})
	return nil
}

package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/netguard"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountApps)
}

func (s *Server) mountApps(m mounts) {
	m.dev.Post("/apps", s.handle(s.createApp))
	m.dev.Get("/apps", s.handle(s.listApps))
	m.dev.Get("/apps/{app_id}", s.handle(s.getApp))
	m.dev.Patch("/apps/{app_id}", s.handle(s.patchApp))
}

// maxAppNameLen is the longest app name, in characters.
const maxAppNameLen = 20

// appTypes are the kinds of app (DOMAIN.md 3.1); an app's services are chosen from
// the same list.
var appTypes = []string{"ivr", "voice_notification", "voice_code", "click_to_call",
	"conference"}

// The app states.
const (
	appTest      = "test"
	appReviewing = "reviewing"
	appLive      = "live"
	appRejected  = "rejected"
	appOffline   = "offline"
)

// appStates lists every app state, for validating filters. "suspended" is set by
// the IVR rent arrears workflow when a month's rent stays unpaid (internal/billing).
var appStates = []string{appTest, appReviewing, appLive, appRejected, appOffline, "suspended"}

// appJSON is an app as the API shows it.
type appJSON struct {
	AppID        string     `json:"app_id"`
	Name         string     `json:"name"`
	Type         string     `json:"type"`
	Status       string     `json:"status"`
	StatusReason string     `json:"status_reason,omitempty"`
	CallbackURL  string     `json:"callback_url"`
	CallAuth     bool       `json:"call_auth"`
	Whitelist    string     `json:"whitelist"`
	Services     []string   `json:"services"`
	LiveSince    *time.Time `json:"live_since,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
}

func toAppJSON(a db.App) appJSON {
	return appJSON{AppID: a.ID, Name: a.Name, Type: a.Type, Status: a.Status,
		StatusReason: a.StatusReason, CallbackURL: a.CallbackUrl, CallAuth: a.CallAuth,
		Whitelist: a.Whitelist, Services: a.Services, LiveSince: a.LiveSince,
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

type createAppRequest struct {
	Name        string   `json:"name"`
	Type        string   `json:"type"`
	CallbackURL string   `json:"callback_url"`
	CallAuth    bool     `json:"call_auth"`
	Whitelist   string   `json:"whitelist"`
	Services    []string `json:"services"`
}

type createAppResponse struct {
	appJSON
	AppToken string `json:"app_token"`
}

func (s *Server) createApp(w http.ResponseWriter, r *http.Request) error {
	var req createAppRequest
	body, err := decodeKeeping(r, &req)
	if err != nil {
		return err
	}
	var v apperr.Validation
	name := checkAppName(&v, req.Name)
	if !slices.Contains(appTypes, req.Type) {
		v.Add("type", "must be one of "+strings.Join(appTypes, ", "))
	}
	callback := checkCallbackURL(&v, req.CallbackURL)
	whitelist := checkWhitelist(&v, req.Whitelist)
	services := checkServices(&v, req.Services, req.Type)
	if req.CallAuth && callback == "" {
		v.Add("call_auth", "needs a callback_url, which the platform asks before each call")
	}
	if err := v.Err(); err != nil {
		return err
	}

	// The answer shows the app token once; a replay under the same Idempotency-Key
	// shows it again, so the stored answer is sealed.
	var app db.App
	ran, err := s.idempotentSum(w, r, idemRequest{Sum: jsonSum(body), Seal: true},
		func(q *db.Queries, _ pgxTx) (int, any, error) {
			token := ids.Token()
			var err error
			app, err = q.CreateApp(r.Context(), db.CreateAppParams{
				ID: ids.New(), AccountSid: caller(r.Context()).SID, Name: name, Type: req.Type,
				CallbackUrl: callback, CallAuth: req.CallAuth, Whitelist: whitelist,
				Services: services, AppTokenHash: ids.Hash(token),
			})
			if err != nil {
				return 0, nil, appNameTaken(err)
			}
			return http.StatusCreated, createAppResponse{toAppJSON(app), token}, nil
		})
	if err != nil {
		return err
	}
	if ran {
		logger(r.Context(), s.log).Info("app created", "app_id", app.ID, "type", app.Type)
	}
	return nil
}

// appNameTaken turns the violation of the unique name index into a conflict.
func appNameTaken(err error) error {
	if _, dup := db.IsUniqueViolation(err); dup {
		return &apperr.Error{Code: apperr.Conflict,
			Message: "name: another app of this account already has this name",
			Fields: []apperr.FieldError{{Field: "name",
				Reason: "another app of this account already has this name"}}}
	}
	return err
}

func checkAppName(v *apperr.Validation, s string) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		v.Add("name", "is required")
	case n > maxAppNameLen:
		v.Addf("name", "must be at most %d characters (it has %d)", maxAppNameLen, n)
	case !utf8.ValidString(s) || strings.ContainsFunc(s, isControl):
		v.Add("name", "must not contain control or invisible formatting characters")
	}
	return s
}

// checkCallbackURL returns the canonical callback URL, or "" when none is given.
func checkCallbackURL(v *apperr.Validation, s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	u, err := netguard.ParseCallbackURL(s)
	if err != nil {
		var ue *netguard.URLError
		if errors.As(err, &ue) {
			v.Add("callback_url", ue.Reason)
		} else {
			v.Add("callback_url", "is not a valid http or https URL")
		}
		return ""
	}
	return u.String()
}

// checkWhitelist returns the whitelist in canonical form.
func checkWhitelist(v *apperr.Validation, s string) string {
	entries, err := netguard.ParseWhitelist(s)
	if err != nil {
		v.Add("whitelist", err.Error())
		return ""
	}
	return netguard.FormatWhitelist(entries)
}

// checkServices returns the services without duplicates; none given means the
// app's own type.
func checkServices(v *apperr.Validation, in []string, appType string) []string {
	if len(in) == 0 {
		if appType == "" {
			return []string{}
		}
		return []string{appType}
	}
	out := []string{}
	for _, svc := range in {
		if !slices.Contains(appTypes, svc) {
			v.Add("services", "each must be one of "+strings.Join(appTypes, ", "))
			return nil
		}
		if !slices.Contains(out, svc) {
			out = append(out, svc)
		}
	}
	return out
}

func (s *Server) listApps(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	p := db.ListAppsByAccountParams{AccountSid: caller(r.Context()).SID,
		MaxRows: page.Limit + 1, BeforeTime: page.afterTime(), BeforeID: page.afterID()}
	q := r.URL.Query()
	if st := q.Get("status"); st != "" {
		if !slices.Contains(appStates, st) {
			return apperr.Field("status", "must be one of "+strings.Join(appStates, ", "))
		}
		p.Status = &st
	}
	if t := q.Get("type"); t != "" {
		if !slices.Contains(appTypes, t) {
			return apperr.Field("type", "must be one of "+strings.Join(appTypes, ", "))
		}
		p.Type = &t
	}
	rows, err := s.store.ListAppsByAccount(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(a db.App) (time.Time, string) { return a.CreatedAt, a.ID }, toAppJSON))
	return nil
}

// callerApp reads the app of the {app_id} path parameter, if it belongs to the
// caller's account.
func (s *Server) callerApp(r *http.Request) (db.App, error) {
	id := chi.URLParam(r, "app_id")
	if !ids.Valid(id) {
		return db.App{}, apperr.New(apperr.NotFound, "app not found")
	}
	app, err := s.store.GetAppForAccount(r.Context(), db.GetAppForAccountParams{
		ID: id, AccountSid: caller(r.Context()).SID,
	})
	return app, db.NotFound(err, "app")
}

func (s *Server) getApp(w http.ResponseWriter, r *http.Request) error {
	app, err := s.callerApp(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toAppJSON(app))
	return nil
}

type patchAppRequest struct {
	Name        *string   `json:"name"`
	CallbackURL *string   `json:"callback_url"`
	CallAuth    *bool     `json:"call_auth"`
	Whitelist   *string   `json:"whitelist"`
	Services    *[]string `json:"services"`
}

func (s *Server) patchApp(w http.ResponseWriter, r *http.Request) error {
	app, err := s.callerApp(r)
	if err != nil {
		return err
	}
	var req patchAppRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	var v apperr.Validation
	p := db.UpdateAppParams{ID: app.ID, AccountSid: app.AccountSid}
	if req.Name != nil {
		name := checkAppName(&v, *req.Name)
		p.Name = &name
	}
	callback := app.CallbackUrl
	if req.CallbackURL != nil {
		callback = checkCallbackURL(&v, *req.CallbackURL)
		p.CallbackUrl = &callback
	}
	callAuth := app.CallAuth
	if req.CallAuth != nil {
		callAuth = *req.CallAuth
		p.CallAuth = req.CallAuth
	}
	if req.Whitelist != nil {
		wl := checkWhitelist(&v, *req.Whitelist)
		p.Whitelist = &wl
	}
	if req.Services != nil {
		p.Services = checkServices(&v, *req.Services, app.Type)
	}
	if callAuth && callback == "" && !v.Has("callback_url") {
		v.Add("call_auth", "needs a callback_url, which the platform asks before each call")
	}
	if app.Status == appLive && callback == "" && !v.Has("callback_url") {
		v.Add("callback_url", "a live app must keep its callback URL")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if app.Status == appReviewing {
		return apperr.New(apperr.Conflict,
			"the app is being reviewed for go-live; withdraw the request to change it")
	}

	updated, err := s.store.UpdateApp(r.Context(), p)
	if err != nil {
		return db.NotFound(appNameTaken(err), "app")
	}
	writeJSON(w, http.StatusOK, toAppJSON(updated))
	return nil
}

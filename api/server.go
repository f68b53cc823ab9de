package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"go.temporal.io/sdk/client"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/storage"
	"github.com/yiyun-console/console/internal/wfstart"
)

// Server is the console's HTTP API.
type Server struct {
	cfg      config.Config
	store    *db.Store
	temporal client.Client
	starter  *wfstart.Starter
	log      *slog.Logger
	deps     Deps
	now      func() time.Time
}

// Deps are the outside-world implementations and services the API calls beyond
// Postgres and Temporal. Zero fields get their defaults in New.
type Deps struct {
	// StartInline, when false, leaves accepted workflow starts to the worker's
	// relay; tests use it to prove that an accepted request survives a crash
	// between the commit and the start.
	SkipInlineStart bool
	// Storage keeps uploaded files (IVR prompts, verification images).
	Storage storage.Storage
}

// New returns a Server.
func New(cfg config.Config, store *db.Store, tc client.Client, log *slog.Logger,
	deps Deps) *Server {
	return &Server{
		cfg:      cfg,
		store:    store,
		temporal: tc,
		starter:  &wfstart.Starter{Store: store, Temporal: tc, Log: log},
		log:      log,
		deps:     deps,
		now:      time.Now,
	}
}

// mounts are the routers a feature adds its routes to, one for each kind of caller.
type mounts struct {
	public   chi.Router // anyone; the handler checks its own credential, if any
	platform chi.Router // the telephony platform
	user     chi.Router // any signed-in account, developer or staff
	dev      chi.Router // developers, on their own account's data
	review   chi.Router // reviewers and operators
	ops      chi.Router // operators
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	r := chi.NewRouter()
	// HEAD is answered as GET without the body, as HTTP wants of every GET route.
	r.Use(s.requestID, s.recoverer, s.accessLog, s.checkQuery, middleware.GetHead)
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errNoRoute
	}))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return errNoMethod
	}))

	r.Get("/healthz", s.handle(s.healthz))
	r.Get("/readyz", s.handle(s.readyz))
	r.Get("/openapi.yaml", s.handle(s.openAPI))
	r.Get("/docs", s.handle(s.docs))

	r.Route("/v1", func(v1 chi.Router) {
		m := mounts{public: v1}
		v1.Group(func(p chi.Router) {
			p.Use(s.platformAuth)
			m.platform = p
		})
		v1.Group(func(u chi.Router) {
			u.Use(s.authenticate)
			m.user = u
			u.Group(func(d chi.Router) {
				d.Use(requireRole(roleDeveloper))
				m.dev = d
			})
			u.Route("/review", func(rv chi.Router) {
				rv.Use(requireRole(roleReviewer, roleOperator))
				m.review = rv
			})
			u.Route("/ops", func(o chi.Router) {
				o.Use(requireRole(roleOperator))
				m.ops = o
			})
		})
		for _, mount := range s.features() {
			mount(m)
		}
	})
	return r
}

// kick tries to start the workflows that a committed request enqueued. A failure is
// only logged: the worker's relay starts whatever is still pending.
func (s *Server) kick(ctx context.Context, workflowIDs ...string) {
	if s.deps.SkipInlineStart {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, id := range workflowIDs {
		if err := s.starter.Start(ctx, id); err != nil {
			logger(ctx, s.log).Warn("inline workflow start failed; the relay will retry",
				"workflow_id", id, "err", err)
		}
	}
}

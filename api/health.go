package api

import (
	"context"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/yiyun-console/console/internal/apperr"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

type readyResponse struct {
	Status   string `json:"status"`
	Postgres string `json:"postgres"`
	Temporal string `json:"temporal"`
}

// readyz answers 200 when Postgres and Temporal both answer within two seconds.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	resp := readyResponse{Status: "ok", Postgres: "ok", Temporal: "ok"}
	if err := s.store.Pool.Ping(ctx); err != nil {
		resp.Status, resp.Postgres = "unavailable", "unreachable"
	}
	if _, err := s.temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		resp.Status, resp.Temporal = "unavailable", "unreachable"
	}
	if resp.Status != "ok" {
		return &apperr.Error{Code: apperr.Unavailable,
			Message: "postgres: " + resp.Postgres + ", temporal: " + resp.Temporal}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

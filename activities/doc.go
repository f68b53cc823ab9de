// Package activities holds the side effects of the console's workflows. Every
// activity is idempotent: a retry after a crash changes nothing twice, because each
// write is keyed by the business object and the step.
package activities

import (
	"log/slog"
	"net/http"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/carrier"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/sms"
)

// Activities holds the dependencies of every activity.
type Activities struct {
	Store    *db.Store
	Temporal client.Client
	Config   config.Config
	Log      *slog.Logger
	Outside  Outside
}

// Outside holds the implementations of the outside world: payment channel, carrier
// and SMS. Each has a default that works on one machine.
type Outside struct {
	// Carrier provisions inbound numbers.
	Carrier carrier.Carrier
	// SMS sends test-number codes.
	SMS sms.Sender
	// Callbacks, when set, replaces the guarded client that probes callback URLs.
	Callbacks *http.Client
}

// Register registers every activity method of a on w.
func Register(w worker.Registry, a *Activities) {
	w.RegisterActivity(a)
}

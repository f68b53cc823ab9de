// Package workflows holds the console's long-running processes as Temporal
// workflows: one file per process, each with its workflow ID helper built from the
// business key, its input and result types, and the workflow function. Workflows
// hold no I/O; they call the activities of package activities.
package workflows

import (
	"go.temporal.io/sdk/worker"
)

// Register registers every workflow on w.
func Register(w worker.Registry) {
	for _, fn := range all {
		w.RegisterWorkflow(fn)
	}
}

// all lists the workflow functions; each process's file adds its own in an init
// function.
var all []any

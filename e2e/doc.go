// Package e2e runs the whole console as its separate processes (the API and the
// worker, built from cmd/console) over a private Postgres and Temporal, and drives it
// over HTTP as any client would: the guided journey, and the crash test that kills
// the worker and restarts Postgres while journeys run.
package e2e

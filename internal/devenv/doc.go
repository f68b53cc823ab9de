// Package devenv starts, on one machine, the two services the console needs
// when the operator gave none: a private PostgreSQL cluster and a Temporal dev
// server.
//
// It serves `console dev`, which keeps both running for as long as it runs,
// and the test runner, which starts both once, runs the tests against them
// and stops them. Both listen on 127.0.0.1 only.
//
// The servers are child processes. On Linux they get a parent-death signal, so
// they stop when the process that started them dies, even by SIGKILL. When that
// fails (a different OS, or a signal that came too late), the next start finds
// the orphan through the pid file the server left behind and stops it before
// starting a fresh one: a PostgreSQL cluster is never shared by two
// postmasters and a Temporal server's ports are never held by a ghost.
//
// PostgreSQL refuses to run as root. When this process runs as root, the
// PostgreSQL binaries run as the `postgres` OS user instead, which must exist.
//
// The context given to a Start function bounds the start only; the server
// keeps running until Stop is called or this process exits.
//
// The package builds on Unix systems only; the parent-death signal and the
// inspection of orphans through /proc work on Linux only.
package devenv

package testenv

import (
	"fmt"
	"os"
	"sync"
	"testing"
)

var reportMu sync.Mutex

// Report logs a figure a test measured (a count, a rate) and appends it to the file
// named by $TEST_REPORT, which the test command prints at the end of its run: go
// test shows nothing of a passing package but its name.
func Report(t testing.TB, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	path := os.Getenv("TEST_REPORT")
	if path == "" {
		return
	}
	reportMu.Lock()
	defer reportMu.Unlock()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		t.Logf("writing the test report: %v", err)
		return
	}
	defer f.Close()
	fmt.Fprintf(f, "%s: %s\n", t.Name(), line)
}

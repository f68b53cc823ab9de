//go:build !linux

package devenv

import (
	"errors"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
)

// setDeathSignal does nothing: only Linux has a parent-death signal. Orphans
// are found through pid files on the next start instead.
func setDeathSignal(attr *syscall.SysProcAttr, sig syscall.Signal) {}

// processRunning reports whether pid exists. Without /proc, a zombie cannot
// be told from a live process.
func processRunning(pid int) bool {
	return pidExists(pid)
}

// processArgs returns the command line of pid as ps(1) shows it, split on
// spaces.
func processArgs(pid int) ([]string, error) {
	out, err := exec.Command("ps", "-o", "command=", "-p", strconv.Itoa(pid)).Output()
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// processDir is not supported without /proc.
func processDir(pid int) (string, error) {
	return "", errors.ErrUnsupported
}

// processesIn is not supported without /proc.
func processesIn(dir string) ([]int, error) {
	return nil, errors.ErrUnsupported
}

package devenv

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
)

// osUser is the OS account the PostgreSQL binaries run as when this process
// runs as root. A nil *osUser means "as this process".
type osUser struct {
	name   string
	uid    int
	gid    int
	groups []int
}

// postgresRunAs returns the account to run the PostgreSQL binaries as: the
// `postgres` user when this process is root, which initdb and postgres refuse
// to be, and nil (this process's user) otherwise.
func postgresRunAs() (*osUser, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}

	const name = "postgres"
	u, err := user.Lookup(name)
	if err != nil {
		return nil, fmt.Errorf("looking up the %q OS user, needed to run PostgreSQL as root: %w",
			name, err)
	}
	runAs := &osUser{name: name}
	if runAs.uid, err = strconv.Atoi(u.Uid); err != nil {
		return nil, fmt.Errorf("parsing uid of %q: %w", name, err)
	}
	if runAs.gid, err = strconv.Atoi(u.Gid); err != nil {
		return nil, fmt.Errorf("parsing gid of %q: %w", name, err)
	}
	gids, err := u.GroupIds()
	if err != nil {
		return nil, fmt.Errorf("listing groups of %q: %w", name, err)
	}
	for _, g := range gids {
		if gid, err := strconv.Atoi(g); err == nil {
			runAs.groups = append(runAs.groups, gid)
		}
	}
	return runAs, nil
}

// credential returns the credential to start a process as u with, or nil
// for this process's own.
func (u *osUser) credential() *syscall.Credential {
	if u == nil {
		return nil
	}
	groups := make([]uint32, len(u.groups))
	for i, g := range u.groups {
		groups[i] = uint32(g)
	}
	return &syscall.Credential{Uid: uint32(u.uid), Gid: uint32(u.gid), Groups: groups}
}

// chown gives path to u; it does nothing when u is nil.
func (u *osUser) chown(path string) error {
	if u == nil {
		return nil
	}
	if err := os.Lchown(path, u.uid, u.gid); err != nil {
		return fmt.Errorf("giving %s to the %s user: %w", path, u.name, err)
	}
	return nil
}

// blockedAt returns the first directory on the way from / down to dir (an
// absolute path whose directories all exist) that u may not enter, or ""
// when u can reach dir. It reads the mode bits only, not ACLs.
func (u *osUser) blockedAt(dir string) (string, error) {
	if u == nil {
		return "", nil
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", dir, err)
	}

	var chain []string
	for p := real; ; p = filepath.Dir(p) {
		chain = append(chain, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	slices.Reverse(chain)

	for _, p := range chain {
		fi, err := os.Stat(p)
		if err != nil {
			return "", fmt.Errorf("checking access to %s: %w", p, err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return "", errors.New("reading file owners is not supported here")
		}
		perm := fi.Mode().Perm()
		var canEnter bool
		switch {
		case int(st.Uid) == u.uid:
			canEnter = perm&0o100 != 0
		case int(st.Gid) == u.gid || slices.Contains(u.groups, int(st.Gid)):
			canEnter = perm&0o010 != 0
		default:
			canEnter = perm&0o001 != 0
		}
		if !canEnter {
			return p, nil
		}
	}
	return "", nil
}

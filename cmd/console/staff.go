package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/password"
)

// runStaffCreate creates a reviewer or operator. The password comes from
// $STAFF_PASSWORD or the first line of standard input, never from a flag, so that
// it does not show in the process list.
func runStaffCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := flag.NewFlagSet("staff create", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Bind(fs, nil)
	email := fs.String("email", "", "the staff member's email, used to log in")
	role := fs.String("role", "", "reviewer or operator")
	name := fs.String("name", "", "display name (default: the role)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" || (*role != "reviewer" && *role != "operator") {
		return errors.New("usage: console staff create -email E -role reviewer|operator " +
			"[-name N]; the password is read from $STAFF_PASSWORD or standard input")
	}
	return staffCreate(ctx, cfg.DatabaseURL, *email, *role, *name, stdout)
}

func staffCreate(ctx context.Context, url, email, role, name string, stdout io.Writer) error {
	pw := os.Getenv("STAFF_PASSWORD")
	if pw == "" {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password: set STAFF_PASSWORD or pipe it on standard input")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	sid, err := createStaff(ctx, url, email, role, name, pw)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (account_sid %s)\n", role, email, sid)
	return nil
}

// createStaff stores a staff account and returns its account SID.
func createStaff(ctx context.Context, url, email, role, name, pw string) (string, error) {
	if len([]rune(pw)) < 10 {
		return "", errors.New("the password must be at least 10 characters")
	}
	if name == "" {
		name = role
	}
	if url == "" {
		return "", errors.New("DATABASE_URL is not set")
	}
	pool, err := openPool(ctx, url)
	if err != nil {
		return "", err
	}
	defer pool.Close()
	acct, err := db.New(pool).CreateAccount(ctx, db.CreateAccountParams{
		Sid: ids.New(), Role: role, Email: email, PasswordHash: password.Hash(pw),
		ContactName: name,
	})
	if _, dup := db.IsUniqueViolation(err); dup {
		return "", fmt.Errorf("an account with email %s exists", email)
	}
	if err != nil {
		return "", err
	}
	return acct.Sid, nil
}

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/password"
)

// runStaffCreate creates a reviewer or operator. The password comes from
// $STAFF_PASSWORD or the first line of standard input, never from a flag, so that
// it does not show in the process list.
func runStaffCreate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, fs, err := loadConfig("staff create", args, stderr)
	_ = cfg
	if err != nil {
		return err
	}
	return staffCreate(ctx, fs.Args(), stdout, stderr, cfg.DatabaseURL)
}

func staffCreate(ctx context.Context, args []string, stdout, stderr io.Writer, url string) error {
	var email, role, name string
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "-email", "--email":
			email = args[i+1]
		case "-role", "--role":
			role = args[i+1]
		case "-name", "--name":
			name = args[i+1]
		default:
			return fmt.Errorf("unknown flag %s", args[i])
		}
	}
	if email == "" || (role != "reviewer" && role != "operator") {
		return errors.New("usage: console staff create -email E -role reviewer|operator " +
			"[-name N]; the password is read from $STAFF_PASSWORD or standard input")
	}
	pw := os.Getenv("STAFF_PASSWORD")
	if pw == "" {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return errors.New("no password: set STAFF_PASSWORD or pipe it on standard input")
		}
		pw = strings.TrimRight(line, "\r\n")
	}
	if len([]rune(pw)) < 10 {
		return errors.New("the password must be at least 10 characters")
	}
	if name == "" {
		name = role
	}
	if url == "" {
		return errors.New("DATABASE_URL is not set")
	}
	pool, err := openPool(ctx, url)
	if err != nil {
		return err
	}
	defer pool.Close()
	acct, err := db.New(pool).CreateAccount(ctx, db.CreateAccountParams{
		Sid: ids.New(), Role: role, Email: email, PasswordHash: password.Hash(pw),
		ContactName: name,
	})
	if _, dup := db.IsUniqueViolation(err); dup {
		return fmt.Errorf("an account with email %s exists", email)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s %s (account_sid %s)\n", role, email, acct.Sid)
	return nil
}

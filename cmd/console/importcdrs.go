package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/cdrcsv"
	"github.com/yiyun-console/console/internal/cdrs"
	"github.com/yiyun-console/console/internal/config"
	"github.com/yiyun-console/console/internal/ids"
)

// mapFlags collects repeated -map code=APPID flags.
type mapFlags map[string]string

func (m mapFlags) String() string { return fmt.Sprint(map[string]string(m)) }

func (m mapFlags) Set(s string) error {
	code, app, ok := strings.Cut(s, "=")
	if !ok || code == "" || !ids.Valid(app) {
		return errors.New("want CODE=APPID, APPID being a 32-character app ID")
	}
	m[code] = app
	return nil
}

// runImportCDRs imports an Asterisk cdr-csv or FreeSWITCH mod_cdr_csv file: each
// leg is stored once, rated and charged like the records the platform posts, and
// each bad line is reported on stderr with its number and skipped.
//
// Switches write times without a zone. -tz names the zone they were written in; it
// defaults to UTC, the usual clock of a switch's server and that of the reference
// Asterisk file. A switch that keeps Beijing time needs -tz Asia/Shanghai.
func runImportCDRs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg := config.Default()
	fs := flag.NewFlagSet("import-cdrs", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Bind(fs, nil)
	format := fs.String("format", "asterisk", "file format: asterisk or freeswitch")
	tz := fs.String("tz", "UTC", "time zone the switch wrote its times in")
	all := fs.String("app", "", "app ID of every line that -map does not map")
	codes := mapFlags{}
	fs.Var(codes, "map", "CODE=APPID: lines with this account code or context belong to "+
		"the app (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: console import-cdrs [-format asterisk|freeswitch] "+
			"[-tz ZONE] (-app APPID | -map CODE=APPID ...) FILE")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 || (*all == "" && len(codes) == 0) {
		fs.Usage()
		return errors.New("give one file and -app or -map")
	}
	if *all != "" && !ids.Valid(*all) {
		return errors.New("-app must be a 32-character app ID")
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		return fmt.Errorf("-tz: %w", err)
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	var rd *cdrcsv.Reader
	switch *format {
	case "asterisk":
		rd = cdrcsv.NewAsteriskReader(f, loc)
	case "freeswitch":
		rd = cdrcsv.NewFreeSwitchReader(f, loc)
	default:
		return errors.New("-format must be asterisk or freeswitch")
	}

	if cfg.DatabaseURL == "" {
		return errors.New("DATABASE_URL is not set")
	}
	pool, err := openPool(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	report := func(line int, reason string) {
		fmt.Fprintf(stderr, "%s:%d: skipped: %s\n", fs.Arg(0), line, reason)
	}
	c, err := cdrs.Import(ctx, db.NewStore(pool), rd, *format,
		cdrs.Mapping{All: *all, Codes: codes}, report)
	fmt.Fprintf(stdout, "read %d lines: %d stored, %d duplicate, %d bad; charged %s CNY\n",
		c.Read, c.Stored, c.Duplicate, c.Bad, c.Charged)
	return err
}

package cdrcsv

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// timeLayout is how both switches write times; fractions of a second, if
// any, are accepted by time.ParseInLocation without being named here.
const timeLayout = "2006-01-02 15:04:05"

// beijing is Asia/Shanghai from the system's zone database or, where there is
// none, the fixed +08:00 that the zone has kept since 1991.
var beijing = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*60*60)
})

// orBeijing returns loc, or Asia/Shanghai when loc is nil.
func orBeijing(loc *time.Location) *time.Location {
	if loc == nil {
		return beijing()
	}
	return loc
}

// legTimes are the parsed start, answer and end of a leg.
type legTimes struct {
	start, end time.Time
	answer     *time.Time
}

// parseLegTimes parses the three times of a leg; answer may be empty. It
// checks that they come in order: start, then answer, then end.
func parseLegTimes(start, answer, end string, loc *time.Location) (legTimes, error) {
	var t legTimes
	var err error
	if t.start, err = parseTime("start", start, loc); err != nil {
		return legTimes{}, err
	}
	if t.end, err = parseTime("end", end, loc); err != nil {
		return legTimes{}, err
	}
	if answer != "" {
		a, err := parseTime("answer", answer, loc)
		if err != nil {
			return legTimes{}, err
		}
		t.answer = &a
	}

	switch {
	case t.end.Before(t.start):
		return legTimes{}, errors.New("end time is before start time")
	case t.answer != nil && t.answer.Before(t.start):
		return legTimes{}, errors.New("answer time is before start time")
	case t.answer != nil && t.answer.After(t.end):
		return legTimes{}, errors.New("answer time is after end time")
	}
	return t, nil
}

// parseTime parses a required time column.
func parseTime(name, s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, fmt.Errorf("%s time is empty", name)
	}
	t, err := time.ParseInLocation(timeLayout, s, loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s time %q is not YYYY-MM-DD HH:MM:SS", name, s)
	}
	return t, nil
}

// parseDurations parses duration and billsec, which must be whole seconds,
// billsec no more than duration, and billsec zero when there was no answer.
func parseDurations(duration, billsec string, answered bool) (int, int, error) {
	d, err := parseSeconds("duration", duration)
	if err != nil {
		return 0, 0, err
	}
	b, err := parseSeconds("billsec", billsec)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case b > d:
		return 0, 0, fmt.Errorf("billsec %d is more than duration %d", b, d)
	case b > 0 && !answered:
		return 0, 0, fmt.Errorf("billsec %d without an answer time", b)
	}
	return d, b, nil
}

// maxSeconds is the most seconds a leg may last: 48 hours, the longest call the
// console accepts.
const maxSeconds = 48 * 60 * 60

// parseSeconds parses a non-negative count of seconds of at most maxSeconds.
func parseSeconds(name, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strings.HasPrefix(s, "+") {
		return 0, fmt.Errorf("%s %q is not a number of seconds", name, s)
	}
	if n > maxSeconds {
		return 0, fmt.Errorf("%s %d is more than 48 hours", name, n)
	}
	return n, nil
}

// column is a named value, for checkRequired.
type column struct{ name, value string }

// checkRequired returns an error naming the first column that is empty.
func checkRequired(columns ...column) error {
	for _, c := range columns {
		if strings.TrimSpace(c.value) == "" {
			return fmt.Errorf("%s is empty", c.name)
		}
	}
	return nil
}

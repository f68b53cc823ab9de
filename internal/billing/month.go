package billing

import (
	"fmt"
	"time"

	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ledger"
)

// ParseMonth reads a Beijing month such as "2026-11" and returns its first instant.
// It returns an apperr validation error naming field otherwise.
func ParseMonth(field, s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, ledger.Beijing)
	if err != nil || t.Format("2006-01") != s {
		return time.Time{}, apperr.Field(field, "must be a month such as 2026-11")
	}
	return t, nil
}

// MonthBounds returns the first instant of a Beijing month and of the month after.
func MonthBounds(month string) (time.Time, time.Time, error) {
	start, err := ParseMonth("month", month)
	if err != nil {
		return time.Time{}, time.Time{}, fmt.Errorf("month %q: %w", month, err)
	}
	return start, start.AddDate(0, 1, 0), nil
}

// PreviousMonth returns the Beijing month before month.
func PreviousMonth(month string) (string, error) {
	start, _, err := MonthBounds(month)
	if err != nil {
		return "", err
	}
	return ledger.Month(start.AddDate(0, 0, -1)), nil
}

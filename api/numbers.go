package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/phone"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountNumbers)
}

func (s *Server) mountNumbers(m mounts) {
	m.ops.Post("/numbers", s.handle(s.importNumbers))
	m.ops.Get("/numbers", s.handle(s.listPoolNumbers))
	m.dev.Get("/numbers", s.handle(s.listMyNumbers))
}

// maxImport bounds the numbers of one import.
const maxImport = 1000

// numberJSON is an inbound number of the pool.
type numberJSON struct {
	ID           string     `json:"id"`
	Number       string     `json:"number"`
	Display      string     `json:"display"`
	Kind         string     `json:"kind"`
	Region       string     `json:"region"`
	Status       string     `json:"status"`
	AppID        string     `json:"app_id,omitempty"`
	BoundAt      *time.Time `json:"bound_at,omitempty"`
	CoolingUntil *time.Time `json:"cooling_until,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

func toNumberJSON(n db.InboundNumber) numberJSON {
	display := n.Number
	if p, err := phone.ParseNumber(n.Number); err == nil {
		display = p.String()
	}
	return numberJSON{ID: n.ID, Number: n.Number, Display: display, Kind: n.Kind,
		Region: n.Region, Status: n.Status, AppID: n.AppID, BoundAt: n.BoundAt,
		CoolingUntil: n.CoolingUntil, CreatedAt: n.CreatedAt}
}

type importItem struct {
	Number string `json:"number"`
	Region string `json:"region"`
}

type importRequest struct {
	Numbers []importItem `json:"numbers"`
}

type importResponse struct {
	Imported []numberJSON `json:"imported"`
	Existing []string     `json:"existing"`
}

// importNumbers adds numbers to the pool, all or none: a bad number refuses the
// whole import, naming it by its index. Numbers already in the pool are listed as
// existing and left as they are.
func (s *Server) importNumbers(w http.ResponseWriter, r *http.Request) error {
	var req importRequest
	body, err := decodeKeeping(r, &req)
	if err != nil {
		return err
	}
	if len(req.Numbers) == 0 || len(req.Numbers) > maxImport {
		return apperr.Field("numbers", fmt.Sprintf("must hold 1 to %d numbers", maxImport))
	}
	var v apperr.Validation
	parsed := make([]phone.Number, len(req.Numbers))
	regions := make([]string, len(req.Numbers))
	for i, item := range req.Numbers {
		field := fmt.Sprintf("numbers[%d]", i)
		n, err := phone.ParseNumber(item.Number)
		if err != nil {
			var pe *phone.Error
			reason := "is not a number"
			if errors.As(err, &pe) {
				reason = pe.Error()
			}
			v.Add(field+".number", "must be a landline with its area code, a 400 or 95 "+
				"number, or a mobile number ("+reason+")")
			continue
		}
		parsed[i] = n
		region := strings.TrimSpace(item.Region)
		if region == "" {
			region = n.Region()
		}
		if utf8.RuneCountInString(region) > 50 || strings.ContainsFunc(region, isControl) ||
			!utf8.ValidString(region) {
			v.Add(field+".region", "must be at most 50 characters without control characters")
		}
		regions[i] = region
	}
	if err := v.Err(); err != nil {
		return err
	}

	var out importResponse
	ran, err := s.idempotent(w, r, body, func(q *db.Queries, _ pgxTx) (int, any, error) {
		out = importResponse{Imported: []numberJSON{}, Existing: []string{}}
		for i, n := range parsed {
			row, err := q.CreateInboundNumber(r.Context(), db.CreateInboundNumberParams{
				ID: ids.New(), Number: n.Digits, Kind: string(n.Kind), Region: regions[i],
			})
			if isNoRows(err) {
				out.Existing = append(out.Existing, n.Digits)
				continue
			}
			if err != nil {
				return 0, nil, err
			}
			out.Imported = append(out.Imported, toNumberJSON(row))
		}
		return http.StatusCreated, out, nil
	})
	if err != nil {
		return err
	}
	if ran {
		logger(r.Context(), s.log).Info("numbers imported", "imported", len(out.Imported),
			"existing", len(out.Existing))
	}
	return nil
}

// The states and kinds of pool numbers, for filters.
var (
	numberStatuses = []string{"free", "reserved", "bound", "cooling"}
	numberKinds    = []string{"landline", "400", "95", "mobile"}
)

func (s *Server) listPoolNumbers(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	p := db.ListInboundNumbersParams{MaxRows: page.Limit + 1, AfterTime: page.afterTime(),
		AfterID: page.afterID()}
	q := r.URL.Query()
	if v := q.Get("status"); v != "" {
		if !slices.Contains(numberStatuses, v) {
			return apperr.Field("status", "must be one of "+strings.Join(numberStatuses, ", "))
		}
		p.Status = &v
	}
	if v := q.Get("kind"); v != "" {
		if !slices.Contains(numberKinds, v) {
			return apperr.Field("kind", "must be one of "+strings.Join(numberKinds, ", "))
		}
		p.Kind = &v
	}
	if v := q.Get("region"); v != "" {
		p.Region = &v
	}
	if v := q.Get("app_id"); v != "" {
		p.AppID = &v
	}
	rows, err := s.store.ListInboundNumbers(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(n db.InboundNumber) (time.Time, string) { return n.CreatedAt, n.ID }, toNumberJSON))
	return nil
}

func (s *Server) listMyNumbers(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListInboundNumbersByAccount(r.Context(),
		db.ListInboundNumbersByAccountParams{AccountSid: caller(r.Context()).SID,
			MaxRows: page.Limit + 1, AfterTime: page.afterTime(), AfterID: page.afterID()})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(n db.InboundNumber) (time.Time, string) { return n.CreatedAt, n.ID }, toNumberJSON))
	return nil
}

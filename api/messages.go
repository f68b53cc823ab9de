package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/messages"
)

func (s *Server) mountMessages(m mounts) {
	m.user.Get("/messages", s.handle(s.listMessages))
	m.user.Get("/messages/unread-count", s.handle(s.unreadCount))
	m.user.Post("/messages/read-all", s.handle(s.readAllMessages))
	m.user.Post("/messages/{id}/read", s.handle(s.readMessage))
	m.ops.Post("/announcements", s.handle(s.postAnnouncement))
}

type messageJSON struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Title     string     `json:"title"`
	Body      string     `json:"body"`
	Reference string     `json:"reference,omitempty"`
	Read      bool       `json:"read"`
	ReadAt    *time.Time `json:"read_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func toMessageJSON(m db.Message) messageJSON {
	return messageJSON{ID: m.ID, Type: m.Type, Title: m.Title, Body: m.Body,
		Reference: m.Reference, Read: m.ReadAt != nil, ReadAt: m.ReadAt, CreatedAt: m.CreatedAt}
}

func (s *Server) listMessages(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	p := db.ListMessagesParams{
		AccountSid: caller(r.Context()).SID,
		MaxRows:    page.Limit + 1,
		BeforeTime: page.afterTime(),
		BeforeID:   page.afterID(),
	}
	q := r.URL.Query()
	if t := q.Get("type"); t != "" {
		if !slices.Contains(messages.Types, messages.Type(t)) {
			return apperr.Field("type", "must be one of "+joinTypes())
		}
		p.Type = &t
	}
	if v := q.Get("read"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return apperr.Field("read", "must be true or false")
		}
		unread := !b
		p.Unread = &unread
	}
	rows, err := s.store.ListMessages(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(m db.Message) (time.Time, string) { return m.CreatedAt, m.ID }, toMessageJSON))
	return nil
}

func joinTypes() string {
	names := make([]string, len(messages.Types))
	for i, t := range messages.Types {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

func (s *Server) unreadCount(w http.ResponseWriter, r *http.Request) error {
	n, err := s.store.CountUnreadMessages(r.Context(), caller(r.Context()).SID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"unread": n})
	return nil
}

func (s *Server) readMessage(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "message not found")
	}
	n, err := s.store.MarkMessageRead(r.Context(), db.MarkMessageReadParams{
		AccountSid: caller(r.Context()).SID, ID: id,
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.New(apperr.NotFound, "message not found")
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) readAllMessages(w http.ResponseWriter, r *http.Request) error {
	n, err := s.store.MarkAllMessagesRead(r.Context(), caller(r.Context()).SID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int64{"marked_read": n})
	return nil
}

type announcementRequest struct {
	Title string `json:"title"`
	Body  string `json:"body"`
}

type announcementJSON struct {
	ID         string    `json:"id"`
	Title      string    `json:"title"`
	Body       string    `json:"body"`
	Recipients int64     `json:"recipients"`
	CreatedAt  time.Time `json:"created_at"`
}

// postAnnouncement stores an announcement and copies it to every developer account
// registered by now, in one transaction.
func (s *Server) postAnnouncement(w http.ResponseWriter, r *http.Request) error {
	var req announcementRequest
	body, err := decodeKeeping(r, &req)
	if err != nil {
		return err
	}
	var v apperr.Validation
	req.Title = checkText(&v, "title", req.Title, 100)
	req.Body = checkText(&v, "body", req.Body, 5000)
	if err := v.Err(); err != nil {
		return err
	}
	var out announcementJSON
	ran, err := s.idempotent(w, r, body, func(q *db.Queries, _ pgxTx) (int, any, error) {
		a, err := q.CreateAnnouncement(r.Context(), db.CreateAnnouncementParams{
			ID: ids.New(), Title: req.Title, Body: req.Body, CreatedBy: caller(r.Context()).SID,
		})
		if err != nil {
			return 0, nil, err
		}
		n, err := q.FanOutAnnouncement(r.Context(), db.FanOutAnnouncementParams{
			Title: a.Title, Body: a.Body, AnnouncementID: a.ID, PostedAt: a.CreatedAt,
		})
		out = announcementJSON{ID: a.ID, Title: a.Title, Body: a.Body, Recipients: n,
			CreatedAt: a.CreatedAt}
		return http.StatusCreated, out, err
	})
	if err != nil {
		return err
	}
	if ran {
		logger(r.Context(), s.log).Info("announcement posted", "announcement_id", out.ID,
			"recipients", out.Recipients)
	}
	return nil
}

// checkText trims s and checks that it has 1 to max characters and no control
// characters but line breaks and tabs.
func checkText(v *apperr.Validation, field, s string, max int) string {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	switch {
	case n == 0:
		v.Add(field, "is required")
	case n > max:
		v.Addf(field, "must be at most %d characters", max)
	case !utf8.ValidString(s):
		v.Add(field, "must be valid UTF-8")
	case strings.ContainsFunc(s, isControlButSpacing):
		v.Add(field, "must not contain control or invisible formatting characters")
	}
	return s
}

// isControlButSpacing reports control characters other than line breaks and tabs.
func isControlButSpacing(r rune) bool {
	return isControl(r) && r != '\n' && r != '\t' && r != '\r'
}

package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/messages"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountTickets)
}

func (s *Server) mountTickets(m mounts) {
	m.dev.Post("/tickets", s.handle(s.createTicket))
	m.dev.Get("/tickets", s.handle(s.listMyTickets))
	m.dev.Get("/tickets/{id}", s.handle(s.getMyTicket))
	m.dev.Post("/tickets/{id}/replies", s.handle(s.replyToMyTicket))
	m.dev.Post("/tickets/{id}/close", s.handle(s.closeTicket))
	m.ops.Get("/tickets", s.handle(s.listAllTickets))
	m.ops.Get("/tickets/{id}", s.handle(s.getAnyTicket))
	m.ops.Post("/tickets/{id}/replies", s.handle(s.staffReply))
}

// ticketCategories are what a ticket may be about.
var ticketCategories = []string{"billing", "technical", "account", "numbers", "suggestion",
	"other"}

// ticketStatuses are the states of a ticket: open waits for staff, answered waits
// for the developer.
var ticketStatuses = []string{"open", "answered", "closed"}

type ticketReplyJSON struct {
	ID        string    `json:"id"`
	FromStaff bool      `json:"from_staff"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

type ticketJSON struct {
	ID             string     `json:"id"`
	AccountSID     string     `json:"account_sid"`
	Category       string     `json:"category"`
	Title          string     `json:"title"`
	Content        string     `json:"content"`
	Contact        string     `json:"contact,omitempty"`
	Status         string     `json:"status"`
	Rating         *int32     `json:"rating,omitempty"`
	ClosedBy       string     `json:"closed_by,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	LastActivityAt time.Time  `json:"last_activity_at"`
	CreatedAt      time.Time  `json:"created_at"`
}

// ticketThreadJSON is a ticket with its replies, oldest first.
type ticketThreadJSON struct {
	ticketJSON
	Replies []ticketReplyJSON `json:"replies"`
}

func toTicketJSON(t db.Ticket) ticketJSON {
	return ticketJSON{ID: t.ID, AccountSID: t.AccountSid, Category: t.Category,
		Title: t.Title, Content: t.Content, Contact: t.Contact, Status: t.Status,
		Rating: t.Rating, ClosedBy: t.ClosedBy, ClosedAt: t.ClosedAt,
		LastActivityAt: t.LastActivityAt, CreatedAt: t.CreatedAt}
}

type ticketRequest struct {
	Category string `json:"category"`
	Title    string `json:"title"`
	Content  string `json:"content"`
	Contact  string `json:"contact"`
}

// createTicket opens a ticket and, in the same transaction, its auto-close process.
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	var req ticketRequest
	raw, err := decodeKeeping(r, &req)
	if err != nil {
		return err
	}
	var v apperr.Validation
	if !slices.Contains(ticketCategories, req.Category) {
		v.Add("category", "must be one of "+strings.Join(ticketCategories, ", "))
	}
	req.Title = checkText(&v, "title", req.Title, 100)
	req.Content = checkText(&v, "content", req.Content, 5000)
	if req.Contact = strings.TrimSpace(req.Contact); req.Contact != "" {
		req.Contact = checkText(&v, "contact", req.Contact, 100)
	}
	if err := v.Err(); err != nil {
		return err
	}
	sid := caller(r.Context()).SID
	id := ids.New()
	wfID := workflows.TicketAutoCloseID(id)
	ran, err := s.idempotent(w, r, raw, func(q *db.Queries, _ pgxTx) (int, any, error) {
		t, err := q.CreateTicket(r.Context(), db.CreateTicketParams{ID: id, AccountSid: sid,
			Category: req.Category, Title: req.Title, Content: req.Content,
			Contact: req.Contact})
		if err != nil {
			return 0, nil, err
		}
		err = wfstart.Enqueue(r.Context(), q, wfstart.Request{
			WorkflowID: wfID, WorkflowType: "TicketAutoClose", TaskQueue: s.cfg.TaskQueue,
			Input: workflows.TicketAutoCloseInput{TicketID: id}, AccountSID: sid,
			BizStatus: t.Status, Summary: "auto-close of a " + t.Category + " ticket",
		})
		return http.StatusCreated, toTicketJSON(t), err
	})
	if err != nil {
		return err
	}
	if ran {
		s.kick(r.Context(), wfID)
		logger(r.Context(), s.log).Info("ticket opened", "ticket_id", id)
	}
	return nil
}

// ticketListParams reads the status filter and the page of a ticket list.
func ticketListParams(r *http.Request) (pageParams, *string, error) {
	page, err := readPage(r)
	if err != nil {
		return page, nil, err
	}
	st := r.URL.Query().Get("status")
	if st == "" {
		return page, nil, nil
	}
	if !slices.Contains(ticketStatuses, st) {
		return page, nil, apperr.Field("status", "must be one of "+
			strings.Join(ticketStatuses, ", "))
	}
	return page, &st, nil
}

func ticketKey(t db.Ticket) (time.Time, string) { return t.CreatedAt, t.ID }

func (s *Server) listMyTickets(w http.ResponseWriter, r *http.Request) error {
	page, st, err := ticketListParams(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListTicketsByAccount(r.Context(), db.ListTicketsByAccountParams{
		AccountSid: caller(r.Context()).SID, Status: st, BeforeTime: page.afterTime(),
		BeforeID: page.afterID(), MaxRows: page.Limit + 1})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit, ticketKey, toTicketJSON))
	return nil
}

func (s *Server) listAllTickets(w http.ResponseWriter, r *http.Request) error {
	page, st, err := ticketListParams(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListTickets(r.Context(), db.ListTicketsParams{Status: st,
		BeforeTime: page.afterTime(), BeforeID: page.afterID(), MaxRows: page.Limit + 1})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit, ticketKey, toTicketJSON))
	return nil
}

// myTicket reads the caller's ticket named in the path; another's is not found.
func (s *Server) myTicket(r *http.Request, q *db.Queries) (db.Ticket, error) {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return db.Ticket{}, apperr.New(apperr.NotFound, "ticket not found")
	}
	t, err := q.GetTicketByAccount(r.Context(), db.GetTicketByAccountParams{ID: id,
		AccountSid: caller(r.Context()).SID})
	return t, db.NotFound(err, "ticket")
}

func (s *Server) getMyTicket(w http.ResponseWriter, r *http.Request) error {
	t, err := s.myTicket(r, s.store.Queries)
	if err != nil {
		return err
	}
	return s.writeTicketThread(w, r, t)
}

// getAnyTicket shows staff any account's ticket with its thread.
func (s *Server) getAnyTicket(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "ticket not found")
	}
	t, err := s.store.GetTicket(r.Context(), id)
	if err != nil {
		return db.NotFound(err, "ticket")
	}
	return s.writeTicketThread(w, r, t)
}

// writeTicketThread answers t with its replies, oldest first.
func (s *Server) writeTicketThread(w http.ResponseWriter, r *http.Request, t db.Ticket) error {
	replies, err := s.store.ListTicketReplies(r.Context(), t.ID)
	if err != nil {
		return err
	}
	out := ticketThreadJSON{ticketJSON: toTicketJSON(t)}
	out.Replies = make([]ticketReplyJSON, len(replies))
	for i, rp := range replies {
		out.Replies[i] = ticketReplyJSON{ID: rp.ID, FromStaff: rp.FromStaff, Body: rp.Body,
			CreatedAt: rp.CreatedAt}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

type replyRequest struct {
	Body string `json:"body"`
}

// addReply stores a reply to t and moves it to status, in q's transaction. A closed
// ticket takes no replies.
func addReply(r *http.Request, q *db.Queries, t db.Ticket, body string, staff bool) (
	db.Ticket, db.TicketReply, error) {
	status := "open"
	if staff {
		status = "answered"
	}
	t, err := q.UpdateTicketAfterReply(r.Context(), db.UpdateTicketAfterReplyParams{
		ID: t.ID, Status: status})
	if isNoRows(err) {
		return t, db.TicketReply{}, apperr.New(apperr.Conflict, "the ticket is closed")
	}
	if err != nil {
		return t, db.TicketReply{}, err
	}
	rp, err := q.CreateTicketReply(r.Context(), db.CreateTicketReplyParams{ID: ids.New(),
		TicketID: t.ID, AuthorSid: caller(r.Context()).SID, FromStaff: staff, Body: body})
	return t, rp, err
}

// readReply reads a reply's raw body, for its Idempotency-Key, and its text.
func readReply(r *http.Request) ([]byte, string, error) {
	var req replyRequest
	raw, err := decodeKeeping(r, &req)
	if err != nil {
		return nil, "", err
	}
	var v apperr.Validation
	body := checkText(&v, "body", req.Body, 5000)
	return raw, body, v.Err()
}

func (s *Server) replyToMyTicket(w http.ResponseWriter, r *http.Request) error {
	raw, body, err := readReply(r)
	if err != nil {
		return err
	}
	_, err = s.idempotent(w, r, raw, func(q *db.Queries, _ pgxTx) (int, any, error) {
		t, err := s.myTicket(r, q)
		if err != nil {
			return 0, nil, err
		}
		_, rp, err := addReply(r, q, t, body, false)
		return http.StatusCreated, ticketReplyJSON{ID: rp.ID, Body: rp.Body,
			CreatedAt: rp.CreatedAt}, err
	})
	return err
}

// staffReply answers a ticket and tells the developer in their message center.
func (s *Server) staffReply(w http.ResponseWriter, r *http.Request) error {
	raw, body, err := readReply(r)
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "ticket not found")
	}
	ran, err := s.idempotent(w, r, raw, func(q *db.Queries, _ pgxTx) (int, any, error) {
		t, err := q.GetTicket(r.Context(), id)
		if err != nil {
			return 0, nil, db.NotFound(err, "ticket")
		}
		t, rp, err := addReply(r, q, t, body, true)
		if err != nil {
			return 0, nil, err
		}
		_, err = messages.Post(r.Context(), q, messages.Message{
			AccountSID: t.AccountSid, Type: messages.TypeTicket, Reference: t.ID,
			Title: "Customer service replied",
			Body:  "Customer service replied to your ticket \"" + t.Title + "\".",
			Key:   "ticket-reply:" + rp.ID,
		})
		return http.StatusCreated, ticketReplyJSON{ID: rp.ID, FromStaff: true,
			Body: rp.Body, CreatedAt: rp.CreatedAt}, err
	})
	if err == nil && ran {
		logger(r.Context(), s.log).Info("ticket answered", "ticket_id", id)
	}
	return err
}

type closeTicketRequest struct {
	Rating int32 `json:"rating"`
}

// closeTicket closes the caller's ticket with a rating from 1 to 5; a ticket that
// closed by itself may still be rated, once.
func (s *Server) closeTicket(w http.ResponseWriter, r *http.Request) error {
	var req closeTicketRequest
	errRating := apperr.Field("rating", "must be a whole number from 1 to 5")
	if err := decode(r, &req); err != nil {
		// A fraction, an out-of-range number or a string for the rating gets the
		// rating's own rule rather than the generic one.
		if e, ok := apperr.As(err); ok && len(e.Fields) == 1 && e.Fields[0].Field == "rating" {
			return errRating
		}
		return err
	}
	if req.Rating < 1 || req.Rating > 5 {
		return errRating
	}
	var t db.Ticket
	err := s.store.InTx(r.Context(), func(q *db.Queries, _ pgxTx) error {
		mine, err := s.myTicket(r, q)
		if err != nil {
			return err
		}
		rating := req.Rating
		t, err = q.CloseTicketByDeveloper(r.Context(), db.CloseTicketByDeveloperParams{
			ID: mine.ID, AccountSid: mine.AccountSid, Rating: &rating})
		if isNoRows(err) {
			return apperr.New(apperr.Conflict, "the ticket is already closed and rated")
		}
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toTicketJSON(t))
	return nil
}

package api

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

func init() { featureMounts = append(featureMounts, (*Server).mountRechargeOrders) }

func (s *Server) mountRechargeOrders(m mounts) {
	m.dev.Get("/balance", s.handle(s.getBalance))
	m.dev.Post("/recharge-orders", s.handle(s.createRechargeOrder))
	m.dev.Get("/recharge-orders", s.handle(s.listRechargeOrders))
	m.dev.Get("/recharge-orders/{id}", s.handle(s.getRechargeOrder))
	m.dev.Post("/sandbox/pay/{order_id}", s.handle(s.sandboxPay))
	m.public.Post("/payments/{channel}/notify", s.handle(s.paymentNotify))
	m.ops.Post("/recharge-orders/{id}/confirm", s.handle(s.confirmBankTransfer))
}

// The bounds of a recharge order's amount.
const (
	minRecharge = 1 * money.Yuan
	maxRecharge = 1_000_000 * money.Yuan
)

type balanceJSON struct {
	Balance             money.Li `json:"balance"`
	InArrears           bool     `json:"in_arrears"`
	LowBalanceThreshold money.Li `json:"low_balance_threshold"`
	BelowThreshold      bool     `json:"below_threshold"`
}

func (s *Server) getBalance(w http.ResponseWriter, r *http.Request) error {
	acct, err := s.store.GetAccountBySID(r.Context(), caller(r.Context()).SID)
	if err != nil {
		return db.NotFound(err, "account")
	}
	writeJSON(w, http.StatusOK, balanceJSON{
		Balance:             money.Li(acct.BalanceLi),
		InArrears:           acct.BalanceLi < 0,
		LowBalanceThreshold: money.Li(acct.LowBalanceThresholdLi),
		BelowThreshold:      acct.BalanceLi < acct.LowBalanceThresholdLi,
	})
	return nil
}

type rechargeOrderJSON struct {
	ID        string     `json:"id"`
	Amount    money.Li   `json:"amount"`
	Channel   string     `json:"channel"`
	Status    string     `json:"status"`
	ExpiresAt time.Time  `json:"expires_at"`
	PaidAt    *time.Time `json:"paid_at,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
}

func toRechargeOrderJSON(o db.RechargeOrder) rechargeOrderJSON {
	return rechargeOrderJSON{ID: o.ID, Amount: money.Li(o.AmountLi), Channel: o.Channel,
		Status: o.Status, ExpiresAt: o.ExpiresAt, PaidAt: o.PaidAt, CreatedAt: o.CreatedAt}
}

type createRechargeOrderRequest struct {
	Amount  string `json:"amount"`
	Channel string `json:"channel"`
}

func (s *Server) createRechargeOrder(w http.ResponseWriter, r *http.Request) error {
	var req createRechargeOrderRequest
	body, err := decodeKeeping(r, &req)
	if err != nil {
		return err
	}
	var v apperr.Validation
	amount, err := money.Parse(req.Amount, 2)
	if err != nil || amount < minRecharge || amount > maxRecharge {
		v.Add("amount", `must be a yuan amount from "1.00" to "1000000.00" with at most `+
			"two decimals")
	}
	if req.Channel == "" {
		req.Channel = billing.ChannelSandbox
	}
	if req.Channel != billing.ChannelSandbox && req.Channel != billing.ChannelBankTransfer {
		v.Add("channel", "must be sandbox or bank_transfer")
	}
	if err := v.Err(); err != nil {
		return err
	}

	account := caller(r.Context()).SID
	var workflowID string
	ran, err := s.idempotent(w, r, body, func(q *db.Queries, _ pgxTx) (int, any, error) {
		order, err := q.CreateRechargeOrder(r.Context(), db.CreateRechargeOrderParams{
			ID: ids.New(), AccountSid: account, AmountLi: int64(amount), Channel: req.Channel,
			ExpiresAt: s.now().Add(billing.OrderTTL),
		})
		if err != nil {
			return 0, nil, err
		}
		workflowID = workflows.RechargeOrderWorkflowID(order.ID)
		err = wfstart.Enqueue(r.Context(), q, wfstart.Request{
			WorkflowID:   workflowID,
			WorkflowType: workflows.RechargeOrderType,
			TaskQueue:    s.cfg.TaskQueue,
			Input:        workflows.RechargeOrderInput{OrderID: order.ID, ExpiresAt: order.ExpiresAt},
			AccountSID:   account,
			BizStatus:    billing.OrderPending,
			Summary:      "recharge order " + req.Channel,
		})
		return http.StatusCreated, toRechargeOrderJSON(order), err
	})
	if err != nil {
		return err
	}
	if ran {
		logger(r.Context(), s.log).Info("recharge order created",
			"channel", req.Channel)
		s.kick(r.Context(), workflowID)
	}
	return nil
}

func (s *Server) listRechargeOrders(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	p := db.ListRechargeOrdersByAccountParams{
		AccountSid: caller(r.Context()).SID,
		MaxRows:    page.Limit + 1,
		BeforeTime: page.afterTime(),
		BeforeID:   page.afterID(),
	}
	q := r.URL.Query()
	if st := q.Get("status"); st != "" {
		switch st {
		case billing.OrderPending, billing.OrderPaid, billing.OrderExpired,
			billing.OrderPaidAfterExpiry:
		default:
			return apperr.Field("status", "must be pending, paid, expired or paid_after_expiry")
		}
		p.Status = &st
	}
	if ch := q.Get("channel"); ch != "" {
		if ch != billing.ChannelSandbox && ch != billing.ChannelBankTransfer {
			return apperr.Field("channel", "must be sandbox or bank_transfer")
		}
		p.Channel = &ch
	}
	rows, err := s.store.ListRechargeOrdersByAccount(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, pageOf(rows, page.Limit,
		func(o db.RechargeOrder) (time.Time, string) { return o.CreatedAt, o.ID },
		toRechargeOrderJSON))
	return nil
}

func (s *Server) getRechargeOrder(w http.ResponseWriter, r *http.Request) error {
	order, err := s.ownOrder(r, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toRechargeOrderJSON(order))
	return nil
}

// ownOrder reads one of the caller's orders; another account's order is not found.
func (s *Server) ownOrder(r *http.Request, id string) (db.RechargeOrder, error) {
	if !ids.Valid(id) {
		return db.RechargeOrder{}, apperr.New(apperr.NotFound, "recharge order not found")
	}
	order, err := s.store.GetRechargeOrderForAccount(r.Context(),
		db.GetRechargeOrderForAccountParams{ID: id, AccountSid: caller(r.Context()).SID})
	return order, db.NotFound(err, "recharge order")
}

package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/go-chi/chi/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/billing"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/money"
	"github.com/yiyun-console/console/internal/netguard"
	"github.com/yiyun-console/console/workflows"
)

// noticeMaxAge is how far a notice's timestamp may be from now.
const noticeMaxAge = 5 * time.Minute

// maxNoticeBody bounds a payment notice.
const maxNoticeBody = 16 << 10

// PaymentNotice is the body of a channel's signed payment notice. The signature is
// netguard.Sign over the timestamp header and the exact body bytes.
type PaymentNotice struct {
	OrderID    string    `json:"order_id"`
	Amount     money.Li  `json:"amount"`
	ChannelTxn string    `json:"channel_txn"`
	PaidAt     time.Time `json:"paid_at"`
}

// maxChannelTxn bounds a channel's transaction reference.
const maxChannelTxn = 128

// checkPaidAt refuses a payment time before the order was created or after now,
// each with noticeMaxAge of slack for the clocks of the channel and the console.
func checkPaidAt(paidAt, created, now time.Time) error {
	switch {
	case paidAt.IsZero():
		return apperr.Field("paid_at", "is required")
	case paidAt.Before(created.Add(-noticeMaxAge)):
		return apperr.Field("paid_at", "is before the order was created")
	case paidAt.After(now.Add(noticeMaxAge)):
		return apperr.Field("paid_at", "is in the future")
	}
	return nil
}

type noticeAnswer struct {
	OrderID  string `json:"order_id"`
	Status   string `json:"status"`
	Credited bool   `json:"credited"` // false for a duplicate notice
}

// paymentNotify takes a channel's payment notice. A forged, stale or malformed
// notice, a wrong amount or an unknown order is refused and logged; a duplicate
// credits nothing and is answered 200 so that the channel stops resending.
func (s *Server) paymentNotify(w http.ResponseWriter, r *http.Request) error {
	channel := chi.URLParam(r, "channel")
	log := logger(r.Context(), s.log).With("channel", channel)
	refuse := func(reason string, err error) error {
		log.Warn("payment notice refused", "reason", reason)
		return err
	}
	if channel != billing.ChannelSandbox {
		return refuse("unknown_channel",
			apperr.New(apperr.NotFound, "no payment channel %q sends notices", channel))
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxNoticeBody+1))
	if err != nil || len(body) > maxNoticeBody {
		return refuse("unreadable_body", apperr.New(apperr.Invalid, "the notice is unreadable"))
	}

	ts, err := strconv.ParseInt(r.Header.Get(netguard.TimestampHeader), 10, 64)
	sig := r.Header.Get(netguard.SignatureHeader)
	if err != nil || !netguard.Verify([]byte(s.cfg.PaymentSecret), ts, body, sig) {
		return refuse("bad_signature",
			apperr.New(apperr.Unauthenticated, "the notice's signature is invalid"))
	}
	if age := s.now().Sub(time.Unix(ts, 0)); age > noticeMaxAge || age < -noticeMaxAge {
		return refuse("stale_timestamp", apperr.New(apperr.Unauthenticated,
			"the notice's timestamp is more than %s from now", noticeMaxAge))
	}
	var n PaymentNotice
	if err := decodeBytes(body, &n); err != nil {
		return refuse("malformed_body", err)
	}
	if !ids.Valid(n.OrderID) {
		return refuse("unknown_order", apperr.New(apperr.NotFound, "recharge order not found"))
	}
	log = log.With("order_id", n.OrderID)
	if txn := strings.TrimSpace(n.ChannelTxn); txn == "" || len(txn) > maxChannelTxn ||
		strings.ContainsFunc(txn, unicode.IsControl) {
		return refuse("bad_channel_txn", apperr.Field("channel_txn", fmt.Sprintf(
			"is required, at most %d bytes without control characters", maxChannelTxn)))
	}
	n.ChannelTxn = strings.TrimSpace(n.ChannelTxn)

	var settled billing.Settlement
	err = s.store.InTx(r.Context(), func(q *db.Queries, _ pgxTx) error {
		order, err := q.GetRechargeOrderByID(r.Context(), n.OrderID)
		if err != nil {
			return db.NotFound(err, "recharge order")
		}
		if order.Channel != channel {
			return apperr.New(apperr.Invalid, "the order is not paid through %s", channel)
		}
		if err := checkPaidAt(n.PaidAt, order.CreatedAt, s.now()); err != nil {
			return err
		}
		settled, err = billing.CreditOrder(r.Context(), q, billing.Payment{
			OrderID: n.OrderID, Amount: n.Amount, ChannelTxn: n.ChannelTxn, PaidAt: n.PaidAt,
		})
		return err
	})
	if err != nil {
		if e, ok := apperr.As(err); ok {
			return refuse(string(e.Code), err)
		}
		return err
	}
	s.afterCredit(r.Context(), settled)
	writeJSON(w, http.StatusOK, noticeAnswer{OrderID: settled.Order.ID,
		Status: settled.Order.Status, Credited: settled.Credited})
	return nil
}

// afterCredit logs a settlement and, when it credited, ends the order's wait and
// tells the account's arrears workflows that it was topped up. Both are best effort:
// the order's workflow finds the order paid at its deadline, and arrears are retried
// daily.
func (s *Server) afterCredit(ctx context.Context, st billing.Settlement) {
	log := logger(ctx, s.log).With("order_id", st.Order.ID, "account_sid", st.Order.AccountSid)
	if !st.Credited {
		log.Info("duplicate payment notice; nothing credited")
		return
	}
	log.Info("recharge credited", "amount", money.Li(st.Order.AmountLi).String(),
		"status", st.Order.Status)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = s.temporal.SignalWorkflow(ctx, workflows.RechargeOrderWorkflowID(st.Order.ID), "",
		workflows.RechargePaidSignal, nil)
	arrears, err := s.store.ListOpenIVRRentArrearsByAccount(ctx, st.Order.AccountSid)
	if err != nil {
		log.Warn("listing arrears after top-up failed", "err", err)
		return
	}
	for _, a := range arrears {
		_ = s.temporal.SignalWorkflow(ctx, billing.ArrearsWorkflowID(a.AppID, a.Month), "",
			workflows.TopUpSignal, nil)
	}
}

// sandboxPay makes the sandbox channel pay one of the caller's sandbox orders: it
// sends a real signed notice to this console's own notice route, as a channel would.
func (s *Server) sandboxPay(w http.ResponseWriter, r *http.Request) error {
	order, err := s.ownOrder(r, chi.URLParam(r, "order_id"))
	if err != nil {
		return err
	}
	if order.Channel != billing.ChannelSandbox {
		return apperr.New(apperr.Conflict, "only sandbox orders are paid here")
	}
	body, err := json.Marshal(PaymentNotice{OrderID: order.ID,
		Amount: money.Li(order.AmountLi), ChannelTxn: "sandbox-" + ids.New()[:16],
		PaidAt: s.now().UTC()})
	if err != nil {
		return err
	}
	status, answer, err := s.sendNotice(r.Context(), billing.ChannelSandbox, body)
	if err != nil {
		return apperr.New(apperr.Unavailable, "the sandbox could not deliver its notice")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(answer)
	return nil
}

// sendNotice posts a signed notice to PublicURL's notice route and returns its answer.
func (s *Server) sendNotice(ctx context.Context, channel string, body []byte) (int, []byte,
	error) {
	url := strings.TrimSuffix(s.cfg.PublicURL, "/") + "/v1/payments/" + channel + "/notify"
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	ts := s.now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(netguard.TimestampHeader, strconv.FormatInt(ts, 10))
	req.Header.Set(netguard.SignatureHeader, netguard.Sign([]byte(s.cfg.PaymentSecret), ts, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("sending payment notice: %w", err)
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	return resp.StatusCode, answer, err
}

type confirmRequest struct {
	Reference string `json:"reference"` // the bank's transfer reference
}

// confirmBankTransfer credits a bank-transfer order an operator has seen paid.
func (s *Server) confirmBankTransfer(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	var req confirmRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	req.Reference = strings.TrimSpace(req.Reference)
	if req.Reference == "" || len(req.Reference) > 64 {
		return apperr.Field("reference", "is required, at most 64 characters")
	}
	if !ids.Valid(id) {
		return apperr.New(apperr.NotFound, "recharge order not found")
	}
	var settled billing.Settlement
	err := s.store.InTx(r.Context(), func(q *db.Queries, _ pgxTx) error {
		order, err := q.GetRechargeOrderByID(r.Context(), id)
		if err != nil {
			return db.NotFound(err, "recharge order")
		}
		if order.Channel != billing.ChannelBankTransfer {
			return apperr.New(apperr.Conflict, "only bank transfers are confirmed by operators")
		}
		settled, err = billing.CreditOrder(r.Context(), q, billing.Payment{
			OrderID: id, Amount: money.Li(order.AmountLi), ChannelTxn: req.Reference,
			ConfirmedBy: caller(r.Context()).SID, PaidAt: s.now(),
		})
		return err
	})
	if err != nil {
		return err
	}
	s.afterCredit(r.Context(), settled)
	writeJSON(w, http.StatusOK, noticeAnswer{OrderID: settled.Order.ID,
		Status: settled.Order.Status, Credited: settled.Credited})
	return nil
}

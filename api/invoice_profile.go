package api

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/idcard"
	"github.com/yiyun-console/console/internal/phone"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountInvoiceProfile)
}

func (s *Server) mountInvoiceProfile(m mounts) {
	m.dev.Get("/invoice-profile", s.handle(s.getInvoiceProfile))
	m.dev.Put("/invoice-profile", s.handle(s.putInvoiceProfile))
	m.dev.Get("/mailing-address", s.handle(s.getMailingAddress))
	m.dev.Put("/mailing-address", s.handle(s.putMailingAddress))
}

// The invoice types: a personal or a company VAT ordinary invoice.
const (
	invoicePersonal = "personal"
	invoiceCompany  = "company"
)

// invoiceProfileJSON is the invoice information. The title and taxpayer ID come from
// the approved verification; the taxpayer ID is masked.
type invoiceProfileJSON struct {
	InvoiceType string    `json:"invoice_type"`
	Title       string    `json:"title"`
	TaxpayerID  string    `json:"taxpayer_id,omitempty"`
	Address     string    `json:"address,omitempty"`
	Phone       string    `json:"phone,omitempty"`
	BankName    string    `json:"bank_name,omitempty"`
	BankAccount string    `json:"bank_account,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// invoiceTitle is what an invoice of a type carries from the verification.
type invoiceTitle struct {
	Title      string
	TaxpayerID string // the credit code, for a company invoice
}

// titleFor derives the title (and taxpayer ID) of an invoice type from the account's
// approved verifications, refusing a type the verification level does not allow.
func (s *Server) titleFor(ctx context.Context, q *db.Queries, sid, invoiceType string) (
	invoiceTitle, error) {
	acct, err := q.GetAccountBySID(ctx, sid)
	if err != nil {
		return invoiceTitle{}, db.NotFound(err, "account")
	}
	switch {
	case invoiceType == invoiceCompany && acct.VerificationLevel != kindCompany:
		return invoiceTitle{}, apperr.Field("invoice_type",
			"company invoices need an approved company verification")
	case invoiceType == invoicePersonal && acct.VerificationLevel == "none":
		return invoiceTitle{}, apperr.Field("invoice_type",
			"personal invoices need an approved personal or company verification")
	}
	if invoiceType == invoicePersonal {
		v, err := q.GetLatestApprovedVerification(ctx, db.GetLatestApprovedVerificationParams{
			AccountSid: sid, Kind: kindPersonal,
		})
		if err == nil {
			return invoiceTitle{Title: v.RealName}, nil
		}
		if !isNoRows(err) {
			return invoiceTitle{}, err
		}
	}
	v, err := q.GetLatestApprovedVerification(ctx, db.GetLatestApprovedVerificationParams{
		AccountSid: sid, Kind: kindCompany,
	})
	if err != nil {
		return invoiceTitle{}, err
	}
	if invoiceType == invoicePersonal {
		return invoiceTitle{Title: v.CompanyName}, nil
	}
	box, err := s.secretBox()
	if err != nil {
		return invoiceTitle{}, err
	}
	code, err := box.Open(v.CreditCodeCipher, v.ID)
	if err != nil {
		return invoiceTitle{}, err
	}
	return invoiceTitle{Title: v.CompanyName, TaxpayerID: code}, nil
}

func (s *Server) getInvoiceProfile(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	sid := caller(ctx).SID
	p, err := s.store.GetInvoiceProfile(ctx, sid)
	if err != nil {
		return db.NotFound(err, "invoice information")
	}
	t, err := s.titleFor(ctx, s.store.Queries, sid, p.InvoiceType)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toInvoiceProfileJSON(p, t))
	return nil
}

func toInvoiceProfileJSON(p db.InvoiceProfile, t invoiceTitle) invoiceProfileJSON {
	out := invoiceProfileJSON{InvoiceType: p.InvoiceType, Title: t.Title, Address: p.Address,
		Phone: p.Phone, BankName: p.BankName, BankAccount: p.BankAccount, UpdatedAt: p.UpdatedAt}
	if t.TaxpayerID != "" {
		out.TaxpayerID = idcard.Mask(t.TaxpayerID)
	}
	return out
}

type invoiceProfileRequest struct {
	InvoiceType string `json:"invoice_type"`
	Address     string `json:"address"`
	Phone       string `json:"phone"`
	BankName    string `json:"bank_name"`
	BankAccount string `json:"bank_account"`
}

var bankAccountPattern = regexp.MustCompile(`^[0-9]{8,30}$`)

func (s *Server) putInvoiceProfile(w http.ResponseWriter, r *http.Request) error {
	var req invoiceProfileRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ctx := r.Context()
	sid := caller(ctx).SID
	var v apperr.Validation
	p := db.UpsertInvoiceProfileParams{AccountSid: sid, InvoiceType: req.InvoiceType}
	switch req.InvoiceType {
	case invoicePersonal:
		for f, val := range map[string]string{"address": req.Address, "phone": req.Phone,
			"bank_name": req.BankName, "bank_account": req.BankAccount} {
			if strings.TrimSpace(val) != "" {
				v.Add(f, "is only part of a company invoice")
			}
		}
	case invoiceCompany:
		if req.Address != "" {
			p.Address = checkText(&v, "address", req.Address, 200)
		}
		if req.Phone != "" {
			if n, err := phone.ParseNumber(req.Phone); err != nil {
				v.Add("phone", "must be a landline with its area code, or a mobile number")
			} else {
				p.Phone = n.String()
			}
		}
		if req.BankName != "" {
			p.BankName = checkText(&v, "bank_name", req.BankName, 100)
		}
		if acct := strings.ReplaceAll(req.BankAccount, " ", ""); acct != "" {
			if !bankAccountPattern.MatchString(acct) {
				v.Add("bank_account", "must be 8 to 30 digits")
			}
			p.BankAccount = acct
		}
	default:
		v.Add("invoice_type", "must be personal or company")
	}
	if err := v.Err(); err != nil {
		return err
	}
	t, err := s.titleFor(ctx, s.store.Queries, sid, req.InvoiceType)
	if err != nil {
		return err
	}
	saved, err := s.store.UpsertInvoiceProfile(ctx, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, toInvoiceProfileJSON(saved, t))
	return nil
}

// mailingJSON is where invoices are sent.
type mailingJSON struct {
	Recipient string     `json:"recipient"`
	Mobile    string     `json:"mobile"`
	Province  string     `json:"province"`
	City      string     `json:"city"`
	District  string     `json:"district"`
	Street    string     `json:"street"`
	Postcode  string     `json:"postcode"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

var postcodePattern = regexp.MustCompile(`^[1-9][0-9]{5}$`)

func (s *Server) getMailingAddress(w http.ResponseWriter, r *http.Request) error {
	a, err := s.store.GetMailingAddress(r.Context(), caller(r.Context()).SID)
	if err != nil {
		return db.NotFound(err, "mailing information")
	}
	writeJSON(w, http.StatusOK, mailingJSON{Recipient: a.Recipient, Mobile: a.Mobile,
		Province: a.Province, City: a.City, District: a.District, Street: a.Street,
		Postcode: a.Postcode, UpdatedAt: &a.UpdatedAt})
	return nil
}

func (s *Server) putMailingAddress(w http.ResponseWriter, r *http.Request) error {
	var req mailingJSON
	if err := decode(r, &req); err != nil {
		return err
	}
	var v apperr.Validation
	p := db.UpsertMailingAddressParams{
		AccountSid: caller(r.Context()).SID,
		Recipient:  checkContactName(&v, "recipient", req.Recipient),
		Province:   checkText(&v, "province", req.Province, 30),
		City:       checkText(&v, "city", req.City, 30),
		District:   checkText(&v, "district", req.District, 30),
		Street:     checkText(&v, "street", req.Street, 200),
		Postcode:   strings.TrimSpace(req.Postcode),
	}
	m, err := phone.ParseMobile(req.Mobile)
	if err != nil {
		v.Add("mobile", "must be a Chinese mobile number of 11 digits")
	}
	p.Mobile = m
	if !postcodePattern.MatchString(p.Postcode) {
		v.Add("postcode", "must be a postcode of 6 digits")
	}
	if err := v.Err(); err != nil {
		return err
	}
	a, err := s.store.UpsertMailingAddress(r.Context(), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, mailingJSON{Recipient: a.Recipient, Mobile: a.Mobile,
		Province: a.Province, City: a.City, District: a.District, Street: a.Street,
		Postcode: a.Postcode, UpdatedAt: &a.UpdatedAt})
	return nil
}

package api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/apperr"
	"github.com/yiyun-console/console/internal/idcard"
	"github.com/yiyun-console/console/internal/ids"
	"github.com/yiyun-console/console/internal/phone"
	"github.com/yiyun-console/console/internal/secrets"
	"github.com/yiyun-console/console/internal/wfstart"
	"github.com/yiyun-console/console/workflows"
)

func init() {
	featureMounts = append(featureMounts, (*Server).mountVerifications)
}

func (s *Server) mountVerifications(m mounts) {
	m.dev.Post("/verifications", s.handle(s.submitVerification))
	m.dev.Get("/verifications", s.handle(s.listVerifications))
	m.dev.Get("/verifications/{id}", s.handle(s.getVerification))
	m.dev.Post("/verifications/{id}/withdraw", s.handle(s.withdrawVerification))
	m.review.Get("/verifications", s.handle(s.reviewQueue))
	m.review.Get("/verifications/{id}", s.handle(s.reviewVerification))
	m.review.Post("/verifications/{id}/decision", s.handle(s.decideVerification))
}

// The kinds and the open state of a verification.
const (
	kindPersonal        = "personal"
	kindCompany         = "company"
	verificationPending = "pending"
)

// verificationJSON is a submission as the API shows it. ID numbers and credit codes
// are masked except in the reviewer's view of a submission under review.
type verificationJSON struct {
	ID                  string     `json:"id"`
	AccountSID          string     `json:"account_sid"`
	Kind                string     `json:"kind"`
	Status              string     `json:"status"`
	RealName            string     `json:"real_name,omitempty"`
	IDNumber            string     `json:"id_number,omitempty"`
	IDFrontFile         string     `json:"id_front_file,omitempty"`
	IDBackFile          string     `json:"id_back_file,omitempty"`
	CompanyName         string     `json:"company_name,omitempty"`
	CreditCode          string     `json:"credit_code,omitempty"`
	LegalRepresentative string     `json:"legal_representative,omitempty"`
	LicenceFile         string     `json:"licence_file,omitempty"`
	ContactPhone        string     `json:"contact_phone,omitempty"`
	RejectReason        string     `json:"reject_reason,omitempty"`
	Overdue             bool       `json:"overdue"`
	WorkflowID          string     `json:"workflow_id"`
	CreatedAt           time.Time  `json:"created_at"`
	DecidedAt           *time.Time `json:"decided_at,omitempty"`
}

// secretBox returns the cipher of personal data under the configured key.
func (s *Server) secretBox() (*secrets.Box, error) {
	key, err := s.cfg.Key()
	if err != nil {
		return nil, err
	}
	return secrets.NewBox(key)
}

// toVerificationJSON decrypts v's numbers and masks them unless reveal is set.
func (s *Server) toVerificationJSON(v db.Verification, reveal bool) (verificationJSON, error) {
	out := verificationJSON{
		ID: v.ID, AccountSID: v.AccountSid, Kind: v.Kind, Status: v.Status,
		RealName: v.RealName, IDFrontFile: deref(v.IDFrontFile), IDBackFile: deref(v.IDBackFile),
		CompanyName: v.CompanyName, LegalRepresentative: v.LegalRepresentative,
		LicenceFile: deref(v.LicenceFile), ContactPhone: v.ContactPhone,
		RejectReason: v.RejectReason, Overdue: v.Overdue,
		WorkflowID: workflows.VerificationReviewID(v.ID), CreatedAt: v.CreatedAt,
		DecidedAt: v.DecidedAt,
	}
	box, err := s.secretBox()
	if err != nil {
		return out, err
	}
	show := func(sealed []byte) (string, error) {
		if sealed == nil {
			return "", nil
		}
		plain, err := box.Open(sealed, v.ID)
		if err != nil || reveal {
			return plain, err
		}
		return idcard.Mask(plain), nil
	}
	if out.IDNumber, err = show(v.IDNumberCipher); err != nil {
		return out, err
	}
	out.CreditCode, err = show(v.CreditCodeCipher)
	return out, err
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

type verificationRequest struct {
	Kind                string `json:"kind"`
	RealName            string `json:"real_name"`
	IDNumber            string `json:"id_number"`
	IDFrontFile         string `json:"id_front_file"`
	IDBackFile          string `json:"id_back_file"`
	CompanyName         string `json:"company_name"`
	CreditCode          string `json:"credit_code"`
	LegalRepresentative string `json:"legal_representative"`
	LicenceFile         string `json:"licence_file"`
	ContactPhone        string `json:"contact_phone"`
}

// submitVerification accepts a personal or company submission and starts its review.
func (s *Server) submitVerification(w http.ResponseWriter, r *http.Request) error {
	var req verificationRequest
	body, err := decodeKeeping(r, &req)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sid := caller(ctx).SID
	p, number, err := s.checkVerification(ctx, sid, &req)
	if err != nil {
		return err
	}
	box, err := s.secretBox()
	if err != nil {
		return err
	}
	p.ID = ids.New()
	p.AccountSid = sid
	if req.Kind == kindPersonal {
		p.IDNumberCipher = box.Seal(number, p.ID)
	} else {
		p.CreditCodeCipher = box.Seal(number, p.ID)
	}

	wfID := workflows.VerificationReviewID(p.ID)
	// The answer names the person (masked numbers, real name, phone): it is stored
	// sealed, as the numbers are.
	ran, err := s.idempotentSum(w, r, idemRequest{Sum: jsonSum(body), Seal: true},
		func(q *db.Queries, _ pgx.Tx) (int, any, error) {
			acct, err := q.GetAccountBySIDForUpdate(ctx, sid)
			if err != nil {
				return 0, nil, db.NotFound(err, "account")
			}
			if err := checkVerificationLevel(acct.VerificationLevel, req.Kind); err != nil {
				return 0, nil, err
			}
			v, err := q.CreateVerification(ctx, p)
			if _, dup := db.IsUniqueViolation(err); dup {
				return 0, nil, apperr.New(apperr.Conflict, "a submission is already under review; "+
					"wait for its decision or withdraw it first")
			}
			if err != nil {
				return 0, nil, err
			}
			if err := wfstart.Enqueue(ctx, q, wfstart.Request{
				WorkflowID:   wfID,
				WorkflowType: "VerificationReview",
				TaskQueue:    s.cfg.TaskQueue,
				Input: workflows.VerificationReviewInput{VerificationID: v.ID, AccountSID: sid,
					Kind: v.Kind, ReviewDeadline: s.cfg.ReviewDeadline},
				AccountSID: sid,
				BizStatus:  workflows.VerificationPendingReview,
				Summary:    req.Kind + " verification review",
			}); err != nil {
				return 0, nil, err
			}
			out, err := s.toVerificationJSON(v, false)
			return http.StatusCreated, out, err
		})
	if err != nil {
		return err
	}
	if ran {
		s.kick(ctx, wfID)
		logger(ctx, s.log).Info("verification submitted", "verification_id", p.ID,
			"kind", req.Kind)
	}
	return nil
}

// checkVerificationLevel refuses a submission that would change an approved
// verification other than by upgrading from personal to company.
func checkVerificationLevel(level, kind string) error {
	switch {
	case level == kindCompany:
		return apperr.New(apperr.Conflict,
			"the account is verified as a company; an approved verification cannot be changed")
	case level == kindPersonal && kind == kindPersonal:
		return apperr.New(apperr.Conflict, "the account is verified personally; an approved "+
			"verification cannot be changed, only upgraded with a company verification")
	}
	return nil
}

// checkVerification validates a submission and returns its row (without ID, account
// and ciphertexts) and its normalised ID number or credit code.
func (s *Server) checkVerification(ctx context.Context, sid string, req *verificationRequest) (
	db.CreateVerificationParams, string, error) {
	var v apperr.Validation
	var p db.CreateVerificationParams
	var number string
	notFor := func(field, value string) {
		if strings.TrimSpace(value) != "" {
			v.Addf(field, "is not part of a %s verification", req.Kind)
		}
	}
	file := func(field, id string) *string {
		id = strings.TrimSpace(id)
		if id == "" {
			v.Add(field, "is required: the ID of an image uploaded with POST /v1/files")
			return nil
		}
		if !ids.Valid(id) {
			v.Add(field, "is not a file you uploaded")
			return nil
		}
		if _, err := s.store.GetFileByAccount(ctx, db.GetFileByAccountParams{
			ID: id, AccountSid: sid}); err != nil {
			v.Add(field, "is not a file you uploaded")
			return nil
		}
		return &id
	}

	p.Kind = req.Kind
	switch req.Kind {
	case kindPersonal:
		p.RealName = checkContactName(&v, "real_name", req.RealName)
		n, err := idcard.NormalizeResidentID(req.IDNumber, s.now())
		if err != nil {
			v.Add("id_number", idNumberReason(err, "resident ID number"))
		}
		number = n
		p.IDFrontFile = file("id_front_file", req.IDFrontFile)
		p.IDBackFile = file("id_back_file", req.IDBackFile)
		if p.IDFrontFile != nil && p.IDBackFile != nil && *p.IDFrontFile == *p.IDBackFile {
			v.Add("id_back_file", "must be another image than id_front_file")
		}
		for f, val := range map[string]string{"company_name": req.CompanyName,
			"credit_code": req.CreditCode, "legal_representative": req.LegalRepresentative,
			"licence_file": req.LicenceFile, "contact_phone": req.ContactPhone} {
			notFor(f, val)
		}
	case kindCompany:
		p.CompanyName = checkText(&v, "company_name", req.CompanyName, 100)
		n, err := idcard.NormalizeCreditCode(req.CreditCode)
		if err != nil {
			v.Add("credit_code", idNumberReason(err, "unified social credit code"))
		}
		number = n
		p.LegalRepresentative = checkContactName(&v, "legal_representative",
			req.LegalRepresentative)
		p.LicenceFile = file("licence_file", req.LicenceFile)
		if tel, err := phone.ParseNumber(req.ContactPhone); err != nil ||
			(tel.Kind != phone.KindMobile && tel.Kind != phone.KindLandline) {
			v.Add("contact_phone", "must be a mobile number or a landline with its area code")
		} else {
			p.ContactPhone = tel.String()
		}
		for f, val := range map[string]string{"real_name": req.RealName,
			"id_number": req.IDNumber, "id_front_file": req.IDFrontFile,
			"id_back_file": req.IDBackFile} {
			notFor(f, val)
		}
	default:
		v.Add("kind", "must be personal or company")
	}
	return p, number, v.Err()
}

// idNumberReason explains why an ID number or credit code was refused, without
// repeating it.
func idNumberReason(err error, what string) string {
	var e *idcard.Error
	if !errors.As(err, &e) {
		return "is not a valid " + what
	}
	switch e.Reason {
	case idcard.ReasonChecksum:
		return "has a wrong check character; check the " + what
	case idcard.ReasonBirthDate:
		return "holds a birth date that does not exist or lies in the future"
	case idcard.ReasonLength:
		return "must be 18 characters"
	case idcard.ReasonRegion:
		return "does not start with a known region code"
	case idcard.ReasonAuthority:
		return "does not start with a known registration authority"
	}
	return "is not a valid " + what + ": " + e.Detail
}

func (s *Server) listVerifications(w http.ResponseWriter, r *http.Request) error {
	page, err := readPage(r)
	if err != nil {
		return err
	}
	rows, err := s.store.ListVerificationsByAccount(r.Context(), db.ListVerificationsByAccountParams{
		AccountSid: caller(r.Context()).SID, MaxRows: page.Limit + 1,
		BeforeTime: page.afterTime(), BeforeID: page.afterID(),
	})
	if err != nil {
		return err
	}
	return s.writeVerificationPage(w, rows, page.Limit)
}

func (s *Server) writeVerificationPage(w http.ResponseWriter, rows []db.Verification,
	limit int32) error {
	return writePageOf(w, rows, limit, func(v db.Verification) (time.Time, string) {
		return v.CreatedAt, v.ID
	}, func(v db.Verification) (verificationJSON, error) { return s.toVerificationJSON(v, false) })
}

// ownVerification reads the caller's submission named in the path.
func (s *Server) ownVerification(r *http.Request) (db.Verification, error) {
	id := chi.URLParam(r, "id")
	if !ids.Valid(id) {
		return db.Verification{}, apperr.New(apperr.NotFound, "verification not found")
	}
	v, err := s.store.GetVerificationByAccount(r.Context(), db.GetVerificationByAccountParams{
		ID: id, AccountSid: caller(r.Context()).SID,
	})
	return v, db.NotFound(err, "verification")
}

func (s *Server) getVerification(w http.ResponseWriter, r *http.Request) error {
	v, err := s.ownVerification(r)
	if err != nil {
		return err
	}
	return s.writeVerification(w, v, false)
}

func (s *Server) writeVerification(w http.ResponseWriter, v db.Verification, reveal bool) error {
	out, err := s.toVerificationJSON(v, reveal)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// withdrawVerification withdraws the caller's submission before its decision.
func (s *Server) withdrawVerification(w http.ResponseWriter, r *http.Request) error {
	v, err := s.ownVerification(r)
	if err != nil {
		return err
	}
	if v.Status != verificationPending {
		return apperr.New(apperr.Conflict, "this submission is %s; only a submission "+
			"under review may be withdrawn", v.Status)
	}
	if _, err := s.reviewUpdate(r.Context(), v.ID, workflows.VerificationWithdrawUpdate); err != nil {
		return err
	}
	logger(r.Context(), s.log).Info("verification withdrawn", "verification_id", v.ID)
	return s.rereadVerification(w, r, v.ID)
}

func (s *Server) rereadVerification(w http.ResponseWriter, r *http.Request, id string) error {
	v, err := s.store.GetVerificationByID(r.Context(), id)
	if err != nil {
		return db.NotFound(err, "verification")
	}
	return s.writeVerification(w, v, false)
}

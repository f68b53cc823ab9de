package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/messages"
)

// The final states of a verification submission.
const (
	VerificationApproved  = "approved"
	VerificationRejected  = "rejected"
	VerificationWithdrawn = "withdrawn"
)

// VerificationOutcome is how a verification review ended.
type VerificationOutcome struct {
	VerificationID string
	AccountSID     string
	Kind           string // personal or company
	Status         string // VerificationApproved, VerificationRejected or VerificationWithdrawn
	Reason         string // why it was rejected
	ReviewerSID    string
}

// FinishVerification writes the outcome of a review: the submission's status, the
// account's verification level when approved, and a message to the developer when a
// reviewer decided. Running it again for the same outcome changes nothing; an outcome
// that contradicts the stored one fails without retrying.
func (a *Activities) FinishVerification(ctx context.Context, o VerificationOutcome) error {
	return a.Store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		// Lock the account as a submission does, so that a new submission and this
		// outcome see each other whole.
		if _, err := q.GetAccountBySIDForUpdate(ctx, o.AccountSID); err != nil {
			return fmt.Errorf("locking account: %w", err)
		}
		n, err := q.DecideVerification(ctx, db.DecideVerificationParams{
			ID: o.VerificationID, Status: o.Status, RejectReason: o.Reason,
			ReviewerSid: o.ReviewerSID,
		})
		if err != nil {
			return fmt.Errorf("recording verification outcome: %w", err)
		}
		if n == 0 {
			v, err := q.GetVerificationByID(ctx, o.VerificationID)
			if err != nil {
				return fmt.Errorf("reading verification: %w", err)
			}
			if v.Status != o.Status {
				return temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("verification %s is already %s", v.ID, v.Status),
					"VerificationAlreadyFinished", nil)
			}
			return nil // recorded by an earlier attempt
		}

		if o.Status == VerificationApproved {
			if _, err := q.RaiseAccountVerificationLevel(ctx, db.RaiseAccountVerificationLevelParams{
				Sid: o.AccountSID, Kind: o.Kind,
			}); err != nil {
				return fmt.Errorf("raising verification level: %w", err)
			}
		}
		if o.Status == VerificationWithdrawn {
			return nil
		}
		_, err = messages.Post(ctx, q, verificationMessage(o))
		return err
	})
}

func verificationMessage(o VerificationOutcome) messages.Message {
	m := messages.Message{
		AccountSID: o.AccountSID, Type: messages.TypeVerification,
		Reference: o.VerificationID, Key: "verification:" + o.VerificationID + ":outcome",
	}
	if o.Status == VerificationApproved {
		m.Title = "Real-name verification approved"
		m.Body = fmt.Sprintf("Your %s verification was approved. Your account is now "+
			"verified as a %s account and may take apps live.", o.Kind, o.Kind)
		return m
	}
	m.Title = "Real-name verification rejected"
	m.Body = fmt.Sprintf("Your %s verification was rejected: %s\nCorrect it and submit it "+
		"again.", o.Kind, o.Reason)
	return m
}

// VerificationEscalation is a submission that waited past the review deadline.
type VerificationEscalation struct {
	VerificationID string
	AccountSID     string
	Kind           string
	Deadline       time.Duration
}

// EscalateVerification marks a submission overdue and tells every operator, once.
func (a *Activities) EscalateVerification(ctx context.Context, e VerificationEscalation) error {
	return a.Store.InTx(ctx, func(q *db.Queries, _ pgx.Tx) error {
		if err := q.MarkVerificationOverdue(ctx, e.VerificationID); err != nil {
			return fmt.Errorf("marking verification overdue: %w", err)
		}
		return messages.PostToStaff(ctx, q, messages.Message{
			Type:  messages.TypeOperations,
			Title: "Verification review overdue",
			Body: fmt.Sprintf("The %s verification %s of account %s has waited more than %s "+
				"for a reviewer's decision.", e.Kind, e.VerificationID, e.AccountSID, e.Deadline),
			Reference: e.VerificationID,
			Key:       "verification:" + e.VerificationID + ":overdue",
		}, false)
	})
}

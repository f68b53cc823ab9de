package activities

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/sms"
)

// TestCodeHash is the unsalted hash of a test number's code that verifications
// started before TestCodeHMAC held. Kept so their histories replay.
func TestCodeHash(testNumberID, code string) string {
	h := sha256.Sum256([]byte(testNumberID + ":" + code))
	return hex.EncodeToString(h[:])
}

// TestCodeHMAC is the hex HMAC-SHA256 of a test number's code keyed with the
// number's salt, which stays in Postgres. The workflow compares these and never sees
// the code; without the salt its history does not reveal the code.
func TestCodeHMAC(salt []byte, testNumberID, code string) string {
	m := hmac.New(sha256.New, salt)
	m.Write([]byte(testNumberID + ":" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// SendTestNumberCode sends a new 6-digit code to a pending test number, stores its
// TestCodeHMAC with a new salt and returns the HMAC. A retry sends a new code, and the
// last one sent is the valid one.
func (a *Activities) SendTestNumberCode(ctx context.Context, testNumberID string) (string, error) {
	tn, err := a.Store.GetTestNumberByID(ctx, testNumberID)
	if db.IsNoRows(err) || (err == nil && tn.Status != "pending") {
		return "", temporal.NewNonRetryableApplicationError("the test number is not pending",
			"TestNumberGone", nil)
	}
	if err != nil {
		return "", fmt.Errorf("reading test number: %w", err)
	}
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	salt := make([]byte, 32)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	code := fmt.Sprintf("%06d", n.Int64())
	hash := TestCodeHMAC(salt, tn.ID, code)
	// The salt is stored before the code is sent, so the code can be checked as soon
	// as it arrives.
	raw, _ := hex.DecodeString(hash)
	if err := a.Store.SetTestNumberCode(ctx, db.SetTestNumberCodeParams{
		ID: tn.ID, CodeHash: raw, CodeSalt: salt,
	}); err != nil {
		return "", fmt.Errorf("storing code hash: %w", err)
	}
	if activity.GetInfo(ctx).Attempt > 1 {
		// A retry texts a new code: it counts against the resend limits as the first
		// one, recorded when the number was added, does.
		if err := a.Store.RecordTestNumberCode(ctx, db.RecordTestNumberCodeParams{
			AccountSid: tn.AccountSid, Mobile: tn.Mobile, CreatedAt: time.Now(),
		}); err != nil {
			return "", fmt.Errorf("recording the resent code: %w", err)
		}
	}
	if err := a.Outside.SMS.Send(ctx, sms.Message{
		Mobile: tn.Mobile,
		Body:   fmt.Sprintf("【壹耘】您的测试号码验证码为 %s，5 分钟内有效。", code),
		Key:    "test-number:" + tn.ID + ":" + hash[:16],
	}); err != nil {
		return "", fmt.Errorf("sending code: %w", err)
	}
	return hash, nil
}

// FinishTestNumber records how a test number's verification ended: verified or
// expired, after attempts tries. A number deleted meanwhile is left alone.
func (a *Activities) FinishTestNumber(ctx context.Context, testNumberID, status string,
	attempts int) error {
	_, err := a.Store.SetTestNumberStatus(ctx, db.SetTestNumberStatusParams{
		ID: testNumberID, Status: status, Attempts: int32(attempts),
	})
	return err
}

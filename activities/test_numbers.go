package activities

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"

	"go.temporal.io/sdk/temporal"

	"github.com/yiyun-console/console/db"
	"github.com/yiyun-console/console/internal/sms"
)

// TestCodeHash is the hash of a test number's code, as the workflow keeps it: the
// code itself never enters the workflow's history.
func TestCodeHash(testNumberID, code string) string {
	h := sha256.Sum256([]byte(testNumberID + ":" + code))
	return hex.EncodeToString(h[:])
}

// SendTestNumberCode sends a new 6-digit code to a pending test number and returns
// its TestCodeHash. A retry sends a new code, and the last one sent is the valid one.
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
	code := fmt.Sprintf("%06d", n.Int64())
	hash := TestCodeHash(tn.ID, code)
	if err := a.Outside.SMS.Send(ctx, sms.Message{
		Mobile: tn.Mobile,
		Body:   fmt.Sprintf("【壹耘】您的测试号码验证码为 %s，5 分钟内有效。", code),
		Key:    "test-number:" + tn.ID + ":" + hash[:16],
	}); err != nil {
		return "", fmt.Errorf("sending code: %w", err)
	}
	raw, _ := hex.DecodeString(hash)
	if err := a.Store.SetTestNumberCode(ctx, db.SetTestNumberCodeParams{
		ID: tn.ID, CodeHash: raw,
	}); err != nil {
		return "", fmt.Errorf("storing code hash: %w", err)
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

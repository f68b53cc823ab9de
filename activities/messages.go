package activities

import (
	"context"

	"github.com/yiyun-console/console/internal/messages"
)

// PostMessage posts a message to an account's message center. Its key makes it
// idempotent: a retried activity never posts twice.
func (a *Activities) PostMessage(ctx context.Context, m messages.Message) error {
	_, err := messages.Post(ctx, a.Store.Queries, m)
	return err
}

// PostStaffMessage posts a message to every operator, and to reviewers when
// reviewers is set, once per staff account.
func (a *Activities) PostStaffMessage(ctx context.Context, m messages.Message,
	reviewers bool) error {
	return messages.PostToStaff(ctx, a.Store.Queries, m, reviewers)
}

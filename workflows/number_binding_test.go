package workflows_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"go.temporal.io/sdk/testsuite"

	"github.com/yiyun-console/console/activities"
	"github.com/yiyun-console/console/workflows"
)

// flakyCarrier fails its first failures calls transiently, or every call when
// failures is negative.
type flakyCarrier struct {
	failures  int64
	provision atomic.Int64
	release   atomic.Int64
}

func (c *flakyCarrier) Provision(ctx context.Context, bindingID, number string) error {
	n := c.provision.Add(1)
	if c.failures < 0 || n <= c.failures {
		return errors.New("carrier busy")
	}
	return nil
}

func (c *flakyCarrier) Release(ctx context.Context, bindingID, number string) error {
	c.release.Add(1)
	return nil
}

var (
	binding = activities.NumberBinding{BindingID: "b1", AppID: "app1", AccountSID: "acct1"}
	number  = activities.BoundNumber{NumberID: "n1", Number: "01088889999"}
)

func TestNumberBindingRetriesAFlakyCarrier(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	c := &flakyCarrier{failures: 3}
	acts := &activities.Activities{Outside: activities.Outside{Carrier: c}}
	env.RegisterActivity(acts)
	env.OnActivity(acts.ReserveNumber, mock.Anything, binding).Return(number, nil).Once()
	env.OnActivity(acts.BindNumber, mock.Anything, binding).Return(nil).Once()

	env.ExecuteWorkflow(workflows.NumberBindingWorkflow, binding)
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	var got activities.BoundNumber
	if err := env.GetWorkflowResult(&got); err != nil || got != number {
		t.Fatalf("bound %+v, %v", got, err)
	}
	if n := c.provision.Load(); n != 4 {
		t.Errorf("provision calls: %d, want 3 failures and 1 success", n)
	}
	env.AssertExpectations(t)
}

func TestNumberBindingGivesBackANumberTheCarrierNeverTakes(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	c := &flakyCarrier{failures: -1}
	acts := &activities.Activities{Outside: activities.Outside{Carrier: c}}
	env.RegisterActivity(acts)
	env.OnActivity(acts.ReserveNumber, mock.Anything, binding).Return(number, nil).Once()
	env.OnActivity(acts.ReturnNumber, mock.Anything, binding, number).Return(nil).Once()

	start := env.Now()
	env.ExecuteWorkflow(workflows.NumberBindingWorkflow, binding)
	if env.GetWorkflowError() == nil {
		t.Fatal("the binding succeeded with a carrier that always fails")
	}
	// Retried with growing backoff (the test environment caps the attempts at ten),
	// then given back.
	if d := env.Now().Sub(start); d < 2*time.Minute {
		t.Errorf("gave up after %s", d)
	}
	if c.provision.Load() < 5 {
		t.Errorf("provision tried %d times", c.provision.Load())
	}
	env.AssertExpectations(t)
}

func TestNumberReleaseCoolsForThirtyDays(t *testing.T) {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	start := env.Now()
	wantUntil := start.Add(30 * 24 * time.Hour)

	var released activities.NumberRelease
	env.OnActivity(acts.ReleaseNumber, mock.Anything, mock.Anything).Return(
		func(_ context.Context, r activities.NumberRelease) error {
			released = r
			return nil
		}).Once()
	freed := false
	env.OnActivity(acts.FreeCooledNumber, mock.Anything, "n1", mock.Anything).Return(
		func(_ context.Context, id string, at time.Time) error {
			freed = true
			if !at.Equal(wantUntil) {
				t.Errorf("freed as of %s, want %s", at, wantUntil)
			}
			return nil
		}).Once()
	// A day before the end of cooling the number is still cooling.
	env.RegisterDelayedCallback(func() {
		if freed {
			t.Error("the number was freed before 30 days")
		}
	}, 29*24*time.Hour)

	env.ExecuteWorkflow(workflows.NumberReleaseWorkflow, activities.NumberRelease{
		BindingID: "b1", AppID: "app1", NumberID: "n1", Number: "01088889999"})
	if err := env.GetWorkflowError(); err != nil {
		t.Fatal(err)
	}
	if !released.CoolingUntil.Equal(wantUntil) || !freed {
		t.Errorf("cooling until %s (want %s), freed %v", released.CoolingUntil, wantUntil, freed)
	}
	if d := env.Now().Sub(start); d < 30*24*time.Hour {
		t.Errorf("workflow ended after %s", d)
	}
	env.AssertExpectations(t)
}

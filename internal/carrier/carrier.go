// Package carrier provisions inbound numbers with the telephone carrier. The
// console talks to it through the Carrier interface; the default, Simulated, stands
// in for a real carrier on one machine, with its latency and its occasional
// transient failures, which the binding workflow retries.
package carrier

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// ErrTransient is a failure worth retrying: the carrier was busy or timed out.
var ErrTransient = errors.New("carrier temporarily unavailable")

// Carrier routes inbound numbers to the platform.
type Carrier interface {
	// Provision routes number to the app's IVR. Provisioning a number twice for
	// the same binding is harmless.
	Provision(ctx context.Context, bindingID, number string) error
	// Release stops routing number. Releasing a released number is harmless.
	Release(ctx context.Context, bindingID, number string) error
}

// Simulated is a carrier that answers after Latency and fails transiently with
// probability FailureRate (0 to 1).
type Simulated struct {
	Latency     time.Duration
	FailureRate float64
}

// Default returns the simulated carrier the console uses when no real one is set.
func Default() *Simulated {
	return &Simulated{Latency: 50 * time.Millisecond, FailureRate: 0.1}
}

// Provision waits Latency and then succeeds or fails transiently.
func (s *Simulated) Provision(ctx context.Context, bindingID, number string) error {
	return s.answer(ctx)
}

// Release waits Latency and then succeeds or fails transiently.
func (s *Simulated) Release(ctx context.Context, bindingID, number string) error {
	return s.answer(ctx)
}

func (s *Simulated) answer(ctx context.Context) error {
	if s.Latency > 0 {
		// Jitter the latency by up to half, as a real carrier's API would.
		d := s.Latency/2 + rand.N(s.Latency/2+1)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(d):
		}
	}
	if s.FailureRate > 0 && rand.Float64() < s.FailureRate {
		return ErrTransient
	}
	return nil
}

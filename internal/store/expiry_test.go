package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// keyRows counts the rows of a key table (the root check row excluded).
func keyRows(t *testing.T, kv jetstream.KeyValue) int {
	t.Helper()
	n := 0
	err := scan(context.Background(), kv, ">", func(e jetstream.KeyValueEntry) error {
		if e.Key() != checkKey {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestExpiryByClock drives expiry with Options.Now: what has expired is never
// returned, and Sweep destroys its key and erases it.
func TestExpiryByClock(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(fmt.Sprint("secure=", secure), func(t *testing.T) { testExpiryByClock(t, secure) })
	}
}

func testExpiryByClock(t *testing.T, secure bool) {
	clk := newClock()
	s, _ := openTest(t, func(o *Options) { o.Now, o.SecureDelete = clk.Now, secure })
	ctx := context.Background()
	now := clk.Now()
	mustPut(t, s, Message{ID: "short", To: "ALICE", From: "BOB", Expires: now.Add(time.Hour)})
	mustPut(t, s, Message{ID: "long", To: "ALICE", From: "BOB", Expires: now.Add(3 * time.Hour)})
	mustPut(t, s, Message{ID: "sub", To: "CAROL", From: "BOB", Expires: now.Add(time.Hour)})
	if st, err := s.Sweep(ctx); err != nil || st != (SweepStats{}) {
		t.Fatalf("early Sweep = %+v, %v", st, err)
	}

	clk.Advance(time.Hour) // Expires <= Now counts as expired
	if l, err := s.List(ctx, "ALICE"); err != nil || !slices.Equal(ids(l), []string{"long"}) {
		t.Fatalf("List = %v, %v", ids(l), err)
	}
	if _, err := s.Get(ctx, "ALICE", "short"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get expired = %v", err)
	}
	// A subscription never sees an expired message, and removes it.
	c := newCollector()
	sub, err := s.Subscribe(ctx, "CAROL", c.fn)
	if err != nil {
		t.Fatal(err)
	}
	c.none(t, 500*time.Millisecond)
	sub.Stop()
	if seq := storedSeq(t, s, "CAROL", "sub"); seq != 0 {
		t.Fatalf("expired message still stored at %d after delivery attempt", seq)
	}

	st, err := s.Sweep(ctx)
	if err != nil || st.Messages != 1 {
		t.Fatalf("Sweep = %+v, %v; want 1 message", st, err)
	}
	if seq := storedSeq(t, s, "ALICE", "short"); seq != 0 {
		t.Fatalf("expired message still stored at %d after Sweep", seq)
	}
	if info, err := s.mail.Info(ctx); err != nil || info.State.Msgs != 1 {
		t.Fatalf("mail stream holds %+v (%v), want 1 message", info.State, err)
	}
	if got, err := s.Get(ctx, "ALICE", "long"); err != nil || got.ID != "long" {
		t.Fatalf("Get long = %+v, %v", got, err)
	}
}

// TestEpochs: a new epoch gets a new key; an epoch key is destroyed once
// Epoch+MaxTTL have passed since its epoch began, not before.
func TestEpochs(t *testing.T) {
	clk := newClock() // 03:04:05
	s, _ := openTest(t, func(o *Options) {
		o.Now, o.Epoch, o.MaxTTL, o.DefaultTTL = clk.Now, time.Hour, 2*time.Hour, time.Hour
	})
	ctx := context.Background()
	mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB"}) // epoch 03:00, expires 04:04:05
	clk.Advance(time.Hour)
	mustPut(t, s, Message{ID: "b", To: "ALICE", From: "BOB", Expires: clk.Now().Add(2 * time.Hour)}) // epoch 04:00, expires 06:04:05
	if n := keyRows(t, s.epochs); n != 2 {
		t.Fatalf("%d epoch keys, want 2", n)
	}

	clk.Advance(time.Hour + 56*time.Minute) // 06:00:05: past the first epoch's deadline
	st, err := s.Sweep(ctx)
	if err != nil || st != (SweepStats{Messages: 1, Epochs: 1}) {
		t.Fatalf("Sweep = %+v, %v; want a's key and the first epoch key", st, err)
	}
	if got, err := s.Get(ctx, "ALICE", "b"); err != nil || got.ID != "b" {
		t.Fatalf("b lost with the old epoch: %+v, %v", got, err)
	}
	clk.Advance(time.Hour) // 07:00:05
	if st, err := s.Sweep(ctx); err != nil || st != (SweepStats{Messages: 1, Epochs: 1}) {
		t.Fatalf("second Sweep = %+v, %v", st, err)
	}
	if n := keyRows(t, s.epochs); n != 0 {
		t.Fatalf("%d epoch keys left", n)
	}
	// The store goes on: a Put makes a new epoch key.
	mustPut(t, s, Message{ID: "c", To: "ALICE", From: "BOB"})
	if l, err := s.List(ctx, "ALICE"); err != nil || !slices.Equal(ids(l), []string{"c"}) {
		t.Fatalf("List = %v, %v", ids(l), err)
	}
}

// TestJanitorSchedule checks the janitor's timing on synctest's fake clock.
// The whole store cannot run in a bubble: Open and Put work there (net.Pipe
// is fine), but nats-server's access-time goroutine (server/ats) selects on
// a package-level channel made outside the bubble, so it never counts as
// durably blocked and the fake clock never advances.
func TestJanitorSchedule(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var calls atomic.Int32
		done := make(chan struct{})
		go func() {
			defer close(done)
			runJanitor(ctx, time.Minute, func(ctx context.Context) {
				calls.Add(1)
				time.Sleep(90 * time.Second) // a sweep slower than the interval
			})
		}()
		time.Sleep(59 * time.Second)
		synctest.Wait()
		if n := calls.Load(); n != 0 {
			t.Fatalf("%d sweeps before the first minute", n)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if n := calls.Load(); n != 1 {
			t.Fatalf("%d sweeps after a minute, want 1", n)
		}
		// Ticks missed during a slow sweep are dropped, not queued.
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		if n := calls.Load(); n < 5 || n > 7 {
			t.Fatalf("%d sweeps in 11 minutes of 90-second sweeps, want about 6", n)
		}
		cancel()
		<-done
	})
}

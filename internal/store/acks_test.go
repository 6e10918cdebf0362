package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestAckBatchKeepsUnacknowledged: many Acks at once are removed in batches
// (purges below the owner's floor), and a message between acknowledged ones
// that nobody acknowledged is never taken with them.
func TestAckBatchKeepsUnacknowledged(t *testing.T) {
	s, _ := openTest(t, nil)
	ctx := context.Background()
	const n = 200
	for i := range n {
		mustPut(t, s, Message{ID: fmt.Sprintf("m%03d", i), To: "ALICE", From: "BOB", Body: []byte("x")})
		mustPut(t, s, Message{ID: fmt.Sprintf("b%03d", i), To: "BOB", From: "ALICE", Body: []byte("y")})
	}
	var wg sync.WaitGroup
	for i := range n {
		if i%7 == 3 {
			continue // left unacknowledged
		}
		wg.Go(func() {
			if err := s.Ack(ctx, "ALICE", fmt.Sprintf("m%03d", i)); err != nil {
				t.Errorf("Ack(m%03d): %v", i, err)
			}
		})
	}
	wg.Wait()
	left, err := s.List(ctx, "ALICE")
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for i := range n {
		if i%7 == 3 {
			want++
			if _, err := s.Get(ctx, "ALICE", fmt.Sprintf("m%03d", i)); err != nil {
				t.Errorf("Get(m%03d), never acknowledged: %v", i, err)
			}
		}
	}
	if len(left) != want {
		t.Fatalf("ALICE has %d messages left, want %d", len(left), want)
	}
	if bob, err := s.List(ctx, "BOB"); err != nil || len(bob) != n {
		t.Fatalf("BOB has %d messages, %v; want all %d", len(bob), err, n)
	}
	for i := range n {
		if i%7 != 3 {
			if err := s.Ack(ctx, "ALICE", fmt.Sprintf("m%03d", i)); err != ErrNotFound {
				t.Fatalf("second Ack(m%03d) = %v, want ErrNotFound", i, err)
			}
		}
	}
}

// TestOwnerFloor: the floor is the lowest live sequence, in-flight floor or
// suspect floor, whichever is lowest; a suspect floor goes after a sweep.
func TestOwnerFloor(t *testing.T) {
	x := newMailIndex()
	ref := func(i int) string { return fmt.Sprintf("%0*x", 2*refSize, i) }
	if f := x.floor("A"); f != math.MaxUint64 {
		t.Fatalf("floor of nobody = %d", f)
	}
	for i := 1; i <= 5; i++ {
		x.add("A", ref(i), uint64(i*10))
	}
	if f := x.floor("A"); f != 10 {
		t.Fatalf("floor = %d, want 10", f)
	}
	x.take("A", ref(3), 0) // 30, from the middle
	x.take("A", ref(1), 0) // 10
	if f := x.floor("A"); f != 20 {
		t.Fatalf("floor after taking 10 and 30 = %d, want 20", f)
	}
	x.take("A", ref(2), 0)
	if f := x.floor("A"); f != 40 {
		t.Fatalf("floor after taking 20 = %d, want 40 (30 was taken)", f)
	}
	fl := x.beginPut("A") // lastSeq is 50: the new message is above
	if fl != 51 {
		t.Fatalf("beginPut floor = %d, want 51", fl)
	}
	x.take("A", ref(4), 0)
	x.take("A", ref(5), 0)
	if f := x.floor("A"); f != 51 {
		t.Fatalf("floor with a Put in flight = %d, want 51", f)
	}
	x.endPut("A", fl, true) // failed: suspect
	if f := x.floor("A"); f != 51 {
		t.Fatalf("floor with a suspect Put = %d, want 51", f)
	}
	x.swept() // a sweep that began before the failure does not clear it
	if f := x.floor("A"); f != 51 {
		t.Fatalf("floor after an earlier sweep = %d, want 51", f)
	}
	x.begin()
	x.swept()
	if f := x.floor("A"); f != math.MaxUint64 {
		t.Fatalf("floor after a later sweep = %d, want none", f)
	}
	if len(x.owners) != 0 {
		t.Fatalf("owners left: %d", len(x.owners))
	}
}

// TestAckRacingClose: Acks in flight when the store closes each end (none
// waits for ever), and what they report holds after a reopen: a message
// whose Ack succeeded is gone, one whose Ack reported ErrClosed is still
// there.
func TestAckRacingClose(t *testing.T) {
	o := Options{Dir: t.TempDir(), RootKey: testRoot, Now: newClock().Now}
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	const n = 300
	for i := range n {
		mustPut(t, s, Message{ID: fmt.Sprintf("m%03d", i), To: "ALICE", From: "BOB", Body: []byte("x")})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.Ack(ctx, "ALICE", fmt.Sprintf("m%03d", i))
		})
	}
	close(start)
	time.Sleep(time.Millisecond)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	wg.Wait()
	s, err = Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var gone, kept int
	for i, aerr := range errs {
		id := fmt.Sprintf("m%03d", i)
		_, gerr := s.Get(context.Background(), "ALICE", id)
		switch {
		case errors.Is(aerr, context.DeadlineExceeded):
			t.Errorf("Ack(%s) waited out its context", id)
		case aerr == nil:
			gone++
			if !errors.Is(gerr, ErrNotFound) {
				t.Errorf("Ack(%s) succeeded, but after a reopen Get = %v", id, gerr)
			}
		case errors.Is(aerr, ErrClosed):
			kept++
			if gerr != nil {
				t.Errorf("Ack(%s) = %v, but after a reopen Get = %v", id, aerr, gerr)
			}
		}
	}
	t.Logf("%d Acks succeeded, %d met the close", gone, kept)
}

// TestAcksCountedOnce: acknowledged together, messages go mostly in purges,
// and Removals counts each acknowledged message once, purged or deleted;
// with SecureDelete none is purged (a purge does not overwrite).
func TestAcksCountedOnce(t *testing.T) {
	t.Run("batched", func(t *testing.T) { testAcksCounted(t, false) })
	t.Run("secure-delete", func(t *testing.T) { testAcksCounted(t, true) })
}

func testAcksCounted(t *testing.T, secure bool) {
	s, _ := openTest(t, func(o *Options) { o.SecureDelete = secure })
	ctx := context.Background()
	const n = 300
	for i := range n {
		mustPut(t, s, Message{ID: fmt.Sprintf("m%03d", i), To: "ALICE", From: "BOB", Body: []byte("x")})
	}
	var wg sync.WaitGroup
	for w := range 30 {
		wg.Go(func() {
			for i := w; i < n; i += 30 {
				if err := s.Ack(ctx, "ALICE", fmt.Sprintf("m%03d", i)); err != nil {
					t.Errorf("Ack(m%03d): %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	r := s.Removals()
	if r.Purged+r.Deletes != n {
		t.Errorf("Removals %+v: %d removed, want %d", r, r.Purged+r.Deletes, n)
	}
	switch {
	case secure && r.Purges != 0:
		t.Errorf("Removals %+v: purged with SecureDelete", r)
	case !secure && (r.Purges == 0 || r.Purged < r.Purges):
		t.Errorf("Removals %+v: no run of acknowledged messages was purged", r)
	}
	t.Logf("%+v", r)
}

// TestAckFuncCallsBackOnce: AckFunc calls done exactly once per call, with
// nil once the message is gone, and at once with ErrNotFound for what is not
// there or an error for a closed store.
func TestAckFuncCallsBackOnce(t *testing.T) {
	o := Options{Dir: t.TempDir(), RootKey: testRoot, Now: newClock().Now}
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	const n = 100
	for i := range n {
		mustPut(t, s, Message{ID: fmt.Sprintf("m%03d", i), To: "ALICE", From: "BOB", Body: []byte("x")})
	}
	calls := make([]atomic.Int32, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		s.AckFunc(ctx, "ALICE", fmt.Sprintf("m%03d", i), func(err error) {
			if err != nil {
				t.Errorf("AckFunc(m%03d): %v", i, err)
			}
			if calls[i].Add(1) == 1 {
				wg.Done()
			}
		})
	}
	wg.Wait()
	if left, err := s.List(ctx, "ALICE"); err != nil || len(left) != 0 {
		t.Fatalf("List after the acks: %d left, %v", len(left), err)
	}
	sync1 := func(id string) (called bool, got error) {
		s.AckFunc(ctx, "ALICE", id, func(err error) { got, called = err, true })
		return called, got
	}
	if called, err := sync1("m000"); !called || !errors.Is(err, ErrNotFound) {
		t.Errorf("AckFunc of an acknowledged message: called %v, %v; want ErrNotFound at once", called, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if called, err := sync1("m001"); !called || err == nil {
		t.Errorf("AckFunc on a closed store: called %v, %v; want an error at once", called, err)
	}
	time.Sleep(50 * time.Millisecond) // room for a second call
	for i := range calls {
		if c := calls[i].Load(); c != 1 {
			t.Errorf("done for m%03d called %d times", i, c)
		}
	}
}

package store

import (
	"context"
	"testing"
	"time"
)

// TestReadyDuringRefusal: the hub's writer can take the full queue and call
// Ready after fn has refused a message but before try has noted the refusal
// (fn returns, then try takes sub.mu). That Ready finds nothing held, so
// unless try sees it, the message waits for the next tick: the wake-up Ready exists to give is lost. Here fn has Ready
// called on another goroutine, and waits for it, before it refuses: the
// order the hub's session and writer can take.
func TestReadyDuringRefusal(t *testing.T) {
	s := &Store{ready: make(chan struct{}, 1)}
	s.opts.Redeliver = time.Hour
	var sub *Subscription
	sub = &Subscription{s: s, ctx: context.Background(), fn: func(Message) bool {
		done := make(chan struct{})
		go func() { sub.Ready(); close(done) }() // the writer, having taken the queue
		<-done
		return false // the queue was full when this delivery looked
	}}
	if sub.try("ref", Message{ID: "a"}, true) {
		t.Fatal("fn refused, try says it took the message")
	}
	if len(sub.held) != 1 || sub.held[0].m.ID != "a" {
		t.Errorf("the message refused is not held: %+v", sub.held)
	}
	select {
	case <-s.ready:
	default:
		t.Error("the redelivery loop was not woken for the message refused while Ready ran")
	}
}

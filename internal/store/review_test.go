package store

import (
	"context"
	"testing"
	"time"
)

// TestReadyDuringRefusal: the hub's writer can take the full queue and call
// Ready after fn has refused a message but before try has noted the refusal
// (fn returns, then try takes sub.mu). That Ready finds nothing refused to
// hurry, so unless try sees it, the message waits the full refusedRetry and
// the next tick: the wake-up Ready exists to give is lost. Here fn has Ready
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
	if due := sub.pending["ref"].due; due.After(time.Now()) {
		t.Errorf("the message refused while Ready ran is due in %v, not at once", time.Until(due))
	}
	select {
	case <-s.ready:
	default:
		t.Error("the redelivery loop was not woken for the message refused while Ready ran")
	}
}

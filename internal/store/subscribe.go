package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Subscription is a running Subscribe. Stop it, or cancel its context.
//
// A subscription costs no JetStream consumer: the store hands each message
// it puts to the owner's subscriptions itself, after JetStream has
// acknowledged it, and a new subscription first reads the owner's backlog
// from the stream. That keeps an idle connected party down to a map entry
// and a few small structs, where a durable consumer costs tens of kilobytes
// and several goroutines in the server and the client.
type Subscription struct {
	s      *Store
	owner  string
	fn     func(Message) bool
	ctx    context.Context
	cancel context.CancelFunc

	fnMu sync.Mutex // serializes calls to fn; Stop takes it to wait for the last one

	mu      sync.Mutex
	scanned bool                 // the backlog has been read
	scanTo  uint64               // the stream's last sequence when the backlog read began
	queued  []offer              // put while the backlog was being read
	pending map[string]*inFlight // by ref: offered and not yet acknowledged

	readies atomic.Uint64 // calls to Ready so far: try sees one made while fn ran

	scanDone chan struct{}
	unwatch  func() bool
	once     sync.Once
}

// offer is a message on its way to fn, with its reference.
type offer struct {
	ref string
	m   Message
}

// inFlight is a message fn was offered, or refused, and nobody has
// acknowledged yet.
type inFlight struct {
	id      string
	due     time.Time // when to offer it again
	refused bool      // fn refused it: due soon, and at once after Ready
}

// refusedRetry is how soon a message fn refused (its queue was full) is
// offered again; redeliveryTick is how often the store looks.
const (
	refusedRetry   = 20 * time.Millisecond
	redeliveryTick = 20 * time.Millisecond
)

// Subscribe calls fn with each of owner's pending messages, the backlog
// first, oldest first, then with each new one as it is put, until ctx ends
// or the subscription is stopped. fn reports whether it took the message;
// one it refused is offered again shortly after (at once after Ready), and one it took but that
// nobody acknowledged with Ack within Options.Redeliver is offered again
// then, so fn may see a message more than once and the caller removes
// duplicates by ID. Calls to fn are sequential and must not block: they run
// on the goroutine of the Put that stored the message. When an owner has two
// subscriptions, each sees every message.
//
// Only messages put through this Store are handed on as they arrive: a second
// process writing to the same external JetStream is not supported (see the
// package documentation); its messages reach a subscription only when it is
// next made.
func (s *Store) Subscribe(ctx context.Context, owner string, fn func(Message) bool) (*Subscription, error) {
	if err := s.alive(); err != nil {
		return nil, err
	}
	if err := checkPrincipal("owner", owner); err != nil {
		return nil, err
	}
	sctx, cancel := context.WithCancel(ctx)
	sub := &Subscription{s: s, owner: owner, fn: fn, ctx: sctx, cancel: cancel, scanDone: make(chan struct{})}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		cancel()
		return nil, ErrClosed
	}
	s.subs[owner] = append(s.subs[owner], sub)
	sub.unwatch = context.AfterFunc(sctx, sub.Stop) // under s.mu, which Stop takes first
	s.mu.Unlock()
	go sub.readBacklog()
	return sub, nil
}

// Stop ends the subscription and returns once no call to fn is running. It
// must not be called from fn (cancel the Subscribe context there instead).
// Stopping twice is harmless.
func (sub *Subscription) Stop() {
	sub.once.Do(func() {
		s := sub.s
		s.mu.Lock()
		subs := s.subs[sub.owner]
		for i, x := range subs {
			if x == sub {
				subs = append(subs[:i:i], subs[i+1:]...)
				break
			}
		}
		if len(subs) == 0 {
			delete(s.subs, sub.owner)
		} else {
			s.subs[sub.owner] = subs
		}
		s.mu.Unlock()
		if sub.unwatch != nil {
			sub.unwatch()
		}
		sub.cancel()
		<-sub.scanDone
		sub.fnMu.Lock() // wait for a call in progress
		sub.fnMu.Unlock()
	})
}

// readBacklog offers the owner's stored messages in stream order, up to the
// stream's last sequence when it began, then the ones put since. It waits
// while fn refuses (the session's queue is full) rather than skipping ahead,
// so a backlog arrives in order however large it is; a transient read error
// is retried with backoff.
func (sub *Subscription) readBacklog() {
	defer close(sub.scanDone)
	s := sub.s
	end, err := sub.backlogEnd()
	for seq, tries := uint64(1), 0; err == nil && seq <= end && sub.ctx.Err() == nil; {
		raw, gerr := s.mail.GetMsg(sub.ctx, seq, jetstream.WithGetMsgSubject(mailFilter(sub.owner)))
		if errors.Is(gerr, jetstream.ErrMsgNotFound) {
			break
		}
		if gerr != nil {
			if tries++; tries < 5 && sleepCtx(sub.ctx, time.Duration(tries)*100*time.Millisecond) {
				continue
			}
			err = gerr
			break
		}
		tries = 0
		if raw.Sequence < seq {
			err = fmt.Errorf("%w: asked for mail from sequence %d, got %d", errCorrupt, seq, raw.Sequence)
			break
		}
		if raw.Sequence > end {
			break // put since the read began: it is in the queue
		}
		seq = raw.Sequence + 1
		m, oerr := s.openMail(sub.ctx, raw)
		ref := recordRef(raw.Header)
		switch {
		case errors.Is(oerr, errShredded):
			// Expired, or its epoch key destroyed: remove it so it is not read again.
			if _, err := erase(sub.ctx, s.mail, raw.Sequence, s.opts.SecureDelete); err != nil && sub.ctx.Err() == nil {
				s.log("store: removing an expired message", "seq", raw.Sequence, "err", err)
			}
		case oerr != nil:
			if sub.ctx.Err() == nil {
				s.log("store: cannot open a stored message; leaving it to expire", "seq", raw.Sequence, "err", oerr)
			}
		default:
			sub.offerWaiting(ref, m)
		}
	}
	if err != nil && sub.ctx.Err() == nil {
		s.log("store: reading a mailbox backlog; what is left comes when the subscription is next made",
			"owner", sub.owner, "err", err)
	}
	sub.mu.Lock()
	sub.scanned, sub.scanTo = true, end
	queued := sub.queued
	sub.queued = nil
	sub.mu.Unlock()
	for _, o := range queued {
		if o.m.Seq > end { // the read did not reach it
			sub.offerWaiting(o.ref, o.m)
		}
	}
}

// backlogEnd is the stream's last sequence now: the backlog read stops there,
// and everything stored later reaches the subscription through arrive.
func (sub *Subscription) backlogEnd() (uint64, error) {
	var err error
	for tries := 1; tries <= 5; tries++ {
		var info *jetstream.StreamInfo
		if info, err = sub.s.mail.Info(sub.ctx); err == nil {
			return info.State.LastSeq, nil
		}
		if !sleepCtx(sub.ctx, time.Duration(tries)*100*time.Millisecond) {
			break
		}
	}
	return 0, err
}

// sleepCtx sleeps for d and reports whether ctx is still live.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// arrive hands on a message just put: at once, after the backlog read, or
// not at all when the backlog read covers it.
func (sub *Subscription) arrive(ref string, m Message) {
	sub.mu.Lock()
	if !sub.scanned {
		sub.queued = append(sub.queued, offer{ref, m})
		sub.mu.Unlock()
		return
	}
	covered := m.Seq <= sub.scanTo
	sub.mu.Unlock()
	if !covered {
		sub.offer(ref, m)
	}
}

// offerWaiting offers m until fn takes it or the subscription ends. A
// refusal leaves nothing for redeliver, which would offer out of order.
func (sub *Subscription) offerWaiting(ref string, m Message) {
	for !sub.try(ref, m, false) && sleepCtx(sub.ctx, refusedRetry) {
	}
}

// offer calls fn and notes the message as in flight, due again after
// Redeliver if fn took it and soon if it refused. It reports whether fn took
// it.
func (sub *Subscription) offer(ref string, m Message) bool { return sub.try(ref, m, true) }

// try calls fn with m. If fn takes it, m is in flight, due again after
// Redeliver; if fn refuses, m is due again soon when retry is set, and left
// to the caller otherwise.
func (sub *Subscription) try(ref string, m Message, retry bool) bool {
	sub.fnMu.Lock()
	defer sub.fnMu.Unlock()
	if sub.ctx.Err() != nil {
		return false
	}
	readies := sub.readies.Load()
	took := sub.fn(m)
	wait := sub.s.opts.Redeliver
	if !took {
		wait = refusedRetry
	}
	sub.mu.Lock()
	if !took && !retry {
		delete(sub.pending, ref)
		sub.mu.Unlock()
		return false
	}
	if sub.pending == nil {
		sub.pending = make(map[string]*inFlight)
	}
	// A Ready made while fn ran found this refusal not yet noted: it is due
	// now, and the redelivery loop is woken here instead.
	wake := !took && sub.readies.Load() != readies
	if wake {
		wait = 0
	}
	sub.pending[ref] = &inFlight{id: m.ID, due: time.Now().Add(wait), refused: !took}
	sub.mu.Unlock()
	if wake {
		sub.s.wake()
	}
	return took
}

// Ready tells the store that fn has room again after refusing: what it
// refused is offered again now rather than at the next retry. It does not
// wait for that; it is safe to call from any goroutine, but not from fn.
func (sub *Subscription) Ready() {
	sub.readies.Add(1) // before the scan: a refusal try notes after it sees this
	now := time.Now()
	soon := false
	sub.mu.Lock()
	for _, f := range sub.pending {
		if f.refused && f.due.After(now) {
			f.due, soon = now, true
		}
	}
	sub.mu.Unlock()
	if soon {
		sub.s.wake()
	}
}

// wake has the redelivery loop run now rather than at its next tick.
func (s *Store) wake() {
	select {
	case s.ready <- struct{}{}:
	default: // a redelivery is already due
	}
}

// forget drops ref from the in-flight set: it was acknowledged or is gone.
func (sub *Subscription) forget(ref string) {
	sub.mu.Lock()
	delete(sub.pending, ref)
	sub.mu.Unlock()
}

// overdue returns the in-flight messages due again at now.
func (sub *Subscription) overdue(now time.Time) []offer {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	var out []offer
	for ref, f := range sub.pending {
		if !f.due.After(now) {
			out = append(out, offer{ref: ref, m: Message{ID: f.id}})
		}
	}
	return out
}

// dispatch hands a message just put to its owner's subscriptions.
func (s *Store) dispatch(ref string, m Message) {
	s.mu.Lock()
	subs := s.subs[m.To]
	if len(subs) == 1 { // the usual case: no copy
		sub := subs[0]
		s.mu.Unlock()
		sub.arrive(ref, m)
		return
	}
	subs = append([]*Subscription(nil), subs...)
	s.mu.Unlock()
	for _, sub := range subs {
		sub.arrive(ref, m)
	}
}

// acked drops a message from its owner's in-flight sets.
func (s *Store) acked(owner, ref string) {
	for _, sub := range s.subsOf(owner) {
		sub.forget(ref)
	}
}

func (s *Store) subsOf(owner string) []*Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Subscription(nil), s.subs[owner]...)
}

func (s *Store) allSubs() []*Subscription {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Subscription
	for _, subs := range s.subs {
		out = append(out, subs...)
	}
	return out
}

// redeliver offers again what is overdue: refused, or taken and not
// acknowledged within Redeliver. A message that has since gone (acknowledged
// by another path, expired) is dropped.
func (s *Store) redeliver(ctx context.Context) {
	now := time.Now()
	for _, sub := range s.allSubs() {
		for _, o := range sub.overdue(now) {
			if ctx.Err() != nil {
				return
			}
			if sub.ctx.Err() != nil {
				break
			}
			m, err := s.Get(sub.ctx, sub.owner, o.m.ID)
			switch {
			case errors.Is(err, ErrNotFound):
				sub.forget(o.ref)
			case err != nil:
				if sub.ctx.Err() == nil {
					s.log("store: offering a message again", "owner", sub.owner, "err", err)
				}
			default:
				sub.offer(o.ref, m)
			}
		}
	}
}

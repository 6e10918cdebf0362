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
	nextDue time.Time            // no entry of pending is due before (when there is one)
	held    []offer              // refused, and everything since, in order (see hold)

	readies atomic.Uint64 // calls to Ready so far: try sees one made while fn ran

	scanDone chan struct{}
	unwatch  func() bool
	once     sync.Once
}

// offer is a message on its way to fn, with its reference. A thin one
// carries only m.ID and m.Seq, and is read from the stream when offered.
type offer struct {
	ref  string
	m    Message
	thin bool
}

// inFlight is a message fn took and nobody has acknowledged yet.
type inFlight struct {
	id  string
	due time.Time // when to offer it again
}

// refusedRetry is how soon what fn refused (its queue was full) is offered
// again without a Ready; redeliveryTick is how often the store looks.
const (
	refusedRetry   = 20 * time.Millisecond
	redeliveryTick = 20 * time.Millisecond
)

// maxHeldBytes bounds the message bodies that all subscriptions together
// hold in memory while fn refuses (see hold); past it a held message keeps
// only its ID and sequence and is read from the stream when its turn comes.
var maxHeldBytes int64 = 64 << 20 // a variable for tests

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
		sub.mu.Lock()
		sub.releaseHeld(len(sub.held))
		sub.mu.Unlock()
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
	// What was put during the read and the read did not reach goes ahead
	// of anything put from now on: it is held, in order, and offered so.
	sub.mu.Lock()
	sub.scanned, sub.scanTo = true, end
	for _, o := range sub.queued {
		if o.m.Seq > end {
			sub.hold(o.ref, o.m)
		}
	}
	sub.queued = nil
	sub.mu.Unlock()
	sub.drain(sub.ctx)
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
		m.Body = append([]byte(nil), m.Body...) // the caller may reuse its buffer
		sub.queued = append(sub.queued, offer{ref: ref, m: m})
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
// Redeliver, if fn took it, or holds it if fn refused. While anything is
// held, fn is not called: m is held behind it. It reports whether fn took m.
func (sub *Subscription) offer(ref string, m Message) bool { return sub.try(ref, m, true) }

// try calls fn with m. If fn takes it, m is in flight, due again after
// Redeliver; if fn refuses, m is held when hold is set, and left to the
// caller otherwise.
func (sub *Subscription) try(ref string, m Message, hold bool) bool {
	// Refused before: m waits its turn, without waiting for a drain that
	// holds fnMu. (Looked at again under fnMu, for a refusal in between.)
	if hold && sub.heldBehind(ref, m) {
		return false
	}
	sub.fnMu.Lock()
	defer sub.fnMu.Unlock()
	if sub.ctx.Err() != nil {
		return false
	}
	if hold && sub.heldBehind(ref, m) {
		return false
	}
	readies := sub.readies.Load()
	if sub.fn(m) {
		sub.taken(ref, m.ID)
		return true
	}
	if !hold {
		return false
	}
	sub.mu.Lock()
	sub.hold(ref, m)
	// A Ready made while fn ran found nothing held yet: the redelivery
	// loop is woken here instead.
	wake := sub.readies.Load() != readies
	sub.mu.Unlock()
	if wake {
		sub.s.wake()
	}
	return false
}

// heldBehind holds m if anything is held already, and reports whether it did.
func (sub *Subscription) heldBehind(ref string, m Message) bool {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if len(sub.held) == 0 {
		return false
	}
	sub.hold(ref, m)
	return true
}

// taken notes a message fn took as in flight, due again after Redeliver
// unless acknowledged.
func (sub *Subscription) taken(ref, id string) {
	sub.mu.Lock()
	if sub.pending == nil {
		sub.pending = make(map[string]*inFlight)
	}
	due := time.Now().Add(sub.s.opts.Redeliver)
	if len(sub.pending) == 0 || due.Before(sub.nextDue) {
		sub.nextDue = due
	}
	sub.pending[ref] = &inFlight{id: id, due: due}
	sub.mu.Unlock()
}

// hold appends m to the held queue, with a copy of its body while the
// store's budget lasts (maxHeldBytes) and thin after that. Messages fn
// refused wait there in order, with those put after them, until fn takes
// them (drain): the owner gets its mail in the order it was put however
// often its session is full, and reading it again from the stream is the
// exception. Acknowledged in order, it is then removed in batches (acks.go),
// where messages offered again in no order held the owner's floor down and
// made every Ack a delete of its own. Called with sub.mu held.
func (sub *Subscription) hold(ref string, m Message) {
	if sub.ctx.Err() != nil {
		return // stopping: nothing will offer it
	}
	o := offer{ref: ref, m: m}
	if n := int64(len(m.Body)); sub.s.heldBytes.Add(n) <= maxHeldBytes {
		o.m.Body = append([]byte(nil), m.Body...) // the caller may reuse its buffer
	} else {
		sub.s.heldBytes.Add(-n)
		o.m, o.thin = Message{ID: m.ID, To: m.To, Seq: m.Seq}, true
	}
	sub.held = append(sub.held, o)
	delete(sub.pending, ref) // offered again when its turn comes, not before
}

// releaseHeld drops the first n held messages. Called with sub.mu held.
func (sub *Subscription) releaseHeld(n int) {
	var bytes int64
	for i := range sub.held[:n] {
		if !sub.held[i].thin {
			bytes += int64(len(sub.held[i].m.Body))
		}
		sub.held[i] = offer{}
	}
	sub.s.heldBytes.Add(-bytes)
	sub.held = sub.held[n:]
	if len(sub.held) == 0 {
		sub.held = nil // let the array go
	}
}

// drainPass bounds the held messages one drain offers: the redelivery loop
// serves every subscription, and a subscription whose mail comes as fast as
// it is offered (thin ones, read from the stream one by one, are slower
// than Puts) would otherwise keep it for ever.
const drainPass = 1024

// drain offers the held messages in order until fn refuses one, none is
// left, ctx ends, or drainPass have been offered; in the last case it wakes the
// redelivery loop to come back after the other subscriptions. One
// acknowledged meanwhile (by an Ack for its ID) or expired is skipped; a
// thin one is read from the stream first.
func (sub *Subscription) drain(ctx context.Context) {
	sub.mu.Lock()
	none := len(sub.held) == 0
	sub.mu.Unlock()
	if none {
		return
	}
	sub.fnMu.Lock()
	defer sub.fnMu.Unlock()
	for n := 0; sub.ctx.Err() == nil && ctx.Err() == nil; n++ {
		sub.mu.Lock()
		if len(sub.held) == 0 {
			sub.mu.Unlock()
			return
		}
		if n == drainPass {
			sub.mu.Unlock()
			sub.s.wake()
			return
		}
		o := sub.held[0]
		sub.mu.Unlock()
		m, ok := sub.current(o)
		if !ok {
			if sub.ctx.Err() != nil {
				return
			}
			sub.mu.Lock()
			sub.releaseHeld(1)
			sub.mu.Unlock()
			continue
		}
		if !sub.fn(m) {
			return // held still; Ready or the next tick comes back here
		}
		sub.mu.Lock()
		sub.releaseHeld(1)
		sub.mu.Unlock()
		sub.taken(o.ref, m.ID)
	}
}

// current returns the held message o as it is to be offered now, and false
// when it is not to be offered: acknowledged since, expired, or unreadable
// for now (a thin one whose read failed is noted for redeliver, which tries
// again after Redeliver).
func (sub *Subscription) current(o offer) (Message, bool) {
	s := sub.s
	seq, ok := s.index.lookup(o.ref)
	if !ok || seq != o.m.Seq {
		// Acknowledged, or gone with JetStream's expiry: or an Ack has
		// taken its entry and may fail and put it back. Noted as in flight,
		// it is looked for again after Redeliver (and forgotten at once if
		// the Ack succeeds).
		sub.taken(o.ref, o.m.ID)
		return Message{}, false
	}
	if !o.thin {
		if !s.now().Before(o.m.Expires) {
			return Message{}, false // the sweep removes it
		}
		return o.m, true
	}
	m, err := s.fetch(sub.ctx, sub.owner, o.ref, seq)
	switch {
	case err == nil:
		return m, true
	case !errors.Is(err, ErrNotFound) && sub.ctx.Err() == nil:
		s.log("store: offering a held message", "owner", sub.owner, "err", err)
		sub.taken(o.ref, o.m.ID) // redeliver tries again later
	}
	return Message{}, false
}

// Ready tells the store that fn has room again after refusing: what it
// refused is offered again now rather than at the next retry. It does not
// wait for that; it is safe to call from any goroutine, but not from fn.
func (sub *Subscription) Ready() {
	sub.readies.Add(1) // before the look: a refusal try notes after it sees this
	sub.mu.Lock()
	held := len(sub.held) > 0
	sub.mu.Unlock()
	if held {
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

// overdue returns the in-flight messages due again at now. It looks at
// them only once the earliest may be due: a saturated hub wakes the
// redelivery loop often, and its subscriptions have thousands in flight.
func (sub *Subscription) overdue(now time.Time) []offer {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if len(sub.pending) == 0 || now.Before(sub.nextDue) {
		return nil
	}
	var out []offer
	next := time.Time{}
	for ref, f := range sub.pending {
		if !f.due.After(now) {
			out = append(out, offer{ref: ref, m: Message{ID: f.id}})
		}
		if next.IsZero() || f.due.Before(next) {
			next = f.due
		}
	}
	sub.nextDue = next
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

// redeliver offers what each subscription holds (fn refused it), then again
// what fn took and nobody acknowledged within Redeliver. A message that has
// since gone (acknowledged by another path, expired) is dropped.
func (s *Store) redeliver(ctx context.Context) {
	now := time.Now()
	for _, sub := range s.allSubs() {
		if ctx.Err() != nil {
			return
		}
		sub.drain(ctx)
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

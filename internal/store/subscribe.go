package store

import (
	"context"
	"errors"
	"sync"

	"github.com/nats-io/nats.go/jetstream"
)

// Subscription is a running Subscribe. Stop it, or cancel its context.
type Subscription struct {
	s       *Store
	cc      jetstream.ConsumeContext
	cancel  context.CancelFunc
	unwatch func() bool // guarded by s.mu until set
	once    sync.Once
}

// Subscribe calls fn with each of owner's pending messages, oldest first,
// then with new ones as they arrive, until ctx ends or the subscription is
// stopped. A message not acknowledged with Ack within Options.Redeliver is
// offered again, so fn may see a message more than once and the caller
// removes duplicates by ID. Calls to fn are sequential and must not block
// long. Each owner has one durable consumer: two subscriptions to the same
// owner share its messages between them rather than each seeing all.
func (s *Store) Subscribe(ctx context.Context, owner string, fn func(Message)) (*Subscription, error) {
	if err := s.alive(); err != nil {
		return nil, err
	}
	if err := checkPrincipal("owner", owner); err != nil {
		return nil, err
	}
	// Start from a fresh consumer: what an earlier one delivered and nobody
	// acknowledged is still in the work-queue stream, and a new consumer offers
	// it at once instead of after the old one's AckWait. The hub keeps one
	// session, so one subscription, per owner.
	if err := s.mail.DeleteConsumer(ctx, "mbox_"+owner); err != nil && !errors.Is(err, jetstream.ErrConsumerNotFound) {
		return nil, wrapErr("subscribe", err)
	}
	cons, err := s.mail.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
		Durable:       "mbox_" + owner,
		Description:   "mailbox of " + owner,
		FilterSubject: mailFilter(owner),
		DeliverPolicy: jetstream.DeliverAllPolicy,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       s.opts.Redeliver,
		MaxDeliver:    -1,
	})
	if err != nil {
		return nil, wrapErr("subscribe", err)
	}
	sctx, cancel := context.WithCancel(ctx)
	sub := &Subscription{s: s, cancel: cancel}
	sub.cc, err = cons.Consume(
		func(msg jetstream.Msg) { s.deliver(sctx, msg, fn) },
		jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
			if sctx.Err() == nil {
				s.opts.Logger.Debug("store: mailbox consumer", "owner", owner, "err", err)
			}
		}),
	)
	if err != nil {
		cancel()
		return nil, wrapErr("subscribe", err)
	}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		sub.halt()
		return nil, ErrClosed
	}
	s.subs[sub] = struct{}{}
	sub.unwatch = context.AfterFunc(sctx, sub.Stop) // under s.mu, which Stop takes first
	s.mu.Unlock()
	return sub, nil
}

// Stop ends the subscription and returns once no call to fn is running. It
// must not be called from fn (cancel the Subscribe context there instead).
// Stopping twice is harmless.
func (sub *Subscription) Stop() {
	sub.once.Do(func() {
		sub.s.mu.Lock()
		delete(sub.s.subs, sub)
		sub.s.mu.Unlock()
		if sub.unwatch != nil {
			sub.unwatch()
		}
		sub.halt()
	})
}

func (sub *Subscription) halt() {
	sub.cancel()
	sub.cc.Stop()
	<-sub.cc.Closed()
}

// deliver opens one consumed message and hands it to fn. Unreadable messages
// (expired, or their key destroyed) are removed instead, so they are not
// offered again; any other failure is logged and the message is offered again
// after Redeliver.
func (s *Store) deliver(ctx context.Context, msg jetstream.Msg, fn func(Message)) {
	if ctx.Err() != nil {
		return
	}
	md, err := msg.Metadata()
	if err != nil {
		s.log("store: consumed message without metadata", "subject", msg.Subject(), "err", err)
		return
	}
	seq := md.Sequence.Stream
	m, err := s.openMail(ctx, msg.Subject(), msg.Data(), seq)
	switch {
	case errors.Is(err, errShredded):
		owner, ref, _ := splitSubject(msg.Subject())
		if _, err := s.destroy(ctx, owner, ref); err != nil && ctx.Err() == nil {
			s.log("store: removing expired message", "seq", seq, "err", err)
		}
	case err != nil:
		if ctx.Err() == nil {
			s.log("store: cannot open message", "seq", seq, "err", err)
		}
	default:
		s.delivered.put(tableKey(m.To, s.root.ref(m.To, m.ID)), msg)
		fn(m)
	}
}

// deliveries remembers the last delivery of each message handed to a
// Subscribe callback and not yet acknowledged, so Ack can acknowledge it to
// the consumer (which removes it from the work queue) instead of asking the
// stream to purge it. It holds at most MaxAckPending entries per owner, plus
// messages that expired unacknowledged, which Sweep drops.
type deliveries struct {
	mu sync.Mutex
	m  map[string]jetstream.Msg
}

func (d *deliveries) put(tk string, msg jetstream.Msg) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil {
		d.m = make(map[string]jetstream.Msg)
	}
	d.m[tk] = msg
}

// take removes and returns tk's delivery, so only one Ack can use it.
func (d *deliveries) take(tk string) (jetstream.Msg, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	msg, ok := d.m[tk]
	delete(d.m, tk)
	return msg, ok
}

package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// SweepStats counts what one Sweep destroyed.
type SweepStats struct {
	Messages int // expired messages removed (with the wrapped key at their head)
	Epochs   int // epoch keys destroyed
}

// Sweep removes, by the store's clock, expired messages that JetStream has
// not yet expired by its own (the real) clock, and destroys the epoch keys
// older than Epoch+MaxTTL. Open runs it once before returning and then every
// minute until Close. It is safe to run concurrently with everything else.
func (s *Store) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	if err := s.alive(); err != nil {
		return st, err
	}
	s.sweepMu.Lock()
	defer s.sweepMu.Unlock()
	now := s.now()
	s.index.begin()
	err := s.scanMail(ctx, func(subj string, h nats.Header, seq uint64, expires time.Time) error {
		owner, _ := subjectOwner(subj)
		ref := recordRef(h)
		if expires.After(now) {
			prev, clash := s.index.add(owner, ref, seq)
			if !clash {
				return nil
			}
			// Two copies of one message (a Put whose ack was lost, retried
			// after the duplicate window): keep the first.
			dup := max(prev, seq)
			if dup == prev {
				s.index.set(owner, ref, seq)
			}
			_, err := erase(ctx, s.mail, dup, s.opts.SecureDelete)
			return err
		}
		// By sequence: the ID put again since is another message.
		found, err := erase(ctx, s.mail, seq, s.opts.SecureDelete)
		if err != nil {
			return err
		}
		s.index.drop(owner, ref, seq)
		s.acked(owner, ref)
		if found {
			st.Messages++
		}
		return nil
	})
	if err != nil {
		return st, wrapErr("sweep messages", err)
	}
	s.index.prune() // what JetStream removed by itself (TTL, MaxAge)
	s.index.swept() // every stored record is indexed now
	s.index.forgetAcked(time.Now().Add(-s.opts.dedupe))
	err = scan(ctx, s.epochs, ">", func(e jetstream.KeyValueEntry) error {
		n, ok := parseEpochName(e.Key())
		if !ok || s.epochDeadline(n).After(now) {
			return nil
		}
		s.forgetEpoch(n)
		if _, err := erase(ctx, s.epochsStream, e.Revision(), true); err != nil {
			return err
		}
		st.Epochs++
		return nil
	})
	if err != nil {
		return st, wrapErr("sweep epoch keys", err)
	}
	// Forget epoch keys read into memory just before another process (or
	// JetStream's MaxAge) destroyed them.
	s.epochMu.Lock()
	var stale []uint64
	for n := range s.epochKeys {
		if !s.epochDeadline(n).After(now) {
			stale = append(stale, n)
		}
	}
	s.epochMu.Unlock()
	for _, n := range stale {
		s.forgetEpoch(n)
	}
	return st, nil
}

// scanMail calls fn with the subject, sequence and expiry of every stored message, in
// stream order, stopping at the first error. The expiry is read from the
// record's key entry, which is in clear (and authenticated when the record
// is opened); a record too short to have one is passed as expired.
func (s *Store) scanMail(ctx context.Context, fn func(subj string, h nats.Header, seq uint64, expires time.Time) error) error {
	for seq := uint64(1); ; {
		raw, err := s.mail.GetMsg(ctx, seq, jetstream.WithGetMsgSubject(mailPrefix+">"))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if raw.Sequence < seq {
			return fmt.Errorf("%w: asked for mail from sequence %d, got %d", errCorrupt, seq, raw.Sequence)
		}
		seq = raw.Sequence + 1
		var expires time.Time
		if e, _, err := splitMailRecord(raw.Data); err == nil {
			expires = e.expires
		}
		if err := fn(raw.Subject, raw.Header, raw.Sequence, expires); err != nil {
			return err
		}
	}
}

// scan calls fn for every current entry of kv whose stored name matches
// filter (a NATS subject filter; ">" for all), stopping at the first error.
func scan(ctx context.Context, kv jetstream.KeyValue, filter string, fn func(jetstream.KeyValueEntry) error) error {
	w, err := kv.Watch(ctx, filter, jetstream.IgnoreDeletes())
	if err != nil {
		return err
	}
	defer w.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e, ok := <-w.Updates():
			if !ok {
				return errors.New("key-value watch ended early")
			}
			if e == nil { // every entry present at the start has been seen
				return nil
			}
			if err := fn(e); err != nil {
				return err
			}
		}
	}
}

// runJanitor calls sweep every interval until ctx ends. The schedule is
// separate from Sweep so that it can be tested with a fake clock.
func runJanitor(ctx context.Context, every time.Duration, sweep func(context.Context)) {
	runJanitorOr(ctx, every, nil, sweep)
}

// runJanitorOr is runJanitor that also calls sweep whenever now receives.
func runJanitorOr(ctx context.Context, every time.Duration, now <-chan struct{}, sweep func(context.Context)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-now:
		}
		sweep(ctx)
	}
}

package store

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// SweepStats counts what one Sweep destroyed.
type SweepStats struct {
	Messages int // expired messages whose key was destroyed (and copy erased, if still stored)
	Epochs   int // epoch keys destroyed
}

// Sweep destroys, by the store's clock, the keys of expired messages (erasing
// the messages too if JetStream has not yet expired them) and the epoch keys
// older than Epoch+MaxTTL. Open runs it once before returning and then every
// minute until Close. It is safe to run concurrently with everything else.
func (s *Store) Sweep(ctx context.Context) (SweepStats, error) {
	var st SweepStats
	if err := s.alive(); err != nil {
		return st, err
	}
	now := s.now()
	err := scan(ctx, s.keys, func(e jetstream.KeyValueEntry) error {
		entry, err := parseKeyEntry(e.Value())
		if err == nil && entry.expires.After(now) {
			return nil
		}
		// Expired, or a row nothing can use: remove the message, then the key.
		owner, ref, _ := strings.Cut(e.Key(), ".")
		if _, err := s.removeMail(ctx, owner, ref); err != nil {
			return err
		}
		s.delivered.take(e.Key())
		if err := s.shredKey(ctx, e.Key(), e.Revision()); err != nil {
			return err
		}
		st.Messages++
		return nil
	})
	if err != nil {
		return st, wrapErr("sweep message keys", err)
	}
	err = scan(ctx, s.epochs, func(e jetstream.KeyValueEntry) error {
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

// scan calls fn for every current entry of kv, stopping at the first error.
func scan(ctx context.Context, kv jetstream.KeyValue, fn func(jetstream.KeyValueEntry) error) error {
	w, err := kv.WatchAll(ctx, jetstream.IgnoreDeletes())
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
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sweep(ctx)
		}
	}
}

package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The key hierarchy: RootKey -> (HKDF) epoch KEK -> epoch key (one per Epoch,
// table bc_epochs) -> message key (one per message, table bc_keys) -> message.
// Destroying a row of either table makes everything beneath it unreadable.

// epochOf numbers the epoch containing t.
func (s *Store) epochOf(t time.Time) uint64 {
	if t.UnixNano() < 0 {
		return 0
	}
	return uint64(t.UnixNano() / int64(s.opts.Epoch))
}

// epochDeadline is when epoch n's key is destroyed. Every message key it
// wraps was made before the epoch ended and expires at most MaxTTL later.
func (s *Store) epochDeadline(n uint64) time.Time {
	return time.Unix(0, int64(n+1)*int64(s.opts.Epoch)).Add(s.opts.MaxTTL)
}

func epochName(n uint64) string { return "e" + strconv.FormatUint(n, 10) }

func parseEpochName(name string) (uint64, bool) {
	rest, ok := strings.CutPrefix(name, "e")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(rest, 10, 64)
	return n, err == nil
}

// epochKey returns epoch n's key, from memory or the epoch table. With create
// it makes the key if the table has none; without, a missing key is
// errShredded.
func (s *Store) epochKey(ctx context.Context, n uint64, create bool) ([]byte, error) {
	s.epochMu.Lock()
	k, ok := s.epochKeys[n]
	s.epochMu.Unlock()
	if ok {
		return k, nil
	}
	name := epochName(n)
	e, err := s.epochs.Get(ctx, name)
	switch {
	case err == nil:
		if k, err = openRecord(s.root.epochKEK, labelEpoch, name, e.Value()); err != nil {
			return nil, err
		}
	case errors.Is(err, jetstream.ErrKeyNotFound) && create:
		k = newKey()
		_, err = s.epochs.Create(ctx, name, seal(s.root.epochKEK, labelEpoch, name, k))
		if errors.Is(err, jetstream.ErrKeyExists) {
			return s.epochKey(ctx, n, false) // another process made it first
		}
		if err != nil {
			return nil, fmt.Errorf("creating epoch key: %w", err)
		}
		s.hook("epoch", k)
	case errors.Is(err, jetstream.ErrKeyNotFound):
		return nil, errShredded
	default:
		return nil, fmt.Errorf("reading epoch key: %w", err)
	}
	s.epochMu.Lock()
	defer s.epochMu.Unlock()
	if prev, ok := s.epochKeys[n]; ok {
		return prev, nil
	}
	s.epochKeys[n] = k
	return k, nil
}

func (s *Store) forgetEpoch(n uint64) {
	s.epochMu.Lock()
	defer s.epochMu.Unlock()
	if k, ok := s.epochKeys[n]; ok {
		clear(k)
		delete(s.epochKeys, n)
	}
}

// tableKey names a message's row in the key table. Only the owner is in
// clear; ref hides the ID.
func tableKey(owner, ref string) string { return owner + "." + ref }

func keySubject(tk string) string { return "$KV." + keysBucket + "." + tk }

// messageKey returns the key to seal a message with, making its key-table row.
// If a row already exists (a concurrent or retried Put of the same message, or
// the leftover of a Put or Ack cut short) its key is reused, so whichever copy
// JetStream keeps can be opened; the row is rewrapped under the current epoch
// if it would expire before this message.
func (s *Store) messageKey(ctx context.Context, tk string, expires time.Time) ([]byte, error) {
	for range 4 {
		n := s.epochOf(s.now())
		ek, err := s.epochKey(ctx, n, true)
		if err != nil {
			return nil, err
		}
		k := newKey()
		row := wrapKey(ek, tk, n, expires, k)
		// Create: accepted only if the subject holds nothing, not even a marker.
		_, err = s.publish(ctx, &nats.Msg{Subject: keySubject(tk), Data: row}, jetstream.WithExpectLastSequencePerSubject(0))
		if err == nil {
			s.hook("message", k)
			s.keyCache.put(tk, k)
			return k, nil
		}
		if !isWrongLastSeq(err) {
			return nil, fmt.Errorf("writing message key: %w", err)
		}
		e, err := s.keys.Get(ctx, tk)
		if errors.Is(err, jetstream.ErrKeyNotFound) {
			// Only the marker of a destroyed row: kv.Create replaces it.
			if _, err := s.keys.Create(ctx, tk, row); err == nil {
				s.hook("message", k)
				s.keyCache.put(tk, k)
				return k, nil
			} else if !errors.Is(err, jetstream.ErrKeyExists) {
				return nil, fmt.Errorf("writing message key: %w", err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading message key: %w", err)
		}
		old, entry, err := s.openKeyEntry(ctx, tk, e.Value())
		if err == nil {
			if !entry.expires.Before(expires) {
				s.keyCache.put(tk, old)
				return old, nil
			}
			k = old
		} // else unreadable: nothing sealed under it can be opened, replace it
		_, err = s.keys.Update(ctx, tk, wrapKey(ek, tk, n, expires, k), e.Revision())
		if err == nil {
			s.keyCache.put(tk, k)
			return k, nil
		}
		if !errors.Is(err, jetstream.ErrKeyRevisionMismatch) {
			return nil, fmt.Errorf("rewriting message key: %w", err)
		}
	}
	return nil, fmt.Errorf("writing message key: row %s kept changing under concurrent writes", tk)
}

// openKeyEntry unwraps a key-table row. A row whose epoch key is gone is errShredded.
func (s *Store) openKeyEntry(ctx context.Context, tk string, value []byte) ([]byte, keyEntry, error) {
	entry, err := parseKeyEntry(value)
	if err != nil {
		return nil, entry, err
	}
	ek, err := s.epochKey(ctx, entry.epoch, false)
	if err != nil {
		return nil, entry, err
	}
	k, err := unwrapKey(ek, tk, entry)
	return k, entry, err
}

// loadMessageKey returns the key of a stored message, or errShredded.
func (s *Store) loadMessageKey(ctx context.Context, tk string) ([]byte, error) {
	if k, ok := s.keyCache.get(tk); ok {
		return k, nil
	}
	e, err := s.keys.Get(ctx, tk)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, errShredded
	}
	if err != nil {
		return nil, fmt.Errorf("reading message key: %w", err)
	}
	k, _, err := s.openKeyEntry(ctx, tk, e.Value())
	if err == nil {
		s.keyCache.put(tk, k)
	}
	return k, err
}

// shredKey destroys a message's key row. With rev > 0 it destroys only that
// revision, leaving a row rewritten since (by a new Put of the same message)
// alone. A row already gone is not an error.
//
// Unless Options.SecureDelete is set, the row is replaced by a purge marker
// (a publish that rolls up the subject, as a KV purge does) which itself
// expires a second later; that costs about as much as a Put, where JetStream's
// secure delete rewrites and fsyncs a whole block file.
func (s *Store) shredKey(ctx context.Context, tk string, rev uint64) error {
	s.keyCache.drop(tk)
	if s.opts.SecureDelete {
		if rev == 0 {
			e, err := s.keys.Get(ctx, tk)
			if errors.Is(err, jetstream.ErrKeyNotFound) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("reading message key: %w", err)
			}
			rev = e.Revision()
		}
		_, err := erase(ctx, s.keysStream, rev, true)
		return err
	}
	marker := &nats.Msg{Subject: keySubject(tk), Header: nats.Header{}}
	marker.Header.Set("KV-Operation", "PURGE")
	marker.Header.Set(jetstream.MsgRollup, jetstream.MsgRollupSubject)
	opts := []jetstream.PublishOpt{jetstream.WithMsgTTL(time.Second)}
	if rev > 0 {
		opts = append(opts, jetstream.WithExpectLastSequencePerSubject(rev))
	}
	_, err := s.publish(ctx, marker, opts...)
	if rev > 0 && isWrongLastSeq(err) {
		return nil
	}
	return wrapErr("destroying message key", err)
}

// erase removes message seq of st, overwriting it first when secure
// (JetStream's secure delete, which rewrites the block file). It reports
// whether the message was there.
func erase(ctx context.Context, st jetstream.Stream, seq uint64, secure bool) (bool, error) {
	var err error
	if secure {
		err = st.SecureDeleteMsg(ctx, seq)
	} else {
		err = st.DeleteMsg(ctx, seq)
	}
	if err == nil {
		return true, nil
	}
	if _, gerr := st.GetMsg(ctx, seq); errors.Is(gerr, jetstream.ErrMsgNotFound) {
		return false, nil // someone else removed it first
	}
	return false, fmt.Errorf("erasing %s message %d: %w", st.CachedInfo().Config.Name, seq, err)
}

// keyCache keeps the unwrapped keys of recently put or read messages in
// memory, so delivering a message just put needs no key-table read. It is
// bounded, and a destroyed key is dropped from it first.
type keyCache struct {
	mu sync.Mutex
	m  map[string][]byte
}

const keyCacheMax = 1 << 16

func (c *keyCache) get(tk string) ([]byte, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.m[tk]
	return k, ok
}

func (c *keyCache) put(tk string, k []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = make(map[string][]byte)
	}
	if len(c.m) >= keyCacheMax {
		for old := range c.m { // evict an arbitrary entry
			delete(c.m, old)
			break
		}
	}
	c.m[tk] = k
}

func (c *keyCache) drop(tk string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, tk)
}

func (c *keyCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for tk, k := range c.m {
		clear(k)
		delete(c.m, tk)
	}
}

func (s *Store) hook(kind string, key []byte) {
	if s.opts.keyHook != nil {
		s.opts.keyHook(kind, key)
	}
}

// publish sends msg to JetStream and waits for its acknowledgement. It uses
// the asynchronous publisher, whose one shared reply subscription scales
// across many concurrent callers far better than a request per message.
func (s *Store) publish(ctx context.Context, msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	f, err := s.js.PublishMsgAsync(msg, opts...)
	if err != nil {
		return nil, err
	}
	select {
	case ack := <-f.Ok():
		return ack, nil
	case err := <-f.Err():
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// isWrongLastSeq reports a failed expected-last-subject-sequence check: the
// subject already has a message.
func isWrongLastSeq(err error) bool {
	var apiErr *jetstream.APIError
	return errors.As(err, &apiErr) && (apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequence ||
		apiErr.ErrorCode == jetstream.JSErrCodeStreamWrongLastSequenceConstant)
}

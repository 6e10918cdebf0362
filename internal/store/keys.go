package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The key hierarchy: RootKey -> (HKDF) epoch KEK -> epoch key (one per Epoch,
// table bc_epochs) -> message key (one per message, wrapped at the head of
// its mail record) -> message. Removing a record removes its wrapped key;
// destroying an epoch key makes every record it wrapped unreadable.

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

// tableKey names a message's key: its owner and reference, to which both
// halves of its mail record are bound. Only the owner is in clear; ref hides
// the ID.
func tableKey(owner, ref string) string { return owner + "." + ref }

// openMessageKey unwraps the message key of a mail record's key entry. An
// entry whose epoch key is gone is errShredded.
func (s *Store) openMessageKey(ctx context.Context, tk string, entry keyEntry) ([]byte, error) {
	ek, err := s.epochKey(ctx, entry.epoch, false)
	if err != nil {
		return nil, err
	}
	return unwrapKey(ek, tk, entry)
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

func (s *Store) hook(kind string, key []byte) {
	if s.opts.keyHook != nil {
		s.opts.keyHook(kind, key)
	}
}

// publish sends msg to JetStream and waits for its acknowledgement, or its
// failure: not for a context, because a message once sent may be stored and
// the caller must learn its sequence (JetStream's async timeout, 30 s,
// bounds the wait). It uses the asynchronous publisher, whose one shared
// reply subscription scales across many concurrent callers far better than
// a request per message.
func (s *Store) publish(msg *nats.Msg, opts ...jetstream.PublishOpt) (*jetstream.PubAck, error) {
	f, err := s.js.PublishMsgAsync(msg, opts...)
	if err != nil {
		return nil, err
	}
	select {
	case ack := <-f.Ok():
		return ack, nil
	case err := <-f.Err():
		return nil, err
	}
}

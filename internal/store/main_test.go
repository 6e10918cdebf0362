package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(durabilityChild())
	}
	goleak.VerifyTestMain(m)
}

// testRoot is the root key of every test store; tests look for it on disk.
var testRoot = bytes.Repeat([]byte{0x5a, 0xa5, 0x3c, 0xc3}, 8)

// clock is a settable Options.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openTest opens an embedded store in a fresh directory, closed at cleanup.
func openTest(t testing.TB, edit func(*Options)) (*Store, Options) {
	t.Helper()
	o := Options{Dir: t.TempDir(), RootKey: testRoot, Now: newClock().Now}
	if edit != nil {
		edit(&o)
	}
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s, o
}

func mustPut(t testing.TB, s *Store, m Message) Message {
	t.Helper()
	got, dup, err := s.Put(context.Background(), m)
	if err != nil {
		t.Fatalf("Put(%s/%s): %v", m.To, m.ID, err)
	}
	if dup {
		t.Fatalf("Put(%s/%s): unexpected duplicate", m.To, m.ID)
	}
	return got
}

func ids(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// storedSeq is the stream sequence of owner's message id, read from the
// stream itself (not the index), or 0 when it is not stored.
func storedSeq(t testing.TB, s *Store, owner, id string) uint64 {
	t.Helper()
	ref := s.root.ref(owner, id)
	for seq := uint64(1); ; {
		raw, err := s.mail.GetMsg(context.Background(), seq, jetstream.WithGetMsgSubject(mailFilter(owner)))
		if errors.Is(err, jetstream.ErrMsgNotFound) {
			return 0
		}
		if err != nil {
			t.Fatalf("reading %s's mailbox: %v", owner, err)
		}
		if recordRef(raw.Header) == ref {
			return raw.Sequence
		}
		seq = raw.Sequence + 1
	}
}

package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// startExternal runs a standalone nats-server with JetStream on a random
// loopback port and returns its URL.
func startExternal(t testing.TB) string {
	t.Helper()
	ns, err := server.NewServer(&server.Options{
		Host: "127.0.0.1", Port: -1, JetStream: true, StoreDir: t.TempDir(), NoSigs: true, NoLog: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("external nats-server not ready")
	}
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	return ns.ClientURL()
}

// transports opens the same kind of store embedded and against an external server.
var transports = []struct {
	name string
	edit func(t testing.TB, o *Options)
}{
	{"embedded", func(testing.TB, *Options) {}},
	{"external", func(t testing.TB, o *Options) { o.Dir, o.URL = "", startExternal(t) }},
	{"secure-delete", func(t testing.TB, o *Options) { o.SecureDelete = true }},
}

// collector gathers what a subscription delivers.
type collector struct {
	mu  sync.Mutex
	got []Message
	ch  chan Message
}

func newCollector() *collector { return &collector{ch: make(chan Message, 1000)} }

func (c *collector) fn(m Message) bool {
	c.mu.Lock()
	c.got = append(c.got, m)
	c.mu.Unlock()
	c.ch <- m
	return true
}

func (c *collector) next(t testing.TB, within time.Duration) Message {
	t.Helper()
	select {
	case m := <-c.ch:
		return m
	case <-time.After(within):
		t.Fatalf("no delivery within %v", within)
		return Message{}
	}
}

func (c *collector) none(t testing.TB, within time.Duration) {
	t.Helper()
	select {
	case m := <-c.ch:
		t.Fatalf("unexpected delivery of %s/%s", m.To, m.ID)
	case <-time.After(within):
	}
}

// TestMailbox runs one mailbox's life over each transport (and with secure delete).
func TestMailbox(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			s, _ := openTest(t, func(o *Options) { tr.edit(t, o); o.Redeliver = 300 * time.Millisecond })
			ctx := context.Background()
			for i := range 3 {
				m := mustPut(t, s, Message{ID: fmt.Sprint("m", i), To: "ALICE", From: "BOB", Kind: "message", Body: []byte{byte(i)}})
				if m.Seq == 0 || m.Created.IsZero() || m.Expires.Sub(m.Created) != DefaultTTL {
					t.Fatalf("Put returned %+v", m)
				}
			}
			if _, dup, err := s.Put(ctx, Message{ID: "m1", To: "ALICE", From: "BOB"}); err != nil || !dup {
				t.Fatalf("repeated Put: dup=%v err=%v", dup, err)
			}
			l, err := s.List(ctx, "ALICE")
			if err != nil || !slices.Equal(ids(l), []string{"m0", "m1", "m2"}) {
				t.Fatalf("List = %v, %v", ids(l), err)
			}
			got, err := s.Get(ctx, "ALICE", "m2")
			if err != nil || got.From != "BOB" || got.Kind != "message" || !bytes.Equal(got.Body, []byte{2}) || got.To != "ALICE" {
				t.Fatalf("Get = %+v, %v", got, err)
			}

			c := newCollector()
			sub, err := s.Subscribe(ctx, "ALICE", c.fn)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"m0", "m1", "m2"} {
				if m := c.next(t, 5*time.Second); m.ID != want {
					t.Fatalf("delivered %s, want %s", m.ID, want)
				}
			}
			for _, id := range []string{"m0", "m2"} {
				if err := s.Ack(ctx, "ALICE", id); err != nil {
					t.Fatalf("Ack(%s): %v", id, err)
				}
			}
			// m1 is not acknowledged, so it comes again; m0 and m2 do not.
			if m := c.next(t, 5*time.Second); m.ID != "m1" {
				t.Fatalf("redelivered %s, want m1", m.ID)
			}
			mustPut(t, s, Message{ID: "m3", To: "ALICE", From: "CAROL"})
			if m := c.next(t, 5*time.Second); m.ID != "m3" && m.ID != "m1" {
				t.Fatalf("delivered %s, want m3 (or m1 again)", m.ID)
			}
			for _, id := range []string{"m1", "m3"} {
				if err := s.Ack(ctx, "ALICE", id); err != nil {
					t.Fatalf("Ack(%s): %v", id, err)
				}
			}
			for len(c.ch) > 0 { // drop redeliveries raced with the acks
				<-c.ch
			}
			c.none(t, time.Second)
			sub.Stop()
			sub.Stop()
			if l, err := s.List(ctx, "ALICE"); err != nil || len(l) != 0 {
				t.Fatalf("List after acks = %v, %v", ids(l), err)
			}
			if err := s.Ack(ctx, "ALICE", "m0"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("second Ack = %v, want ErrNotFound", err)
			}
		})
	}
}

// TestOwnersAreIsolated checks that no method reaches another owner's mail.
func TestOwnersAreIsolated(t *testing.T) {
	s, _ := openTest(t, nil)
	ctx := context.Background()
	mustPut(t, s, Message{ID: "x", To: "ALICE", From: "BOB", Body: []byte("for alice")})
	mustPut(t, s, Message{ID: "x", To: "BOB", From: "ALICE", Body: []byte("for bob")})
	mustPut(t, s, Message{ID: "only-alice", To: "ALICE", From: "BOB"})
	mustPut(t, s, Message{ID: "y", To: "ALICE_2", From: "BOB"})

	if _, err := s.Get(ctx, "BOB", "only-alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get via another owner = %v", err)
	}
	if err := s.Ack(ctx, "BOB", "only-alice"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Ack via another owner = %v", err)
	}
	if got, err := s.Get(ctx, "BOB", "x"); err != nil || string(got.Body) != "for bob" {
		t.Fatalf("Get(BOB, x) = %q, %v", got.Body, err)
	}
	if err := s.Ack(ctx, "BOB", "x"); err != nil {
		t.Fatal(err)
	}
	if l, _ := s.List(ctx, "ALICE"); !slices.Equal(ids(l), []string{"x", "only-alice"}) {
		t.Fatalf("ALICE's list = %v", ids(l))
	}
	if l, _ := s.List(ctx, "BOB"); len(l) != 0 {
		t.Fatalf("BOB's list = %v", ids(l))
	}
	c := newCollector()
	sub, err := s.Subscribe(ctx, "BOB", c.fn)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Stop()
	c.none(t, 300*time.Millisecond)
	if l, _ := s.List(ctx, "ALICE"); len(l) != 2 {
		t.Fatalf("ALICE lost mail: %v", ids(l))
	}
}

func TestInvalidArguments(t *testing.T) {
	s, _ := openTest(t, nil)
	ctx := context.Background()
	now := s.now()
	ok := Message{ID: "id", To: "ALICE", From: "BOB"}
	edit := func(f func(*Message)) Message { m := ok; f(&m); return m }
	for _, tc := range []struct {
		name, field string
		m           Message
	}{
		{"empty id", "Message.ID", edit(func(m *Message) { m.ID = "" })},
		{"long id", "Message.ID", edit(func(m *Message) { m.ID = strings.Repeat("a", 65) })},
		{"id with slash", "Message.ID", edit(func(m *Message) { m.ID = "a/b" })},
		{"id with space", "Message.ID", edit(func(m *Message) { m.ID = "a b" })},
		{"lower-case owner", "Message.To", edit(func(m *Message) { m.To = "alice" })},
		{"owner with dot", "Message.To", edit(func(m *Message) { m.To = "A.B" })},
		{"owner wildcard", "Message.To", edit(func(m *Message) { m.To = "*" })},
		{"long owner", "Message.To", edit(func(m *Message) { m.To = strings.Repeat("A", 17) })},
		{"empty sender", "Message.From", edit(func(m *Message) { m.From = "" })},
		{"long kind", "Message.Kind", edit(func(m *Message) { m.Kind = strings.Repeat("k", 33) })},
		{"ttl over max", "Message.Expires", edit(func(m *Message) { m.Created, m.Expires = now, now.Add(DefaultMaxTTL+time.Second) })},
		{"expires before created", "Message.Expires", edit(func(m *Message) { m.Created, m.Expires = now, now.Add(-time.Second) })},
		{"already expired", "Message.Expires", edit(func(m *Message) { m.Created, m.Expires = now.Add(-2*time.Hour), now.Add(-time.Hour) })},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := s.Put(ctx, tc.m)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.field) {
				t.Fatalf("Put = %v, want ErrInvalid naming %s", err, tc.field)
			}
		})
	}
	for name, err := range map[string]error{
		"Get":       func() error { _, err := s.Get(ctx, "alice", "x"); return err }(),
		"Get id":    func() error { _, err := s.Get(ctx, "ALICE", "x y"); return err }(),
		"List":      func() error { _, err := s.List(ctx, "mail.>"); return err }(),
		"Ack":       s.Ack(ctx, "ALICE", ""),
		"Subscribe": func() error { _, err := s.Subscribe(ctx, "A*", func(Message) bool { return true }); return err }(),
		"Registry":  s.RegistryPut(ctx, "a..b", nil),
	} {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s = %v, want ErrInvalid", name, err)
		}
	}
}

func TestOpenOptions(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name, want string
		o          Options
	}{
		{"no dir", "Options.Dir", Options{RootKey: testRoot}},
		{"short root", "Options.RootKey", Options{Dir: t.TempDir(), RootKey: testRoot[:16]}},
		{"default ttl over max", "Options.DefaultTTL", Options{Dir: t.TempDir(), RootKey: testRoot, MaxTTL: time.Hour, DefaultTTL: 2 * time.Hour}},
		{"tiny epoch", "Options.Epoch", Options{Dir: t.TempDir(), RootKey: testRoot, Epoch: time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, tc.o)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open = %v, want ErrInvalid naming %s", err, tc.want)
			}
		})
	}
}

// TestReopen shows that Get, Ack and Subscribe need no state from the
// process that stored the message, and that a wrong root key is refused.
func TestReopen(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	o := Options{Dir: dir, RootKey: testRoot}
	s, err := Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB"})
	mustPut(t, s, Message{ID: "b", To: "ALICE", From: "BOB"})
	s.Close()

	wrong := o
	wrong.RootKey = bytes.Repeat([]byte{1}, 32)
	if s, err := Open(ctx, wrong); err == nil {
		s.Close()
		t.Fatal("Open with another root key succeeded")
	} else if !strings.Contains(err.Error(), "RootKey") {
		t.Fatalf("Open with another root key: %v", err)
	}

	s, err = Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, dup, err := s.Put(ctx, Message{ID: "a", To: "ALICE", From: "BOB"}); !dup || err != nil {
		t.Fatalf("Put after reopen: dup=%v err=%v", dup, err)
	}
	if err := s.Ack(ctx, "ALICE", "a"); err != nil {
		t.Fatal(err)
	}
	if l, err := s.List(ctx, "ALICE"); err != nil || !slices.Equal(ids(l), []string{"b"}) {
		t.Fatalf("List = %v, %v", ids(l), err)
	}
}

// TestOneStoredCopy: concurrent Puts of one message store it once, and after
// the duplicate window a late retry is still refused while the copy is stored.
func TestOneStoredCopy(t *testing.T) {
	s, _ := openTest(t, func(o *Options) { o.dedupe = 100 * time.Millisecond })
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	stored := 0
	for range 16 {
		wg.Go(func() {
			_, dup, err := s.Put(ctx, Message{ID: "same", To: "ALICE", From: "BOB", Body: []byte("x")})
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			if !dup {
				stored++
			}
		})
	}
	wg.Wait()
	if stored != 1 {
		t.Fatalf("%d Puts stored, want 1", stored)
	}
	time.Sleep(300 * time.Millisecond) // past the duplicate window
	got, dup, err := s.Put(ctx, Message{ID: "same", To: "ALICE", From: "BOB", Body: []byte("y")})
	if err != nil || !dup || string(got.Body) != "x" {
		t.Fatalf("late retry: %q dup=%v err=%v", got.Body, dup, err)
	}
	if l, _ := s.List(ctx, "ALICE"); len(l) != 1 || string(l[0].Body) != "x" {
		t.Fatalf("List = %v", ids(l))
	}
	// Once acknowledged and out of the window, the ID may be used again.
	if err := s.Ack(ctx, "ALICE", "same"); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, Message{ID: "same", To: "ALICE", From: "BOB", Body: []byte("z")})
	if got, err := s.Get(ctx, "ALICE", "same"); err != nil || string(got.Body) != "z" {
		t.Fatalf("Get = %q, %v", got.Body, err)
	}
}

func TestRegistry(t *testing.T) {
	s, _ := openTest(t, nil)
	ctx := context.Background()
	if _, err := s.RegistryGet(ctx, "assurance/a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RegistryGet missing = %v", err)
	}
	for k, v := range map[string]string{"assurance/a": "1", "assurance/b": "2", "other": "3"} {
		if err := s.RegistryPut(ctx, k, []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.RegistryPut(ctx, "assurance/a", []byte("1b")); err != nil {
		t.Fatal(err)
	}
	if v, err := s.RegistryGet(ctx, "assurance/a"); err != nil || string(v) != "1b" {
		t.Fatalf("RegistryGet = %q, %v", v, err)
	}
	got, err := s.RegistryList(ctx, "assurance/")
	if err != nil || len(got) != 2 || string(got["assurance/b"]) != "2" {
		t.Fatalf("RegistryList = %q, %v", got, err)
	}
	for range 2 {
		if err := s.RegistryDelete(ctx, "assurance/a"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.RegistryGet(ctx, "assurance/a"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("RegistryGet deleted = %v", err)
	}
	if got, _ := s.RegistryList(ctx, ""); len(got) != 2 {
		t.Fatalf("RegistryList all = %q", got)
	}
}

func TestClosed(t *testing.T) {
	s, _ := openTest(t, nil)
	s.Close()
	ctx := context.Background()
	if _, _, err := s.Put(ctx, Message{ID: "a", To: "A", From: "B"}); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close = %v", err)
	}
	if _, err := s.Subscribe(ctx, "A", func(Message) bool { return true }); !errors.Is(err, ErrClosed) {
		t.Fatalf("Subscribe after Close = %v", err)
	}
}

// TestCloseStopsSubscriptions relies on goleak (TestMain) to find leftovers.
func TestCloseStopsSubscriptions(t *testing.T) {
	s, _ := openTest(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := newCollector()
	if _, err := s.Subscribe(ctx, "ALICE", c.fn); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	if _, err := s.Subscribe(ctx2, "BOB", c.fn); err != nil {
		t.Fatal(err)
	}
	cancel2()
	mustPut(t, s, Message{ID: "a", To: "ALICE", From: "B"})
	c.next(t, 5*time.Second)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestServerLogsGoToSlog checks the embedded server logs through the given
// logger, tagged, and that nothing is written when none is given.
func TestServerLogsGoToSlog(t *testing.T) {
	var buf syncBuffer
	debug := &slog.HandlerOptions{Level: slog.LevelDebug}
	openTest(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&buf, debug)) })
	out := buf.String()
	if !strings.Contains(out, "component=nats-server") || !strings.Contains(out, "JetStream") {
		t.Fatalf("no server logs in slog output:\n%s", out)
	}
	// At info level, the store's one line and none of the server's banner.
	var info syncBuffer
	openTest(t, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&info, nil)) })
	out = info.String()
	if strings.Count(out, "\n") != 1 || !strings.Contains(out, `msg="store open" nats=embedded`) {
		t.Fatalf("info-level log at Open, want the store's one line:\n%s", out)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// TestSubscribeEndsWithContext: after the context ends, fn is not called.
func TestSubscribeEndsWithContext(t *testing.T) {
	s, _ := openTest(t, nil)
	ctx, cancel := context.WithCancel(context.Background())
	c := newCollector()
	if _, err := s.Subscribe(ctx, "ALICE", c.fn); err != nil {
		t.Fatal(err)
	}
	mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB"})
	c.next(t, 5*time.Second)
	cancel()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) { // Stop runs on its own goroutine
		s.mu.Lock()
		n := len(s.subs)
		s.mu.Unlock()
		if n == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("subscription still running after its context ended")
		}
	}
	mustPut(t, s, Message{ID: "b", To: "ALICE", From: "BOB"})
	c.none(t, 500*time.Millisecond)
}

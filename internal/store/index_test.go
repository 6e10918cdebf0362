package store

import (
	"context"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestIndexRebuiltOnOpen: the index is memory only; after a restart Get, a
// duplicate Put and Ack find what was stored before.
func TestIndexRebuiltOnOpen(t *testing.T) {
	dir := t.TempDir()
	o := Options{Dir: dir, RootKey: testRoot, Now: newClock().Now}
	s, err := Open(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, id := range []string{"a", "b", "c"} {
		mustPut(t, s, Message{ID: id, To: "ALICE", From: "BOB", Body: []byte(id)})
	}
	if err := s.Ack(ctx, "ALICE", "b"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n := s.index.size(); n != 2 {
		t.Fatalf("index holds %d entries after Open, want 2", n)
	}
	if m, err := s.Get(ctx, "ALICE", "a"); err != nil || string(m.Body) != "a" {
		t.Fatalf("Get(a) = %q, %v", m.Body, err)
	}
	if _, err := s.Get(ctx, "ALICE", "b"); err != ErrNotFound {
		t.Fatalf("Get(b), acknowledged before the restart = %v, want ErrNotFound", err)
	}
	if got, dup, err := s.Put(ctx, Message{ID: "c", To: "ALICE", From: "BOB", Body: []byte("again")}); err != nil || !dup || string(got.Body) != "c" {
		t.Fatalf("Put(c) again = %q dup=%v %v, want the stored copy", got.Body, dup, err)
	}
	if err := s.Ack(ctx, "ALICE", "c"); err != nil {
		t.Fatalf("Ack(c) after restart: %v", err)
	}
	if err := s.Ack(ctx, "ALICE", "c"); err != ErrNotFound {
		t.Fatalf("second Ack(c) = %v, want ErrNotFound", err)
	}
}

// TestSweepMendsIndex: a record the index lacks (a Put whose acknowledgement
// was lost before it indexed the message) is found again by the next Sweep,
// and an entry whose record JetStream removed by itself is dropped.
func TestSweepMendsIndex(t *testing.T) {
	s, _ := openTest(t, nil)
	ctx := context.Background()
	a := mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB", Body: []byte("a")})
	b := mustPut(t, s, Message{ID: "b", To: "ALICE", From: "BOB", Body: []byte("b")})
	s.index.drop("ALICE", s.root.ref("ALICE", "a"), 0)
	if _, err := s.Get(ctx, "ALICE", "a"); err != ErrNotFound {
		t.Fatalf("Get(a) without its index entry = %v", err)
	}
	if err := s.mail.DeleteMsg(ctx, b.Seq); err != nil { // as JetStream's own TTL would
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if m, err := s.Get(ctx, "ALICE", "a"); err != nil || m.Seq != a.Seq {
		t.Fatalf("Get(a) after Sweep = seq %d, %v; want %d", m.Seq, err, a.Seq)
	}
	if _, ok := s.index.lookup(s.root.ref("ALICE", "b")); ok {
		t.Fatal("index still holds b, which JetStream removed")
	}
	if n := s.index.size(); n != 1 {
		t.Fatalf("index holds %d entries, want 1", n)
	}
}

// TestSweepRemovesSecondCopy: when a lost acknowledgement and a retry after
// the duplicate window stored a message twice, Sweep keeps the first copy.
func TestSweepRemovesSecondCopy(t *testing.T) {
	s, _ := openTest(t, func(o *Options) { o.dedupe = 100 * time.Millisecond })
	ctx := context.Background()
	first := mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB", Body: []byte("first")})
	s.index.drop("ALICE", s.root.ref("ALICE", "a"), 0) // the first Put's ack was lost
	time.Sleep(300 * time.Millisecond)                 // past the duplicate window
	second := mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB", Body: []byte("second")})
	if second.Seq == first.Seq {
		t.Fatal("the retry did not store a second copy; the test sets nothing up")
	}
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	l, err := s.List(ctx, "ALICE")
	if err != nil || len(l) != 1 || l[0].Seq != first.Seq || string(l[0].Body) != "first" {
		t.Fatalf("List after Sweep = %+v, %v; want only the first copy", l, err)
	}
	if m, err := s.Get(ctx, "ALICE", "a"); err != nil || m.Seq != first.Seq {
		t.Fatalf("Get = seq %d, %v; want %d", m.Seq, err, first.Seq)
	}
}

// TestOldLayoutReadable: records stored under the earlier per-message
// subjects (mail.<owner>.<ref>) are still read, acknowledged and delivered.
func TestOldLayoutReadable(t *testing.T) {
	s, _ := openTest(t, func(o *Options) { o.dedupe = 100 * time.Millisecond })
	ctx := context.Background()
	m := mustPut(t, s, Message{ID: "old", To: "ALICE", From: "BOB", Body: []byte("old")})
	raw, err := s.mail.GetMsg(ctx, m.Seq)
	if err != nil {
		t.Fatal(err)
	}
	ref := s.root.ref("ALICE", "old")
	if err := s.mail.DeleteMsg(ctx, m.Seq); err != nil {
		t.Fatal(err)
	}
	s.index.drop("ALICE", ref, 0)
	time.Sleep(300 * time.Millisecond) // past the duplicate window for the same Nats-Msg-Id
	// As the earlier Put published it: only the reference and the TTL in
	// the header (raw.Header also has what the direct get added).
	h := nats.Header{}
	h.Set(jetstream.MsgIDHeader, ref)
	h.Set(jetstream.MsgTTLHeader, raw.Header.Get(jetstream.MsgTTLHeader))
	old := &nats.Msg{Subject: mailPrefix + "ALICE." + ref, Data: raw.Data, Header: h}
	if _, err := s.js.PublishMsg(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.Get(ctx, "ALICE", "old")
	if err != nil || string(got.Body) != "old" {
		t.Fatalf("Get = %q, %v", got.Body, err)
	}
	c := newCollector()
	sub, err := s.Subscribe(ctx, "ALICE", c.fn)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Stop()
	if d := c.next(t, 5*time.Second); d.ID != "old" {
		t.Fatalf("delivered %s", d.ID)
	}
	if err := s.Ack(ctx, "ALICE", "old"); err != nil {
		t.Fatal(err)
	}
	if seq := storedSeq(t, s, "ALICE", "old"); seq != 0 {
		t.Fatalf("still stored at %d after Ack", seq)
	}
}

func TestRefKey(t *testing.T) {
	s, _ := openTest(t, nil)
	if _, ok := refKey(s.root.ref("A", "b")); !ok {
		t.Fatal("a reference the store makes is not an index key")
	}
	for _, bad := range []string{"", "zz", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef00"} {
		if _, ok := refKey(bad); ok {
			t.Errorf("refKey(%q) accepted", bad)
		}
	}
}

// TestRetryAfterAckIsDuplicate: within the duplicate window of its first
// Put, a message acknowledged and put again is not stored again; after the
// window its ID may be used again.
func TestRetryAfterAckIsDuplicate(t *testing.T) {
	s, _ := openTest(t, func(o *Options) { o.dedupe = 300 * time.Millisecond })
	ctx := context.Background()
	first := mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB", Body: []byte("x")})
	if err := s.Ack(ctx, "ALICE", "a"); err != nil {
		t.Fatal(err)
	}
	got, dup, err := s.Put(ctx, Message{ID: "a", To: "ALICE", From: "BOB", Body: []byte("x")})
	if err != nil || !dup || got.Seq != first.Seq {
		t.Fatalf("retry after Ack = seq %d dup=%v %v; want a duplicate of %d", got.Seq, dup, err, first.Seq)
	}
	if seq := storedSeq(t, s, "ALICE", "a"); seq != 0 {
		t.Fatalf("the retry was stored at %d", seq)
	}
	time.Sleep(400 * time.Millisecond)
	if _, err := s.Sweep(ctx); err != nil { // forgets the acknowledgement
		t.Fatal(err)
	}
	if n := len(s.index.acked); n != 0 {
		t.Fatalf("%d acknowledgements kept after the window", n)
	}
	again := mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB", Body: []byte("y")})
	if again.Seq == first.Seq {
		t.Fatal("the ID reused after the window was not stored anew")
	}
}

// TestRecordsCarryNoMsgID: Put no longer sets Nats-Msg-Id, so JetStream
// keeps no duplicate-window entry per message; the reference is in Bc-Ref.
func TestRecordsCarryNoMsgID(t *testing.T) {
	s, _ := openTest(t, nil)
	m := mustPut(t, s, Message{ID: "a", To: "ALICE", From: "BOB", Body: []byte("x")})
	raw, err := s.mail.GetMsg(context.Background(), m.Seq)
	if err != nil {
		t.Fatal(err)
	}
	if id := raw.Header.Get(jetstream.MsgIDHeader); id != "" {
		t.Fatalf("record has Nats-Msg-Id %q", id)
	}
	if ref := raw.Header.Get(refHeader); ref != s.root.ref("ALICE", "a") {
		t.Fatalf("record's %s = %q", refHeader, ref)
	}
}

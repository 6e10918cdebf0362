package hub

import (
	"context"
	"log/slog"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"backchannel/internal/identity"
	"backchannel/internal/wire"
)

// TestWriterCallsReady: once a delivery has found the session's queue full,
// the writer, taking the queue, calls the subscription's Ready, once, so
// that the store offers what it holds at once and not at its next tick; a
// writer that takes a queue nobody was refused from does not.
func TestWriterCallsReady(t *testing.T) {
	a, b := net.Pipe() // synchronous: the writer's write waits for the reader
	ctx := context.Background()
	type result struct {
		c   *wire.Conn
		err error
	}
	srv := make(chan result, 1)
	go func() {
		c, err := wire.Server(ctx, a, keyRUS, []identity.Public{keyIRN.Public()}, wire.Schedule{})
		srv <- result{c, err}
	}()
	cli, err := wire.Client(ctx, b, keyIRN, keyRUS.Public(), wire.Schedule{})
	if err != nil {
		t.Fatal(err)
	}
	r := <-srv
	if r.err != nil {
		t.Fatal(r.err)
	}
	defer cli.Close()
	s := newSession(&Hub{log: slog.New(slog.DiscardHandler)}, r.c, codeIRN)
	defer s.close()
	var readies atomic.Int32
	s.ready = func() { readies.Add(1) }
	frame := []byte(`{"type":"pong"}`)

	// The first frames start the writer, which soon waits in its write
	// (it holds one batch at most); the rest fill the queue until a delivery
	// is refused.
	accepted := 0
	for accepted < 10*maxQueued && s.enqueue(frame, maxQueued) {
		accepted++
	}
	if accepted == 10*maxQueued {
		t.Fatal("no frame refused: the queue did not fill")
	}
	if n := readies.Load(); n != 0 {
		t.Fatalf("Ready called %d times before the writer took the queue", n)
	}
	// Reading lets the writer on: it takes the full queue and calls Ready.
	got := 0
	for ; got < accepted; got++ {
		if _, err := cli.ReadFrame(); err != nil {
			t.Fatalf("reading frame %d: %v", got, err)
		}
	}
	for deadline := time.Now().Add(5 * time.Second); readies.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if n := readies.Load(); n != 1 {
		t.Fatalf("Ready called %d times after the writer took a queue a delivery was refused from, want 1", n)
	}
	// Another batch, with nothing refused: no Ready.
	s.enqueue(frame, maxQueued)
	if _, err := cli.ReadFrame(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	if n := readies.Load(); n != 1 {
		t.Errorf("Ready called again (%d) for a queue nobody was refused from", n)
	}
}

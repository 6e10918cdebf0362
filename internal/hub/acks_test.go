package hub

import (
	"context"
	"errors"
	"testing"
	"time"

	"backchannel/internal/localapi"
	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// slowAcks is the store with every acknowledgement held until release is
// closed.
type slowAcks struct {
	*store.Store
	release chan struct{}
}

func (s *slowAcks) Ack(ctx context.Context, owner, id string) error {
	<-s.release
	return s.Store.Ack(ctx, owner, id)
}

func (s *slowAcks) AckFunc(ctx context.Context, owner, id string, done func(error)) {
	go func() {
		<-s.release
		s.Store.AckFunc(ctx, owner, id, done)
	}()
}

// TestAckHoldsNoPlace: an ack waiting for the store to remove its message
// holds none of the session's places for requests in progress, so with one
// place a request after it is answered first; the ack is answered once the
// store is done, and the message is gone.
func TestAckHoldsNoPlace(t *testing.T) {
	sa := &slowAcks{release: make(chan struct{})}
	e := startEnv(t, envOpts{inFlight: 1, wrapStore: func(st *store.Store) Store { sa.Store = st; return sa }})
	ctx := context.Background()
	id, err := e.hub.Convey(ctx, localapi.SendRequest{To: codeIRN, Text: "Held in the store."})
	if err != nil {
		t.Fatal(err)
	}
	irn := mustDialRaw(t, e.addr, keyIRN)
	f, ok := irn.waitDeliver(10 * time.Second)
	if !ok || f.Msg.ID != id {
		t.Fatalf("IRN's delivery: %+v", f)
	}
	// The ack, then a status request, each written without waiting.
	ackReply := startRequest(t, irn, &wire.Frame{Type: wire.TypeAck, ID: id})
	status := startRequest(t, irn, &wire.Frame{Type: wire.TypeStatus})
	select {
	case r := <-status:
		if r == nil || r.Type != wire.TypeStatus {
			t.Fatalf("status: %+v", r)
		}
	case <-time.After(5 * time.Second):
		close(sa.release)
		t.Fatal("a status request waited for an ack the store had not finished: the ack held the session's one place")
	}
	select {
	case r := <-ackReply:
		t.Fatalf("the ack was answered before the store removed the message: %+v", r)
	default:
	}
	close(sa.release)
	select {
	case r := <-ackReply:
		if r == nil || r.Type != wire.TypeOK || r.ID != id {
			t.Fatalf("ack: %+v", r)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no reply to the ack")
	}
	if _, err := e.st.Get(ctx, codeIRN, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after the ack: %v, want ErrNotFound", err)
	}
	// An ack of something not there is answered not_found, at once.
	wantError(t, irn.request(&wire.Frame{Type: wire.TypeAck, ID: id}), wire.CodeNotFound)
	wantError(t, irn.request(&wire.Frame{Type: wire.TypeAck, ID: "bad id!"}), wire.CodeBadFrame)
	// The hub's request path answers an ack the same way.
	wantError(t, e.hub.request(ctx, codeIRN, &wire.Frame{Type: wire.TypeAck, ID: id, Req: 9}), wire.CodeNotFound)
}

// startRequest writes f with a fresh request number and returns where its
// reply will come.
func startRequest(t *testing.T, rc *rawClient, f *wire.Frame) chan *wire.Frame {
	t.Helper()
	f.Req = rc.next.Add(1)
	ch := make(chan *wire.Frame, 1)
	rc.mu.Lock()
	rc.pending[f.Req] = ch
	rc.mu.Unlock()
	b, err := wire.Encode(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.c.WriteFrame(b); err != nil {
		t.Fatal(err)
	}
	return ch
}

package hub

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"backchannel/internal/localapi"
	"backchannel/internal/wire"
)

// tapConn records what is written to a connection: a wiretap's copy of the
// desk's side of the handshake.
type tapConn struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *tapConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.out.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

// tappedSession is a party's session with the hub, over a tapped connection.
type tappedSession struct {
	t   *testing.T
	tap *tapConn
	c   *wire.Conn
}

// dialTapped runs the handshake as ISR over a tapped connection, reads the
// welcome, and proves the session with a ping (the first frame a desk sends).
func dialTapped(t *testing.T, addr string) *tappedSession {
	t.Helper()
	tap, c := handshakeTapped(t, addr)
	t.Cleanup(func() { c.Close() })
	ts := &tappedSession{t: t, tap: tap, c: c}
	if f := ts.next(); f.Type != wire.TypeWelcome {
		t.Fatalf("first frame %+v, want a welcome", f)
	}
	ts.ping(1)
	return ts
}

// next reads the next frame, failing the test after 5 s.
func (ts *tappedSession) next() *wire.Frame {
	ts.t.Helper()
	ts.tap.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer ts.tap.SetReadDeadline(time.Time{})
	b, err := ts.c.ReadFrame()
	if err != nil {
		ts.t.Fatalf("reading a frame: %v", err)
	}
	f, err := wire.Decode(b)
	if err != nil {
		ts.t.Fatalf("a frame from the hub does not decode: %v", err)
	}
	return f
}

// ping sends a ping and waits for its pong, skipping deliveries.
func (ts *tappedSession) ping(req uint64) {
	ts.t.Helper()
	b, _ := wire.Encode(&wire.Frame{Type: wire.TypePing, Req: req})
	if err := ts.c.WriteFrame(b); err != nil {
		ts.t.Fatalf("ping %d: %v", req, err)
	}
	for {
		f := ts.next()
		if f.Type == wire.TypePong && f.Req == req {
			return
		}
		if f.Type != wire.TypeDeliver {
			ts.t.Fatalf("waiting for pong %d: got %+v", req, f)
		}
	}
}

// message1 is the handshake's first message as the tap captured it.
func (ts *tappedSession) message1() []byte {
	ts.tap.mu.Lock()
	defer ts.tap.mu.Unlock()
	return bytes.Clone(ts.tap.out.Bytes()[:2+wire.HandshakeSize])
}

// replay opens a connection, writes m1 and reads the hub's message 2 and the
// welcome it cannot open. It returns the open connection.
func replay(t *testing.T, addr string, m1 []byte) net.Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	if _, err := nc.Write(m1); err != nil {
		t.Fatal(err)
	}
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	got := make([]byte, 2+wire.HandshakeSize+2+wire.Sizes[0])
	if _, err := io.ReadFull(nc, got); err != nil {
		t.Fatalf("the hub did not answer a replayed message 1 with message 2 and a welcome: %v", err)
	}
	nc.SetReadDeadline(time.Time{})
	return nc
}

// TestReplayedMessage1KeepsLiveSession records ISR's message 1 off the wire
// and replays it, three times, while ISR's session is live: the hub answers
// (KK's message 1 is replayable), but the live session stays ISR's session:
// it answers pings and gets the mediator's mail. A genuine new session, which
// sends a frame, does replace it.
func TestReplayedMessage1KeepsLiveSession(t *testing.T) {
	e := startEnv(t, envOpts{})
	live := dialTapped(t, e.addr)
	m1 := live.message1()

	for i := range 3 {
		closed := strings.Count(e.logs.String(), "session closed")
		replay(t, e.addr, m1)
		// Wait until the hub has decided: it holds the replayed session back,
		// or it closed one (the live one, before the fix).
		eventually(t, 5*time.Second, "the hub deciding on the replayed session", func() (bool, string) {
			l := e.logs.String()
			return strings.Count(l, "session waits for its first frame") > i || strings.Count(l, "session closed") > closed, l
		})
		live.ping(uint64(10 + i))
	}
	if c := e.hub.Connected(); len(c) != 1 || c[0] != codeISR {
		t.Fatalf("connected %v, want [ISR]", c)
	}

	var sent localapi.SendReply
	mustCall(t, e.hub.API(), "POST", "/send", localapi.SendRequest{To: codeISR, Text: "Still there?"}, &sent)
	for {
		f := live.next()
		if f.Type == wire.TypeDeliver && f.Msg != nil && f.Msg.ID == sent.ID {
			break
		}
	}

	// Positive control: ISR's desk calling again, and proving it, takes over.
	fresh := dialTapped(t, e.addr)
	live.tap.SetReadDeadline(time.Now().Add(5 * time.Second))
	for {
		if _, err := live.c.ReadFrame(); err != nil {
			break // closed by the hub, as it should be
		}
	}
	fresh.ping(2)
}

// TestReplayedSessionClosedUnproven: a session held back because the party's
// live session is proven is closed when no authenticated frame comes within
// proofTimeout.
func TestReplayedSessionClosedUnproven(t *testing.T) {
	old := proofTimeout
	t.Cleanup(func() { proofTimeout = old }) // after the hub has stopped
	proofTimeout = 200 * time.Millisecond
	e := startEnv(t, envOpts{})
	live := dialTapped(t, e.addr)
	nc := replay(t, e.addr, live.message1())
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := nc.Read(make([]byte, 1)); err != io.EOF {
		t.Fatalf("the held-back session: read %d bytes, %v; want the hub to close it (EOF)", n, err)
	}
	live.ping(2)
}

// TestUnprovenSessionReplaced: a session that never sent a frame (as a
// replayer's, or an old desk's that only listens) is replaced by the next
// session at once, proven or not.
func TestUnprovenSessionReplaced(t *testing.T) {
	e := startEnv(t, envOpts{})
	first := replay(t, e.addr, dialAndClose(t, e.addr))
	eventually(t, 5*time.Second, "ISR connected", func() (bool, string) {
		return len(e.hub.Connected()) == 1, ""
	})
	second := mustDialRaw(t, e.addr, partyKey(codeISR))
	first.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, first); err != nil {
		t.Fatalf("the unproven session was not closed: %v", err)
	}
	if r := second.request(&wire.Frame{Type: wire.TypePing}); r.Type != wire.TypePong {
		t.Fatalf("ping on the new session: %+v", r)
	}
}

// dialAndClose runs a genuine handshake as ISR, captures its message 1, and
// hangs up without sending a frame.
func dialAndClose(t *testing.T, addr string) []byte {
	t.Helper()
	tap, c := handshakeTapped(t, addr)
	c.Close()
	return bytes.Clone(tap.out.Bytes()[:2+wire.HandshakeSize])
}

// handshakeTapped dials addr and runs ISR's handshake over a tapped connection.
func handshakeTapped(t *testing.T, addr string) (*tapConn, *wire.Conn) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	tap := &tapConn{Conn: nc}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := wire.Client(ctx, tap, partyKey(codeISR), keyRUS.Public(), wire.Schedule{})
	if err != nil {
		nc.Close()
		t.Fatal(err)
	}
	return tap, c
}

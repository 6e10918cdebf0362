package hub

import (
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"backchannel/internal/wire"
)

// unreadClient opens a session as ISR and reads only the welcome. With small,
// its socket takes little data, so the hub's replies back up quickly.
func unreadClient(t *testing.T, e *testEnv, small bool) (*net.TCPConn, *wire.Conn) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", e.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	tc := nc.(*net.TCPConn)
	if small {
		tc.SetReadBuffer(4096)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := wire.Client(ctx, nc, partyKey(codeISR), keyRUS.Public(), wire.Schedule{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ReadFrame(); err != nil { // the welcome
		t.Fatal(err)
	}
	return tc, c
}

func pings(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(`{"type":"ping","req":` + strconv.Itoa(i+1) + `}`)
	}
	return out
}

// TestRepliesDoNotStopReading: a desk that writes many requests before it
// reads the replies (as a desk acknowledging deliveries from its reading
// loop does) is still read, and gets every reply. Replies that waited for
// room in the queue made the session stop reading, and both sides waited
// for the other for ever.
func TestRepliesDoNotStopReading(t *testing.T) {
	e := startEnv(t, envOpts{})
	tc, c := unreadClient(t, e, false)
	const n = 3 * maxQueued
	tc.SetWriteDeadline(time.Now().Add(20 * time.Second))
	if err := c.WriteFrames(pings(n)); err != nil {
		t.Fatalf("writing %d pings without reading: %v (the hub stopped reading)", n, err)
	}
	tc.SetReadDeadline(time.Now().Add(20 * time.Second))
	for i := 1; i <= n; i++ {
		b, err := c.ReadFrame()
		if err != nil {
			t.Fatalf("pong %d of %d: %v", i, n, err)
		}
		f, err := wire.Decode(b)
		if err != nil || f.Type != wire.TypePong || f.Req != uint64(i) {
			t.Fatalf("frame %d: %s (%v)", i, b, err)
		}
	}
}

// TestUnreadDeskClosed: a desk that sends and never reads is closed once
// maxBacklog replies wait for it, rather than growing the hub's memory.
func TestUnreadDeskClosed(t *testing.T) {
	old := maxBacklog
	maxBacklog = 64
	t.Cleanup(func() { maxBacklog = old })
	e := startEnv(t, envOpts{})
	tc, c := unreadClient(t, e, true)
	tc.SetWriteDeadline(time.Now().Add(30 * time.Second))
	var werr error
	for range 200 { // 200 x 512 pings: far more than the sockets hold
		if werr = c.WriteFrames(pings(512)); werr != nil {
			break
		}
	}
	var ne net.Error
	if werr == nil || errors.As(werr, &ne) && ne.Timeout() {
		t.Fatalf("writing to a desk session that never reads: %v; want the hub to close it", werr)
	}
	eventually(t, 5*time.Second, "the log says why", func() (bool, string) {
		return strings.Contains(e.logs.String(), "does not read"), e.logs.String()
	})
}

package wire

import (
	"context"
	"net"
	"sync"
	"time"

	"backchannel/internal/identity"
)

// Conn is a Session over a network connection. WriteFrame may be called from
// several goroutines; ReadFrame from one.
type Conn struct {
	nc   net.Conn
	s    *Session
	peer identity.Public
	wmu  sync.Mutex
}

// Client dials nothing: it runs the initiator's handshake over an open connection
// and returns the Conn. The context bounds the handshake.
func Client(ctx context.Context, nc net.Conn, local *identity.Private, hub identity.Public, sched Schedule) (*Conn, error) {
	stop := deadline(ctx, nc)
	s, err := Initiate(nc, local, hub, sched)
	stop()
	if err != nil {
		return nil, err
	}
	return &Conn{nc: nc, s: s, peer: hub}, nil
}

// Server runs the responder's handshake over an accepted connection, trying the
// candidate keys. On ErrUnknownPeer the caller closes nc without a word.
func Server(ctx context.Context, nc net.Conn, local *identity.Private, candidates []identity.Public, sched Schedule) (*Conn, error) {
	stop := deadline(ctx, nc)
	s, peer, err := Accept(nc, local, candidates, sched)
	stop()
	if err != nil {
		return nil, err
	}
	return &Conn{nc: nc, s: s, peer: peer}, nil
}

// deadline applies ctx's deadline (or DefaultHandshakeTimeout) to nc and returns
// a func that clears it. Cancelling ctx before that func runs sets a deadline in
// the past, which unblocks the handshake; once it has run, ctx no longer touches nc.
func deadline(ctx context.Context, nc net.Conn) func() {
	d, ok := ctx.Deadline()
	if !ok {
		d = time.Now().Add(DefaultHandshakeTimeout)
	}
	nc.SetDeadline(d)
	var mu sync.Mutex
	stopped := false
	stopAfter := context.AfterFunc(ctx, func() {
		mu.Lock()
		defer mu.Unlock()
		if !stopped {
			nc.SetDeadline(time.Unix(1, 0))
		}
	})
	return func() {
		stopAfter()
		mu.Lock()
		defer mu.Unlock()
		stopped = true
		nc.SetDeadline(time.Time{})
	}
}

// Peer is the static key the other side proved it holds.
func (c *Conn) Peer() identity.Public { return c.peer }

// Session returns the transport state.
func (c *Conn) Session() *Session { return c.s }

// NetConn returns the underlying connection.
func (c *Conn) NetConn() net.Conn { return c.nc }

// WriteFrame seals one frame and writes it with its length prefix in one write.
func (c *Conn) WriteFrame(frame []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	b, err := c.s.Seal(make([]byte, 2, 2+len(frame)+64), frame)
	if err != nil {
		return err
	}
	n := len(b) - 2
	b[0], b[1] = byte(n>>8), byte(n)
	_, err = c.nc.Write(b)
	return err
}

// ReadFrame reads and opens one message. A message that fails to open is an
// error; the caller should close the connection (the session is unchanged).
func (c *Conn) ReadFrame() ([]byte, error) {
	m, err := ReadMessage(c.nc)
	if err != nil {
		return nil, err
	}
	return c.s.Open(m)
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

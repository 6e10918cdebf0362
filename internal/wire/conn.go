package wire

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"backchannel/internal/identity"
)

// Conn is a Session over a network connection. WriteFrame and WriteFrames may
// be called from several goroutines; ReadFrame and ReadFrameView from one.
type Conn struct {
	nc   net.Conn
	br   *bufio.Reader // transport messages only: the handshake reads nc exactly
	s    *Session
	peer identity.Public
	wmu  sync.Mutex
	held int // bytes of the message ReadFrameView left in br, to wipe and discard
}

// readBufferSize is what each Conn holds to read with. A burst of small frames
// (258 or 1,026 bytes on the wire) then costs one read call per several frames,
// and an idle connection holds no more than this; messages larger than it are
// read straight into a buffer of their own.
const readBufferSize = 4096

// writeChunk is how many bytes of sealed messages WriteFrames gathers before
// it writes them. The buffers are shared by all connections (wbufs), so an
// idle connection holds none.
const writeChunk = 64 << 10

var wbufs = sync.Pool{New: func() any { b := make([]byte, 0, writeChunk); return &b }}

func newConn(nc net.Conn, s *Session, peer identity.Public) *Conn {
	return &Conn{nc: nc, br: bufio.NewReaderSize(nc, readBufferSize), s: s, peer: peer}
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
	return newConn(nc, s, hub), nil
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
	return newConn(nc, s, peer), nil
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
	return c.WriteFrames([][]byte{frame})
}

// WriteFrames seals frames in order and writes them with as few writes as it
// can: one for every 64 KiB of messages. When a frame is too large nothing is
// sealed or written. A write error leaves an unknown part of the frames sent;
// the caller should close the connection.
func (c *Conn) WriteFrames(frames [][]byte) error {
	for _, f := range frames {
		if _, err := paddedSize(len(f)); err != nil {
			return err
		}
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	bp := wbufs.Get().(*[]byte)
	b := (*bp)[:0]
	defer func() {
		if cap(b) <= 4*writeChunk {
			*bp = b[:0]
			wbufs.Put(bp)
		}
	}()
	for _, f := range frames {
		if len(b) > 0 && len(b)+2+len(f)+header+TagSize > writeChunk {
			if _, err := c.nc.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
		start := len(b)
		var err error
		if b, err = c.s.Seal(append(b, 0, 0), f); err != nil {
			return err
		}
		binary.BigEndian.PutUint16(b[start:], uint16(len(b)-start-2))
	}
	if len(b) == 0 {
		return nil
	}
	_, err := c.nc.Write(b)
	return err
}

// ReadFrame reads and opens one message. A message that fails to open is an
// error; the caller should close the connection (the session is unchanged).
// The frame is the caller's to keep.
func (c *Conn) ReadFrame() ([]byte, error) {
	frame, err := c.ReadFrameView()
	if err == nil && c.held > 0 {
		frame = bytes.Clone(frame)
	}
	c.Release()
	return frame, err
}

// ReadFrameView is ReadFrame without the copy: a frame that fits the read
// buffer is opened in place and returned there, valid only until the next
// ReadFrame, ReadFrameView or Release, which wipes it. For a caller that
// decodes each frame before it reads the next, as the hub does, and calls
// Release when it stops reading.
func (c *Conn) ReadFrameView() ([]byte, error) {
	c.Release()
	var n [2]byte
	if _, err := io.ReadFull(c.br, n[:]); err != nil {
		return nil, err
	}
	size := int(binary.BigEndian.Uint16(n[:]))
	if size == 0 {
		return nil, fmt.Errorf("%w: empty message", ErrSize)
	}
	if size > c.br.Size() {
		msg := make([]byte, size)
		if _, err := io.ReadFull(c.br, msg); err != nil {
			return nil, unexpectedEOF(err)
		}
		return c.s.open(msg[:0], msg)
	}
	// The message fits the read buffer: decrypt it there, in place. Release
	// wipes it and moves past it.
	msg, err := c.br.Peek(size)
	if err != nil {
		return nil, unexpectedEOF(err)
	}
	c.held = size
	frame, err := c.s.open(msg[:0], msg)
	if err != nil {
		c.Release()
		return nil, err
	}
	return frame, nil
}

// Release wipes the frame the last ReadFrameView returned, when it is still
// in the read buffer, and moves past it; the next read does so too. A reader
// that stops reading calls it, so the last frame read is not left there.
// Call it from the reading goroutine only.
func (c *Conn) Release() {
	if c.held == 0 {
		return
	}
	msg, _ := c.br.Peek(c.held)
	clear(msg)
	c.br.Discard(c.held)
	c.held = 0
}

func unexpectedEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

package wire

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"backchannel/internal/identity"
)

// countConn counts the Read and Write calls made on a net.Conn.
type countConn struct {
	net.Conn
	mu            sync.Mutex
	reads, writes int
}

func (c *countConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	c.reads++
	c.mu.Unlock()
	return c.Conn.Read(p)
}

func (c *countConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.writes++
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *countConn) counts() (reads, writes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.reads, c.writes
}

// boundaryFrames have sizes at and around every padded size and the read
// buffer's size, so that messages start and end everywhere in it.
var boundaryFrames = func() [][]byte {
	var fs [][]byte
	for _, n := range []int{0, 1, 237, 238, 239, 1000, 1005, 1006, readBufferSize - TagSize - header - 1,
		readBufferSize - TagSize - header, readBufferSize - TagSize - header + 1, 5000, 16365, 16366, MaxFrame, 17} {
		fs = append(fs, frameOf(n))
	}
	for i := range 40 {
		fs = append(fs, []byte(fmt.Sprintf(`{"type":"ping","req":%d}`, i)))
	}
	return fs
}()

// readAll reads len(want) frames from c and compares them with want, keeping
// every frame until the end (a frame is the caller's to keep).
func readAll(t *testing.T, c *Conn, want [][]byte) {
	t.Helper()
	got := make([][]byte, 0, len(want))
	for i := range want {
		f, err := c.ReadFrame()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		got = append(got, f)
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("frame %d: %d bytes %.20q, want %d bytes %.20q", i, len(got[i]), got[i], len(want[i]), want[i])
		}
	}
}

// TestWriteFramesBatch writes a batch of frames of every size, through a rekey
// every third message, in as few writes as 64 KiB chunks allow, and reads
// them back in order.
func TestWriteFramesBatch(t *testing.T) {
	a, b := net.Pipe()
	desk, hub := testKey(t, "desk"), testKey(t, "hub")
	sched := Schedule{Messages: 3}
	ini, hs := handshakeOver(t, a, b, desk, hub, sched, sched, nil, nil)
	cc := &countConn{Conn: a}
	client, server := connOf(cc, ini, hub.Public()), connOf(b, hs, desk.Public())
	defer client.Close()
	defer server.Close()

	small := boundaryFrames[len(boundaryFrames)-40:]
	for _, tc := range []struct {
		name      string
		frames    [][]byte
		maxWrites int
	}{
		{"one", small[:1], 1},
		{"small", small, 1},                     // 40 x 258 bytes
		{"boundaries", boundaryFrames, 4},       // about 160 KiB: 64 KiB chunks, one message may fill one
		{"empty", nil, 0},                       // writes nothing
		{"max", [][]byte{frameOf(MaxFrame)}, 1}, // one message larger than a chunk
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, w0 := cc.counts()
			errc := make(chan error, 1)
			go func() { errc <- client.WriteFrames(tc.frames) }()
			readAll(t, server, tc.frames)
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			if _, w := cc.counts(); w-w0 > tc.maxWrites {
				t.Fatalf("%d frames took %d writes, want at most %d", len(tc.frames), w-w0, tc.maxWrites)
			}
		})
	}

	// A batch with one frame too large is refused whole: nothing is sealed or
	// written, and the next batch reads normally.
	_, w0 := cc.counts()
	if err := client.WriteFrames([][]byte{small[0], frameOf(MaxFrame + 1), small[1]}); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("WriteFrames with a frame over MaxFrame = %v, want ErrTooLarge", err)
	}
	if _, w := cc.counts(); w != w0 {
		t.Fatal("WriteFrames wrote something of a refused batch")
	}
	errc := make(chan error, 1)
	go func() { errc <- client.WriteFrames(small[2:4]) }()
	readAll(t, server, small[2:4])
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestReadFrameBoundaries sends a stream of messages of every size through a
// peer that writes it in pieces of n bytes, from one byte at a time to all at
// once: the buffered reader must put every frame together wherever the
// pieces cut it.
func TestReadFrameBoundaries(t *testing.T) {
	for _, view := range []bool{false, true} {
		for _, n := range []int{1, 2, 3, 255, 258, 1000, readBufferSize - 1, readBufferSize, readBufferSize + 1, 70000, 1 << 20} {
			t.Run(fmt.Sprintf("view=%v/%d", view, n), func(t *testing.T) { testReadFrameBoundaries(t, view, n) })
		}
	}
}

func testReadFrameBoundaries(t *testing.T, view bool, n int) {
	{
		{
			ini, hs := sessionPair(t, Schedule{Messages: 5}, Schedule{Messages: 5})
			var stream []byte
			for _, f := range boundaryFrames {
				start := len(stream)
				var err error
				if stream, err = ini.Seal(append(stream, 0, 0), f); err != nil {
					t.Fatal(err)
				}
				size := len(stream) - start - 2
				stream[start], stream[start+1] = byte(size>>8), byte(size)
			}
			a, b := net.Pipe()
			defer a.Close()
			server := connOf(b, hs, testKey(t, "desk").Public())
			defer server.Close()
			errc := make(chan error, 1)
			go func() {
				for rest := stream; len(rest) > 0; {
					k := min(n, len(rest))
					if _, err := a.Write(rest[:k]); err != nil {
						errc <- err
						return
					}
					rest = rest[k:]
				}
				errc <- a.Close()
			}()
			if view {
				readViews(t, server, boundaryFrames)
			} else {
				readAll(t, server, boundaryFrames)
			}
			if _, err := server.ReadFrame(); err != io.EOF {
				t.Fatalf("ReadFrame after the last message = %v, want io.EOF", err)
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
	}
}

// readViews reads len(want) frames from c with ReadFrameView, comparing each
// as it comes, and checks that Release (which the next read calls first)
// wipes a frame that was opened in the read buffer.
func readViews(t *testing.T, c *Conn, want [][]byte) {
	t.Helper()
	for i := range want {
		f, err := c.ReadFrameView()
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if !bytes.Equal(f, want[i]) {
			t.Fatalf("frame %d: %d bytes %.20q, want %d bytes %.20q", i, len(f), f, len(want[i]), want[i])
		}
		inBuffer := c.held > 0
		if len(f) < 256 && !inBuffer {
			t.Fatalf("frame %d (%d bytes) was not opened in the read buffer", i, len(f))
		}
		c.Release()
		if inBuffer && bytes.ContainsFunc(f, func(r rune) bool { return r != 0 }) {
			t.Fatalf("frame %d: Release left its plaintext in the read buffer: %.20q", i, f)
		}
	}
}

// TestReadFrameFewReads: a burst of small messages written at once is read
// with one read call per read buffer's worth, not two per message.
func TestReadFrameFewReads(t *testing.T) {
	a, b := net.Pipe()
	desk, hub := testKey(t, "desk"), testKey(t, "hub")
	ini, hs := handshakeOver(t, a, b, desk, hub, Schedule{}, Schedule{}, nil, nil)
	cc := &countConn{Conn: b}
	client, server := connOf(a, ini, hub.Public()), connOf(cc, hs, desk.Public())
	defer client.Close()
	defer server.Close()
	frames := boundaryFrames[len(boundaryFrames)-15:] // 15 x 258 bytes fit 4 KiB
	errc := make(chan error, 1)
	go func() { errc <- client.WriteFrames(frames) }()
	readAll(t, server, frames)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if r, _ := cc.counts(); r > 2 {
		t.Fatalf("%d messages of 258 bytes took %d reads, want at most 2", len(frames), r)
	}
}

// TestReadFrameTruncated: a connection that ends inside a message is
// io.ErrUnexpectedEOF, for a message that fits the read buffer and one that
// does not.
func TestReadFrameTruncated(t *testing.T) {
	for _, n := range []int{10, 5000} {
		ini, hs := sessionPair(t, Schedule{}, Schedule{})
		msg, err := ini.Seal(make([]byte, 2), frameOf(n))
		if err != nil {
			t.Fatal(err)
		}
		size := len(msg) - 2
		msg[0], msg[1] = byte(size>>8), byte(size)
		a, b := net.Pipe()
		server := connOf(b, hs, testKey(t, "desk").Public())
		go func() {
			a.Write(msg[:len(msg)-1])
			a.Close()
		}()
		if _, err := server.ReadFrame(); err != io.ErrUnexpectedEOF {
			t.Fatalf("frame of %d bytes cut short: ReadFrame = %v, want io.ErrUnexpectedEOF", n, err)
		}
		server.Close()
	}
}

// BenchmarkConnFrames sends 256-byte frames over loopback TCP, one write per
// frame or batches of 16, and reads them on the other side.
func BenchmarkConnFrames(b *testing.B) {
	for _, batch := range []int{1, 16} {
		b.Run(fmt.Sprintf("batch=%d", batch), func(b *testing.B) {
			client, server := tcpConnPair(b)
			frame := frameOf(256)
			frames := make([][]byte, batch)
			for i := range frames {
				frames[i] = frame
			}
			done := make(chan error, 1)
			go func() {
				for range b.N {
					if _, err := server.ReadFrame(); err != nil {
						done <- err
						return
					}
				}
				done <- nil
			}()
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			for i := 0; i < b.N; i += batch {
				k := min(batch, b.N-i)
				if err := client.WriteFrames(frames[:k]); err != nil {
					b.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}

// tcpConnPair is connPair over loopback TCP.
func tcpConnPair(tb testing.TB) (client, server *Conn) {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	desk, hub := testKey(tb, "desk"), testKey(tb, "hub")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		c   *Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		nc, err := ln.Accept()
		if err != nil {
			done <- result{nil, err}
			return
		}
		c, err := Server(ctx, nc, hub, []identity.Public{desk.Public()}, Schedule{})
		done <- result{c, err}
	}()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		tb.Fatal(err)
	}
	client, err = Client(ctx, nc, desk, hub.Public(), Schedule{})
	r := <-done
	if err != nil || r.err != nil {
		tb.Fatalf("handshake: client: %v; server: %v", err, r.err)
	}
	tb.Cleanup(func() { client.Close(); r.c.Close() })
	return client, r.c
}

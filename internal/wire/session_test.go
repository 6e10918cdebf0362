package wire

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
	"time"

	"backchannel/internal/identity"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind (Conn's
// handshake deadline helper starts one per handshake).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// ---- shared helpers (used by every test file of the package) ----

// testKey is a deterministic identity derived from a label.
func testKey(tb testing.TB, label string) *identity.Private {
	tb.Helper()
	seed := sha256.Sum256([]byte("backchannel test key: " + label))
	k, err := identity.FromBytes(seed[:])
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

// fixedRand is a deterministic stream for ephemeral keys: each 32-byte read is
// SHA-256 of the label and a counter.
type fixedRand struct {
	label string
	n     int
	buf   []byte
}

func newFixedRand(label string) *fixedRand { return &fixedRand{label: label} }

func (r *fixedRand) Read(p []byte) (int, error) {
	for len(r.buf) < len(p) {
		h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", r.label, r.n)))
		r.n++
		r.buf = append(r.buf, h[:]...)
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// ephemeral returns the first 32 bytes a fixedRand with this label yields: the
// private key of the ephemeral it injects.
func ephemeral(label string) []byte {
	b := make([]byte, 32)
	newFixedRand(label).Read(b)
	return b
}

// recordingRW is a ReadWriter that reads from a fixed input and records every
// byte written to it.
type recordingRW struct {
	r       io.Reader
	written bytes.Buffer
}

func (rw *recordingRW) Read(p []byte) (int, error)  { return rw.r.Read(p) }
func (rw *recordingRW) Write(p []byte) (int, error) { return rw.written.Write(p) }

// tapConn records the bytes written to a net.Conn (what a wiretap on that
// direction would capture).
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

func (c *tapConn) captured() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out.Bytes())
}

// handshakeOver runs Initiate and Accept concurrently over the two ends of a
// pipe. Ephemerals come from the given readers (nil: crypto/rand).
func handshakeOver(tb testing.TB, ci, cr io.ReadWriter, ini, hub *identity.Private, isched, hsched Schedule, irng, hrng io.Reader) (*Session, *Session) {
	tb.Helper()
	type result struct {
		s    *Session
		peer identity.Public
		err  error
	}
	done := make(chan result, 1)
	go func() {
		s, peer, err := accept(cr, hub, []identity.Public{ini.Public()}, hsched, hrng)
		done <- result{s, peer, err}
	}()
	is, ierr := initiate(ci, ini, hub.Public(), isched, irng)
	r := <-done
	if ierr != nil || r.err != nil {
		tb.Fatalf("handshake: initiator: %v; responder: %v", ierr, r.err)
	}
	if r.peer != ini.Public() {
		tb.Fatalf("responder saw peer %v, want %v", r.peer, ini.Public())
	}
	return is, r.s
}

// sessionPair returns the initiator's and the hub's sessions of a fresh
// handshake between two deterministic keys.
func sessionPair(tb testing.TB, isched, hsched Schedule) (ini, hub *Session) {
	tb.Helper()
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	return handshakeOver(tb, a, b, testKey(tb, "desk"), testKey(tb, "hub"), isched, hsched, nil, nil)
}

// connPair returns a client and a server Conn over a net.Pipe, closed at the
// end of the test.
func connPair(tb testing.TB, sched Schedule) (client, server *Conn) {
	tb.Helper()
	a, b := net.Pipe()
	desk, hub := testKey(tb, "desk"), testKey(tb, "hub")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	type result struct {
		c   *Conn
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := Server(ctx, b, hub, []identity.Public{desk.Public()}, sched)
		done <- result{c, err}
	}()
	client, err := Client(ctx, a, desk, hub.Public(), sched)
	r := <-done
	if err != nil || r.err != nil {
		a.Close()
		b.Close()
		tb.Fatalf("handshake: client: %v; server: %v", err, r.err)
	}
	tb.Cleanup(func() { client.Close(); r.c.Close() })
	return client, r.c
}

// frameOf returns a deterministic frame of n bytes.
func frameOf(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + i%26)
	}
	return b
}

func mustSeal(tb testing.TB, s *Session, frame []byte) []byte {
	tb.Helper()
	m, err := s.Seal(nil, frame)
	if err != nil {
		tb.Fatalf("Seal(%d bytes): %v", len(frame), err)
	}
	return m
}

func mustOpen(tb testing.TB, s *Session, msg, want []byte) {
	tb.Helper()
	got, err := s.Open(msg)
	if err != nil {
		tb.Fatalf("Open(%d bytes): %v", len(msg), err)
	}
	if !bytes.Equal(got, want) {
		tb.Fatalf("Open returned %d bytes %.40q, want %d bytes %.40q", len(got), got, len(want), want)
	}
}

// fakeClock is a Schedule.Now the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// ---- sizes and padding ----

func TestSealSizes(t *testing.T) {
	// For each bucket c, the largest frame it holds is c-header-TagSize; one
	// more byte goes to the next bucket.
	type tc struct {
		n, size int
	}
	cases := []tc{{0, Sizes[0]}, {1, Sizes[0]}}
	for i, c := range Sizes {
		fit := c - testHeader - TagSize
		cases = append(cases, tc{fit - 1, c}, tc{fit, c})
		if i+1 < len(Sizes) {
			cases = append(cases, tc{fit + 1, Sizes[i+1]})
		}
	}
	cases = append(cases, tc{MaxFrame, MaxMessage})

	ini, hub := sessionPair(t, Schedule{}, Schedule{})
	for _, c := range cases {
		t.Run(fmt.Sprint(c.n), func(t *testing.T) {
			for _, dir := range []struct {
				name     string
				from, to *Session
			}{{"desk->hub", ini, hub}, {"hub->desk", hub, ini}} {
				frame := frameOf(c.n)
				msg := mustSeal(t, dir.from, frame)
				if len(msg) != c.size {
					t.Fatalf("%s: frame of %d bytes sealed to %d bytes, want exactly %d", dir.name, c.n, len(msg), c.size)
				}
				mustOpen(t, dir.to, msg, frame)
			}
		})
	}
}

func TestSealTooLarge(t *testing.T) {
	ini, hub := sessionPair(t, Schedule{}, Schedule{})
	before := snapshot(ini)
	for _, n := range []int{MaxFrame + 1, MaxMessage, 1 << 20} {
		if _, err := ini.Seal(nil, frameOf(n)); !errors.Is(err, ErrTooLarge) {
			t.Errorf("Seal(%d bytes) = %v, want ErrTooLarge", n, err)
		}
	}
	if after := snapshot(ini); after != before {
		t.Fatal("a refused Seal changed the sending state")
	}
	// The session is still in step.
	mustOpen(t, hub, mustSeal(t, ini, []byte("after")), []byte("after"))
}

func TestSealAppendsToDst(t *testing.T) {
	ini, hub := sessionPair(t, Schedule{}, Schedule{})
	prefix := []byte{0xAA, 0xBB}
	out, err := ini.Seal(bytes.Clone(prefix), []byte(`{"type":"ping"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out[:2], prefix) || len(out) != 2+Sizes[0] {
		t.Fatalf("Seal(dst) = %x... (%d bytes), want the 2-byte dst followed by %d bytes", out[:4], len(out), Sizes[0])
	}
	mustOpen(t, hub, out[2:], []byte(`{"type":"ping"}`))
}

// TestOpenMalformed sends authenticated plaintexts that break the padding rules
// (as only a buggy peer could) and checks that each is refused with ErrMalformed
// and changes nothing, not even when the rekey flag is set.
func TestOpenMalformed(t *testing.T) {
	ini, hub := sessionPair(t, Schedule{}, Schedule{})
	mk := func(flags byte, length int, pad byte, size int) []byte {
		pt := make([]byte, size-TagSize)
		pt[0] = flags
		binary.BigEndian.PutUint16(pt[1:3], uint16(length))
		copy(pt[testHeader:], frameOf(min(length, len(pt)-testHeader)))
		if pad != 0 {
			pt[len(pt)-1] = pad
		}
		return pt
	}
	cases := []struct {
		name string
		pt   []byte
	}{
		{"unknown flag", mk(0x02, 5, 0, Sizes[0])},
		{"all flags", mk(0xFF, 5, 0, Sizes[0])},
		{"length beyond message", mk(0, Sizes[0], 0, Sizes[0])},
		{"length 0xFFFF", mk(0, 0xFFFF, 0, Sizes[1])},
		{"non-zero padding", mk(0, 5, 1, Sizes[0])},
		{"rekey flag with non-zero padding", mk(testFlagRekey, 5, 0x80, Sizes[0])},
		{"rekey flag with bad length", mk(testFlagRekey, 4000, 0, Sizes[1])},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Encrypt with a copy of the sender's cipher, so that the genuine
			// sender stays at the same nonce.
			forged, err := cipherOf(snapshot(ini).Send).Encrypt(nil, nil, c.pt)
			if err != nil {
				t.Fatal(err)
			}
			before := snapshot(hub)
			if _, err := hub.Open(forged); !errors.Is(err, ErrMalformed) {
				t.Fatalf("Open = %v, want ErrMalformed", err)
			}
			if after := snapshot(hub); after != before {
				t.Fatalf("a malformed message changed the receiving state: %+v -> %+v", before.Recv, after.Recv)
			}
			mustOpen(t, hub, mustSeal(t, ini, []byte("genuine")), []byte("genuine"))
		})
	}
}

// ---- integrity: bit flips, truncation, replay, reordering ----

// TestOpenBitFlips flips every bit of sealed messages (every bit of the two
// smallest sizes; for the larger ones every bit of the first and last 32 bytes
// and one bit at each of 256 random positions). Each must fail with ErrAuth
// and leave the receiving state exactly as it was; then the genuine message
// still opens.
func TestOpenBitFlips(t *testing.T) {
	ini, hub := sessionPair(t, Schedule{}, Schedule{})
	rng := rand.New(rand.NewPCG(1, 2))
	for i, size := range Sizes {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			frame := frameOf(size - testHeader - TagSize - 7)
			msg := mustSeal(t, ini, frame)
			if len(msg) != size {
				t.Fatalf("sealed to %d bytes, want %d", len(msg), size)
			}
			var bits []int // bit indexes to flip
			if i < 2 {
				for b := range size * 8 {
					bits = append(bits, b)
				}
			} else {
				for b := range 32 * 8 {
					bits = append(bits, b, (size-32)*8+b)
				}
				for range 256 {
					bits = append(bits, rng.IntN(size*8))
				}
			}
			before := snapshot(hub)
			damaged := bytes.Clone(msg)
			for _, b := range bits {
				damaged[b/8] ^= 1 << (b % 8)
				_, err := hub.Open(damaged)
				damaged[b/8] ^= 1 << (b % 8)
				if !errors.Is(err, ErrAuth) && !errors.Is(err, ErrSize) {
					t.Fatalf("flipped bit %d of byte %d: Open = %v, want ErrAuth or ErrSize", b%8, b/8, err)
				}
				if after := snapshot(hub); after != before {
					t.Fatalf("flipped bit %d of byte %d: the failed Open changed the receiving state", b%8, b/8)
				}
			}
			// Truncated and extended messages are refused by size.
			for _, m := range [][]byte{msg[:size-1], append(bytes.Clone(msg), 0), msg[:TagSize], {}} {
				if _, err := hub.Open(m); !errors.Is(err, ErrSize) {
					t.Fatalf("Open of %d bytes = %v, want ErrSize", len(m), err)
				}
			}
			if after := snapshot(hub); after != before {
				t.Fatal("a refused size changed the receiving state")
			}
			mustOpen(t, hub, msg, frame)
		})
	}
}

func TestOpenReplay(t *testing.T) {
	ini, hub := sessionPair(t, Schedule{}, Schedule{})
	m1 := mustSeal(t, ini, []byte("one"))
	mustOpen(t, hub, m1, []byte("one"))
	before := snapshot(hub)
	for range 3 {
		if _, err := hub.Open(m1); !errors.Is(err, ErrAuth) {
			t.Fatalf("replayed message: Open = %v, want ErrAuth", err)
		}
	}
	if snapshot(hub) != before {
		t.Fatal("a replay changed the receiving state")
	}
	mustOpen(t, hub, mustSeal(t, ini, []byte("two")), []byte("two"))
}

func TestOpenReorder(t *testing.T) {
	ini, hub := sessionPair(t, Schedule{}, Schedule{})
	m1 := mustSeal(t, ini, []byte("one"))
	m2 := mustSeal(t, ini, []byte("two"))
	m3 := mustSeal(t, ini, []byte("three"))
	before := snapshot(hub)
	for _, m := range [][]byte{m2, m3} {
		if _, err := hub.Open(m); !errors.Is(err, ErrAuth) {
			t.Fatalf("message ahead of its turn: Open = %v, want ErrAuth", err)
		}
	}
	if snapshot(hub) != before {
		t.Fatal("an out-of-order message changed the receiving state")
	}
	mustOpen(t, hub, m1, []byte("one"))
	if _, err := hub.Open(m3); !errors.Is(err, ErrAuth) {
		t.Fatalf("skipping a message: Open = %v, want ErrAuth", err)
	}
	mustOpen(t, hub, m2, []byte("two"))
	mustOpen(t, hub, m3, []byte("three"))
}

// TestOpenCrossDirection checks that a message cannot be reflected back to its
// sender: the two directions have different keys.
func TestOpenCrossDirection(t *testing.T) {
	ini, hub := sessionPair(t, Schedule{}, Schedule{})
	m := mustSeal(t, ini, []byte("to the hub"))
	if _, err := ini.Open(m); !errors.Is(err, ErrAuth) {
		t.Fatalf("reflected message: Open = %v, want ErrAuth", err)
	}
	mustOpen(t, hub, m, []byte("to the hub"))
	if s := snapshot(ini); s.Send.Key == s.Recv.Key {
		t.Fatal("both directions use the same key")
	}
}

// TestOpenOtherSession checks that a message of one session does not open in
// another session between the same two keys.
func TestOpenOtherSession(t *testing.T) {
	ini1, _ := sessionPair(t, Schedule{}, Schedule{})
	_, hub2 := sessionPair(t, Schedule{}, Schedule{})
	if _, err := hub2.Open(mustSeal(t, ini1, []byte("x"))); !errors.Is(err, ErrAuth) {
		t.Fatalf("message of another session: Open = %v, want ErrAuth", err)
	}
}

// ---- rekeying ----

func TestRekeyEveryNMessages(t *testing.T) {
	sched := Schedule{Messages: 3}
	ini, hub := sessionPair(t, sched, sched)
	for _, dir := range []struct {
		name     string
		from, to *Session
	}{{"desk->hub", ini, hub}, {"hub->desk", hub, ini}} {
		t.Run(dir.name, func(t *testing.T) {
			keys := map[[32]byte]bool{snapshot(dir.from).Send.Key: true}
			for i := 1; i <= 10; i++ {
				before := snapshot(dir.from).Send.Key
				frame := []byte(fmt.Sprintf(`{"type":"ping","req":%d}`, i))
				mustOpen(t, dir.to, mustSeal(t, dir.from, frame), frame)
				after := snapshot(dir.from).Send.Key
				if rekeyed := after != before; rekeyed != (i%3 == 0) {
					t.Fatalf("message %d: sender rekeyed = %v, want %v (every 3 messages)", i, rekeyed, i%3 == 0)
				}
				if got := snapshot(dir.to).Recv.Key; got != after {
					t.Fatalf("message %d: receiver's key does not follow the sender's", i)
				}
				if after != before {
					if keys[after] {
						t.Fatalf("message %d: rekey returned to an earlier key", i)
					}
					keys[after] = true
				}
			}
			if len(keys) != 4 {
				t.Fatalf("%d distinct keys over 10 messages, want 4", len(keys))
			}
		})
	}
}

func TestRekeyInterval(t *testing.T) {
	clk := &fakeClock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	sched := Schedule{Messages: 1000, Interval: time.Minute, Now: clk.Now}
	ini, hub := sessionPair(t, sched, sched)

	steps := []struct {
		advance time.Duration
		rekey   bool
	}{
		{0, false},
		{59 * time.Second, false},
		{time.Second, true}, // 60 s since the session began
		{30 * time.Second, false},
		{29 * time.Second, false},
		{time.Second, true}, // 60 s since the last rekey
		{10 * time.Minute, true},
		{0, false},
	}
	for i, st := range steps {
		clk.Advance(st.advance)
		before := snapshot(ini).Send.Key
		frame := []byte(fmt.Sprintf("message %d", i))
		mustOpen(t, hub, mustSeal(t, ini, frame), frame)
		after := snapshot(ini).Send.Key
		if rekeyed := after != before; rekeyed != st.rekey {
			t.Fatalf("step %d (+%v): rekeyed = %v, want %v", i, st.advance, rekeyed, st.rekey)
		}
		if snapshot(hub).Recv.Key != after {
			t.Fatalf("step %d: the receiver did not follow the sender's rekey", i)
		}
	}
	// The other direction has its own timer: it has sent nothing, and its
	// first message after all that time rekeys.
	before := snapshot(hub).Send.Key
	mustOpen(t, ini, mustSeal(t, hub, []byte("late")), []byte("late"))
	if snapshot(hub).Send.Key == before {
		t.Fatal("hub->desk: no rekey after more than the interval")
	}
}

// TestRekeyFlagMatters shows that the rekey flag is what keeps the receiver in
// step: a receiver that reads the messages but ignores the flag cannot open
// the first message sealed under the new key.
func TestRekeyFlagMatters(t *testing.T) {
	ini, hub := sessionPair(t, Schedule{Messages: 2}, Schedule{})
	naive := cipherOf(snapshot(hub).Recv) // a receiver that never rekeys
	m1 := mustSeal(t, ini, []byte("one"))
	m2 := mustSeal(t, ini, []byte("two"))   // carries the flag; the sender rekeys after it
	m3 := mustSeal(t, ini, []byte("three")) // under the new key
	for i, m := range [][]byte{m1, m2} {
		pt, err := naive.Decrypt(nil, nil, m)
		if err != nil {
			t.Fatalf("message %d under the old key: %v", i+1, err)
		}
		if want := byte(i) * testFlagRekey; pt[0] != want {
			t.Fatalf("message %d: flags %#x, want %#x", i+1, pt[0], want)
		}
	}
	if _, err := naive.Decrypt(nil, nil, m3); err == nil {
		t.Fatal("a receiver that ignored the rekey flag opened a message sealed after the rekey")
	}
	// Positive control: rekeying is exactly what was missing.
	naive.Rekey()
	if _, err := naive.Decrypt(nil, nil, m3); err != nil {
		t.Fatalf("after Rekey the naive receiver still fails: %v", err)
	}
	// The genuine receiver follows the flag.
	mustOpen(t, hub, m1, []byte("one"))
	mustOpen(t, hub, m2, []byte("two"))
	mustOpen(t, hub, m3, []byte("three"))
}

// ---- Conn ----

func TestConnPingPong(t *testing.T) {
	client, server := connPair(t, Schedule{Messages: 4})
	if client.Peer() != testKey(t, "hub").Public() || server.Peer() != testKey(t, "desk").Public() {
		t.Fatal("Peer() does not name the other side")
	}
	if !bytes.Equal(client.Session().HandshakeHash(), server.Session().HandshakeHash()) {
		t.Fatal("the two sides disagree on the handshake hash")
	}
	errc := make(chan error, 1)
	go func() {
		for range 10 {
			f, err := server.ReadFrame()
			if err != nil {
				errc <- err
				return
			}
			if err := server.WriteFrame(bytes.Replace(f, []byte("ping"), []byte("pong"), 1)); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for i := range 10 {
		if err := client.WriteFrame([]byte(fmt.Sprintf(`{"type":"ping","req":%d}`, i+1))); err != nil {
			t.Fatal(err)
		}
		f, err := client.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf(`{"type":"pong","req":%d}`, i+1); string(f) != want {
			t.Fatalf("got %s, want %s", f, want)
		}
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestConnWireSizes checks what a wiretap sees: each frame is the 2-byte length
// and exactly one of the padded sizes.
func TestConnWireSizes(t *testing.T) {
	a, b := net.Pipe()
	desk, hub := testKey(t, "desk"), testKey(t, "hub")
	ini, hs := handshakeOver(t, a, b, desk, hub, Schedule{}, Schedule{}, nil, nil)
	tap := &tapConn{Conn: a}
	client, server := connOf(tap, ini, hub.Public()), connOf(b, hs, desk.Public())
	defer client.Close()
	defer server.Close()
	for _, n := range []int{0, 1, 237, 238, 1000, 5000, 20000, MaxFrame} {
		errc := make(chan error, 1)
		go func() { errc <- client.WriteFrame(frameOf(n)) }()
		f, err := server.ReadFrame()
		if err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f, frameOf(n)) {
			t.Fatalf("frame of %d bytes came back as %d bytes", n, len(f))
		}
		w := tap.captured()
		tap.out.Reset()
		size, _ := paddedSizeOf(n)
		if len(w) != 2+size || int(binary.BigEndian.Uint16(w)) != size {
			t.Fatalf("frame of %d bytes: %d bytes on the wire with prefix %d, want 2+%d", n, len(w), binary.BigEndian.Uint16(w), size)
		}
	}
	if err := client.WriteFrame(frameOf(MaxFrame + 1)); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("WriteFrame(MaxFrame+1) = %v, want ErrTooLarge", err)
	}
}

// paddedSizeOf is the expected bucket, computed independently of paddedSize.
func paddedSizeOf(n int) (int, bool) {
	for _, c := range Sizes {
		if n <= c-TagSize-3 {
			return c, true
		}
	}
	return 0, false
}

// TestConnLengthPrefixBitFlips flips each bit of the 2-byte length prefix of a
// transport message on its way through a pipe: the reader must fail (by size,
// authentication or a short read), never return a frame.
func TestConnLengthPrefixBitFlips(t *testing.T) {
	for bit := range 16 {
		t.Run(fmt.Sprint(bit), func(t *testing.T) {
			a, b := net.Pipe()
			desk, hub := testKey(t, "desk"), testKey(t, "hub")
			ini, hs := handshakeOver(t, a, b, desk, hub, Schedule{}, Schedule{}, nil, nil)
			server := connOf(b, hs, desk.Public())
			msg, err := ini.Seal(make([]byte, 2), []byte(`{"type":"ping"}`))
			if err != nil {
				t.Fatal(err)
			}
			binary.BigEndian.PutUint16(msg, uint16(len(msg)-2))
			msg[bit/8] ^= 1 << (bit % 8)
			werr := make(chan error, 1)
			go func() {
				_, err := a.Write(msg)
				a.Close() // the reader sees EOF if the prefix promised more
				werr <- err
			}()
			f, err := server.ReadFrame()
			server.Close() // unblocks the writer if the prefix promised less
			<-werr
			if err == nil {
				t.Fatalf("prefix %#04x: ReadFrame returned a frame %q", binary.BigEndian.Uint16(msg), f)
			}
		})
	}
}

// TestConnConcurrentWriters writes from several goroutines at once: WriteFrame
// must keep seal order and write order the same, or the reader fails.
func TestConnConcurrentWriters(t *testing.T) {
	client, server := connPair(t, Schedule{Messages: 7})
	const writers, each = 4, 25
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if err := client.WriteFrame([]byte(fmt.Sprintf("w%d-%d", w, i))); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	seen := map[string]bool{}
	for range writers * each {
		f, err := server.ReadFrame()
		if err != nil {
			t.Fatalf("after %d frames: %v", len(seen), err)
		}
		seen[string(f)] = true
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if len(seen) != writers*each {
		t.Fatalf("%d distinct frames, want %d", len(seen), writers*each)
	}
}

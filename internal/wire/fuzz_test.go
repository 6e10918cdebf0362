package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"

	"backchannel/internal/identity"
)

// FuzzDecodeFrame: Decode never panics, and what it accepts survives a round
// trip: Encode(Decode(x)) decodes again, to a frame that encodes to the same
// bytes (the canonical form is a fixed point).
func FuzzDecodeFrame(f *testing.F) {
	for _, fr := range exampleFrames() {
		b, err := Encode(fr)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		``, `{}`, `null`, `[]`, `{"type":"ping"}`, `{"type":"ping"}}`, `{"type":"ping"} {}`,
		`{"TYPE":"ping"}`, `{"type":"ping","type":"pong"}`, `{"type":"ping","req":18446744073709551615}`,
		`{"type":"ping","req":1e2}`, `{"type":"status","status":[1, 2 ,{"a" : null}]}`,
		`{"type":"propose","assurance":null}`, `{"type":"send","msg":{"id":"x","text":"\ud800\u0000<>&"}}`,
		`{"type":"deliver","msg":{"id":"x","sent":"2025-01-01T00:00:00.123456789123+05:30"}}`,
		`{"type":"deposit","keys":[{"kid":"k","pub":"AAAA","tags":null}]}`,
		`{"type":"deposit","keys":[]}`, "{\"type\":\"send\",\"msg\":{\"id\":\"\xff\xfe\"}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		f1, err := Decode(in)
		if err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode error is %T, not *DecodeError: %v", err, err)
			}
			return
		}
		b1, err := Encode(f1)
		if err != nil {
			if errors.Is(err, ErrTooLarge) && len(in) > MaxFrame/8 {
				return // escaping can grow a large frame past MaxFrame
			}
			t.Fatalf("Encode of a decoded frame: %v\ninput %q", err, in)
		}
		f2, err := Decode(b1)
		if err != nil {
			t.Fatalf("Decode(Encode(Decode(x))): %v\ninput   %q\nencoded %q", err, in, b1)
		}
		if f2.Type != f1.Type || f2.Req != f1.Req {
			t.Fatalf("type or req changed in a round trip: %q %d -> %q %d", f1.Type, f1.Req, f2.Type, f2.Req)
		}
		b2, err := Encode(f2)
		if err != nil || !bytes.Equal(b1, b2) {
			t.Fatalf("round trip is not stable:\n%q\n%q\n%v", b1, b2, err)
		}
		if f3, err := Decode(b2); err != nil || !reflect.DeepEqual(f2, f3) {
			t.Fatalf("the canonical form does not decode to an equal frame: %+v / %+v (%v)", f2, f3, err)
		}
	})
}

// FuzzDecodeFast: the pooled decoder of Decode's fast path agrees with a
// decoder of its own (decodeStrict) on every input, whatever inputs came
// before it through the same pool: where the fast path succeeds, the strict
// one gives the same frame; where the strict one fails, so does the fast
// path. Each input is run between two valid frames, so a decoder left in a
// bad state by one input would show on the next.
func FuzzDecodeFast(f *testing.F) {
	for _, s := range []string{
		`{"type":"ping"}`, `{"type":"ping"} `, ` {"type":"ping"}`, `{"type":"ping"}{"type":"ping"}`,
		`{"type":"ping"`, `{"type":"ping","x":1}`, `123`, `"s"`, `{"type":"nope"}`, `{"type":"ping"}]`,
		`{"type":"send","req":3,"msg":{"id":"a","text":"b"}}`, "\n", ``,
	} {
		f.Add([]byte(s))
	}
	ping := []byte(`{"type":"ping","req":7}`)
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, b := range [][]byte{ping, in, ping} {
			fast, ok := decodeFast(b)
			strict, err := decodeStrict(b)
			if ok && (err != nil || !reflect.DeepEqual(fast, strict)) {
				t.Fatalf("input %q: fast path gave %+v, strict %+v (%v)", b, fast, strict, err)
			}
			if bytes.Equal(b, ping) && !ok {
				t.Fatalf("fast path refused %q after %q", b, in)
			}
		}
	})
}

// FuzzOpen: arbitrary bytes into Session.Open never panic, never open, and
// never change the receiving state; a genuine message still opens after each
// attempt. With xor set, the input is instead a difference applied to a fresh
// genuine message: it opens if and only if the difference is all zeros.
func FuzzOpen(f *testing.F) {
	ini, hub := sessionPair(f, Schedule{Messages: 50}, Schedule{})
	// Seeds: well-formed messages of every size from another session (valid
	// sizes, wrong keys), and differences of a few shapes.
	oi, _ := sessionPair(f, Schedule{}, Schedule{})
	for _, size := range Sizes {
		f.Add(false, mustSeal(f, oi, frameOf(size-TagSize-testHeader)))
	}
	f.Add(false, []byte{})
	f.Add(false, make([]byte, Sizes[0]))
	f.Add(true, []byte{})
	f.Add(true, []byte{1})
	f.Add(true, append(make([]byte, Sizes[0]-1), 0x80))
	f.Add(true, append(make([]byte, Sizes[0]-TagSize), 1))

	n := 0
	f.Fuzz(func(t *testing.T, xor bool, in []byte) {
		n++
		frame := frameOf(n % 300)
		genuine := mustSeal(t, ini, frame)
		msg := in
		zero := true
		if xor {
			msg = bytes.Clone(genuine)
			for i := range min(len(in), len(msg)) {
				msg[i] ^= in[i]
				zero = zero && in[i] == 0
			}
		}
		before := snapshot(hub)
		out, err := hub.Open(msg)
		if xor && zero {
			if err != nil || !bytes.Equal(out, frame) {
				t.Fatalf("unchanged genuine message: %v", err)
			}
			return
		}
		if err == nil {
			t.Fatalf("Open accepted %d bytes that are not a genuine message (xor=%v): %q", len(msg), xor, out)
		}
		if !errors.Is(err, ErrAuth) && !errors.Is(err, ErrSize) {
			t.Fatalf("Open = %v, want ErrAuth or ErrSize", err)
		}
		if after := snapshot(hub); after != before {
			t.Fatalf("a failed Open changed the receiving state")
		}
		if out, err := hub.Open(genuine); err != nil || !bytes.Equal(out, frame) {
			t.Fatalf("after a failed Open, the genuine message does not open: %v", err)
		}
	})
}

// FuzzAccept: arbitrary bytes as the start of a connection to the hub never
// panic, and the hub writes nothing unless they began with a message 1 that
// authenticates (then exactly one message 2).
func FuzzAccept(f *testing.F) {
	desk, hub := testKey(f, "desk"), testKey(f, "hub")
	cands := []identity.Public{testKey(f, "other").Public(), desk.Public()}
	m1 := firstMessage(f, desk, hub.Public(), newFixedRand("fuzz-accept"))
	f.Add(m1)
	f.Add(append(bytes.Clone(m1), 0, 48))
	f.Add(m1[:30])
	f.Add(firstMessage(f, testKey(f, "stranger"), hub.Public(), nil))
	f.Add([]byte{})
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 48})
	f.Add([]byte{0xff, 0xff})
	f.Add(prefixed(make([]byte, HandshakeSize)))
	f.Fuzz(func(t *testing.T, in []byte) {
		rw := &recordingRW{r: bytes.NewReader(in)}
		s, peer, err := Accept(rw, hub, cands, Schedule{})
		if err != nil {
			if s != nil || peer != (identity.Public{}) {
				t.Fatal("Accept returned a session or a peer with an error")
			}
			if rw.written.Len() != 0 {
				t.Fatalf("Accept wrote %d bytes and failed (%v)", rw.written.Len(), err)
			}
			return
		}
		if peer != desk.Public() {
			t.Fatalf("Accept authenticated %v, which is not a key anyone holds here", peer.Short())
		}
		if !bytes.Equal(in[:2+HandshakeSize], m1) {
			t.Fatalf("Accept authenticated a message 1 the desk did not write: %x", in[:2+HandshakeSize])
		}
		if rw.written.Len() != 2+HandshakeSize {
			t.Fatalf("Accept answered with %d bytes, want 2+%d", rw.written.Len(), HandshakeSize)
		}
	})
}

// FuzzReadMessage: ReadMessage never panics, returns exactly the bytes its
// prefix announces, refuses empty and short messages, and agrees with
// WriteMessage.
func FuzzReadMessage(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0})
	f.Add([]byte{0, 0})
	f.Add([]byte{0, 1, 'x'})
	f.Add([]byte{0, 2, 'x'})
	f.Add([]byte{0xff, 0xff, 1, 2, 3})
	f.Add(append([]byte{1, 0}, make([]byte, 256)...))
	f.Fuzz(func(t *testing.T, in []byte) {
		r := bytes.NewReader(in)
		msg, err := ReadMessage(r)
		if len(in) < 2 {
			if err == nil {
				t.Fatal("a message without a whole length prefix was read")
			}
			return
		}
		n := int(binary.BigEndian.Uint16(in))
		switch {
		case n == 0:
			if !errors.Is(err, ErrSize) {
				t.Fatalf("zero length: %v, want ErrSize", err)
			}
		case len(in) < 2+n:
			if !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%d of %d bytes: %v, want io.ErrUnexpectedEOF", len(in)-2, n, err)
			}
		default:
			if err != nil {
				t.Fatalf("whole message of %d bytes: %v", n, err)
			}
			if !bytes.Equal(msg, in[2:2+n]) {
				t.Fatal("ReadMessage returned other bytes than the prefix announced")
			}
			if r.Len() != len(in)-2-n {
				t.Fatalf("ReadMessage consumed %d bytes, want %d", len(in)-r.Len(), 2+n)
			}
			var b bytes.Buffer
			if err := WriteMessage(&b, msg); err != nil || !bytes.Equal(b.Bytes(), in[:2+n]) {
				t.Fatalf("WriteMessage(ReadMessage(x)) = %x, %v; want %x", b.Bytes(), err, in[:2+n])
			}
		}
	})
}

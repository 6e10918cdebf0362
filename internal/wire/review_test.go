package wire

import (
	"bytes"
	"net"
	"testing"
)

// TestReleaseWipesLastView: a reader that stops after a ReadFrameView (the
// hub's read loop returns on a closing session or a proof that came too late
// without reading again) calls Release, which wipes the frame in the read
// buffer as the next read would have; a read after it still works.
func TestReleaseWipesLastView(t *testing.T) {
	ini, hs := sessionPair(t, Schedule{}, Schedule{})
	a, b := net.Pipe()
	defer a.Close()
	client := connOf(a, ini, testKey(t, "hub").Public())
	server := connOf(b, hs, testKey(t, "desk").Public())
	defer server.Close()
	frames := [][]byte{[]byte(`{"type":"send","msg":{"id":"a","text":"CANARY"}}`), []byte(`{"type":"ping","req":2}`)}
	errc := make(chan error, 1)
	go func() { errc <- client.WriteFrames(frames) }()

	f, err := server.ReadFrameView()
	if err != nil || !bytes.Equal(f, frames[0]) {
		t.Fatalf("ReadFrameView = %q, %v; want %q", f, err, frames[0])
	}
	server.Release()
	if bytes.ContainsFunc(f, func(r rune) bool { return r != 0 }) {
		t.Fatalf("Release left the frame in the read buffer: %q", f)
	}
	server.Release() // nothing held: harmless
	if f, err := server.ReadFrameView(); err != nil || !bytes.Equal(f, frames[1]) {
		t.Fatalf("ReadFrameView after Release = %q, %v; want %q", f, err, frames[1])
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

// TestDecodeDoesNotAliasInput: the hub decodes a frame in the read buffer
// (ReadFrameView) and keeps the Frame after the buffer is wiped and reused,
// so no field of what Decode returns may share the input's bytes.
func TestDecodeDoesNotAliasInput(t *testing.T) {
	in := []byte(`{"type":"sealed","req":1,"id":"i","peer":"P","assurance":{"a":1},"status":[1],` +
		`"msg":{"id":"m","to":"T","text":"x","assurance":{"b":2},"sealed":{"kid":"k","enc":"AAEC","ct":"AwQF"}},` +
		`"keys":[{"kid":"k","pub":"AAEC","tags":{"P":"AwQF"}}]}`)
	for range 2 { // the second time through a pooled decoder
		b := bytes.Clone(in)
		f, err := Decode(b)
		if err != nil {
			t.Fatal(err)
		}
		want, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		clear(b)
		if _, err := Decode([]byte(`{"type":"ping","assurance":{"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz":0}}`)); err != nil {
			t.Fatal(err) // overwrites a pooled decoder's buffer
		}
		if got, _ := Encode(f); !bytes.Equal(got, want) {
			t.Fatalf("the frame changed when its input was wiped:\n%s\nwant\n%s", got, want)
		}
	}
}

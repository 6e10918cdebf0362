package hub

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"pgregory.net/rapid"

	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// TestDeliverFrameMatchesEncode: the deliver frame built by copying the
// stored body is byte for byte what wire.Encode makes of the same message,
// whatever the text (quotes, HTML, control characters, any Unicode), the
// sealed payload, the assurance, the kind and the times.
func TestDeliverFrameMatchesEncode(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := &wire.Message{Text: rapid.String().Draw(t, "text")}
		if rapid.Bool().Draw(t, "sealed") {
			in.Sealed = &wire.Sealed{
				KID: rapid.StringMatching(`[a-z0-9-]{1,16}`).Draw(t, "kid"),
				Enc: rapid.SliceOfN(rapid.Byte(), 32, 32).Draw(t, "enc"),
				CT:  rapid.SliceOf(rapid.Byte()).Draw(t, "ct"),
			}
		}
		if rapid.Bool().Draw(t, "assurance") {
			in.Assurance = json.RawMessage(`{"id":"a-1","from":"ISR","refrain":["18","19"],"note":"<&>"}`)
		}
		body, err := encodeBody(in)
		if err != nil {
			t.Fatal(err)
		}
		at := time.Unix(0, rapid.Int64Range(0, 1<<62).Draw(t, "created"))
		m := store.Message{
			ID:      rapid.StringMatching(`[A-Za-z0-9._-]{1,64}`).Draw(t, "id"),
			From:    rapid.StringMatching(`[A-Z0-9_]{0,16}`).Draw(t, "from"),
			To:      rapid.StringMatching(`[A-Z0-9_]{0,16}`).Draw(t, "to"),
			Kind:    rapid.SampledFrom([]string{"", wire.KindText, wire.KindSealed, wire.KindConveyed, wire.KindAssurance}).Draw(t, "kind"),
			Body:    body,
			Created: at,
			Expires: at.Add(time.Duration(rapid.Int64Range(1, 1<<50).Draw(t, "ttl"))),
		}
		if !copyable(m) {
			t.Fatalf("a body encodeBody made is not copied: %s", body)
		}
		fast, err := deliverFrame(m)
		if err != nil {
			t.Fatal(err)
		}
		slow, err := deliverFrameSlow(m)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(fast, slow) {
			t.Fatalf("deliverFrame:\n%s\nwire.Encode:\n%s", fast, slow)
		}
		if _, err := wire.Decode(fast); err != nil {
			t.Fatalf("the frame does not decode: %v", err)
		}
	})
}

// TestDeliverFrameOldBody: a body stored by an earlier hub (with the ID in
// it) and one that does not decode.
func TestDeliverFrameOldBody(t *testing.T) {
	at := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	m := store.Message{ID: "m-1", From: "ISR", To: "RUS", Kind: wire.KindText, Body: []byte(`{"id":"m-1","text":"hello"}`), Created: at, Expires: at.Add(time.Hour)}
	b, err := deliverFrame(m)
	if err != nil {
		t.Fatal(err)
	}
	f, err := wire.Decode(b)
	if err != nil || f.Msg == nil || f.Msg.Text != "hello" || f.Msg.ID != "m-1" || !f.Msg.Sent.Equal(at) {
		t.Fatalf("frame %s: %+v, %v", b, f, err)
	}
	m.Body = []byte(`{"text":`)
	if _, err := deliverFrame(m); err == nil {
		t.Fatal("a truncated body made a frame")
	}
	m.Body = []byte(`{}`)
	if b, err := deliverFrame(m); err != nil || !bytes.Contains(b, []byte(`"kind":"text","sent":`)) {
		t.Fatalf("empty body: %s, %v", b, err)
	}
}

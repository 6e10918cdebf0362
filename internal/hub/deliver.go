package hub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// storedBody is what the hub stores of a message besides the store's own
// fields (ID, From, To, Kind, times): its content, in the field order of
// wire.Message. (Bodies stored before also held the ID; both decode.)
type storedBody struct {
	Text      string          `json:"text,omitempty"`
	Sealed    *wire.Sealed    `json:"sealed,omitempty"`
	Assurance json.RawMessage `json:"assurance,omitempty"`
}

// encodeBody lays out a message's content for the store, encoded exactly as
// wire.Encode encodes those fields (no HTML escaping), so deliverFrame can
// copy it into a frame as it is.
func encodeBody(m *wire.Message) ([]byte, error) {
	return wire.Marshal(storedBody{Text: m.Text, Sealed: m.Sealed, Assurance: m.Assurance})
}

// errBadBody is a stored body that does not decode.
var errBadBody = errors.New("stored message body does not decode")

// deliverFrame encodes the deliver frame of stored message m: the bytes
// wire.Encode gives for
//
//	{Type: deliver, Msg: {ID, From, To, Kind, <body>, Sent, Expires}}
//
// built by copying the stored body between the store's fields instead of
// decoding and encoding it again. A body of another shape (stored by an
// earlier hub, with the ID) or a field that would need escaping takes the
// long way, through wire.Encode.
func deliverFrame(m store.Message) ([]byte, error) {
	if !copyable(m) {
		return deliverFrameSlow(m)
	}
	body := m.Body
	b := make([]byte, 0, len(body)+192)
	b = append(b, `{"type":"deliver","msg":{"id":"`...)
	b = append(b, m.ID...)
	b = append(b, '"')
	for _, f := range [...]struct{ name, v string }{{"from", m.From}, {"to", m.To}, {"kind", m.Kind}} {
		if f.v != "" {
			b = append(b, `,"`...)
			b = append(b, f.name...)
			b = append(b, `":"`...)
			b = append(b, f.v...)
			b = append(b, '"')
		}
	}
	if inner := body[1 : len(body)-1]; len(inner) > 0 {
		b = append(b, ',')
		b = append(b, inner...)
	}
	b = append(b, `,"sent":"`...)
	b = m.Created.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","expires":"`...)
	b = m.Expires.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `"}}`...)
	if len(b) > wire.MaxFrame {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", wire.ErrTooLarge, len(b), wire.MaxFrame)
	}
	return b, nil
}

// copyable reports whether deliverFrame may copy m's body.
func copyable(m store.Message) bool {
	body := m.Body
	return len(body) >= 2 && body[0] == '{' && body[len(body)-1] == '}' &&
		!bytes.HasPrefix(body, []byte(`{"id":`)) &&
		plain(m.ID) && plain(m.From) && plain(m.To) && plain(m.Kind) &&
		inYears(m.Created) && inYears(m.Expires)
}

func deliverFrameSlow(m store.Message) ([]byte, error) {
	var msg wire.Message
	if err := json.Unmarshal(m.Body, &msg); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadBody, err)
	}
	msg.ID, msg.From, msg.To, msg.Kind = m.ID, m.From, m.To, m.Kind
	created, expires := m.Created, m.Expires
	msg.Sent, msg.Expires = &created, &expires
	return wire.Encode(&wire.Frame{Type: wire.TypeDeliver, Msg: &msg})
}

// plain reports whether encoding/json writes s as it is between quotes.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x80 {
			return false
		}
	}
	return true
}

// inYears reports whether t is a time encoding/json can encode (years 0 to
// 9999), so the two encodings agree.
func inYears(t time.Time) bool { y := t.Year(); return y >= 0 && y <= 9999 }

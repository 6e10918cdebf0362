package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// Frame types. Requests carry a request number (req > 0) and are answered by a
// frame of type TypeOK, TypeError or the named reply, with the same req.
const (
	TypePing        = "ping"        // -> pong
	TypePong        = "pong"        //
	TypeWelcome     = "welcome"     // hub -> desk after the handshake
	TypeSend        = "send"        // desk -> hub: a message for the mediator
	TypeSealed      = "sealed"      // desk -> hub: an end-to-end message for a party
	TypeDeliver     = "deliver"     // hub -> desk: a message for the desk
	TypeAck         = "ack"         // desk -> hub: a delivered message is safely kept; delete it
	TypeDeposit     = "deposit"     // desk -> hub: one-time keys for sealed mode
	TypePeerKey     = "peer_key"    // desk -> hub: ask for a party's one-time key; also the reply
	TypePropose     = "propose"     // desk -> hub: propose an assurance
	TypeAcknowledge = "acknowledge" // desk -> hub: acknowledge a conveyed assurance
	TypeWithdraw    = "withdraw"    // desk -> hub: withdraw one's own assurance
	TypeStatus      = "status"      // desk -> hub; also the reply
	TypeOK          = "ok"          // reply: done
	TypeError       = "error"       // reply: refused, with a code and a message
)

// Error codes of TypeError frames.
const (
	CodeBadFrame  = "bad_frame" // the frame is not valid JSON or breaks a field rule
	CodeForbidden = "forbidden" // the sender may not do this
	CodeNotFound  = "not_found" // no such message, party, key or assurance
	CodeExhausted = "exhausted" // no one-time key left for that party
	CodeInternal  = "internal"  // the hub failed; try again
	CodeConflict  = "conflict"  // the request contradicts the current state
	// CodeRateLimited refuses a request made too often; the sentence says when
	// to try again.
	CodeRateLimited = "rate_limited"
)

// Frame is an application frame: a JSON object whose "type" says which of the
// other fields are present. docs/PROTOCOL.md lists them per type.
type Frame struct {
	Type  string `json:"type"`
	Req   uint64 `json:"req,omitempty"`
	Code  string `json:"code,omitempty"`
	Error string `json:"error,omitempty"`

	ID        string          `json:"id,omitempty"`
	Msg       *Message        `json:"msg,omitempty"`
	Keys      []OneTimeKey    `json:"keys,omitempty"`
	Peer      string          `json:"peer,omitempty"`
	PeerKey   *PeerKey        `json:"peer_key,omitempty"`
	Assurance json.RawMessage `json:"assurance,omitempty"`
	Welcome   *Welcome        `json:"welcome,omitempty"`
	Status    json.RawMessage `json:"status,omitempty"`
	Held      *Held           `json:"held,omitempty"`
}

// Message is what a desk sends and what the hub delivers.
type Message struct {
	ID        string          `json:"id"`
	From      string          `json:"from,omitempty"`
	To        string          `json:"to,omitempty"`
	Kind      string          `json:"kind,omitempty"`
	Text      string          `json:"text,omitempty"`
	Sealed    *Sealed         `json:"sealed,omitempty"`
	Assurance json.RawMessage `json:"assurance,omitempty"`
	TTL       int64           `json:"ttl,omitempty"` // seconds; 0 means the hub's default
	Sent      *time.Time      `json:"sent,omitempty"`
	Expires   *time.Time      `json:"expires,omitempty"`
}

// Message kinds as delivered.
const (
	KindText      = "text"      // a party's own words, to the mediator
	KindConveyed  = "conveyed"  // the mediator's words to a party
	KindSealed    = "sealed"    // an end-to-end message the hub could not read
	KindAssurance = "assurance" // a conveyed assurance awaiting acknowledgement
	KindProposal  = "proposal"  // a party's proposed assurance, in the mediator's inbox
	KindNotice    = "notice"    // the hub's notice of a lifecycle change
)

// Sealed is an HPKE ciphertext to a one-time key (docs/PROTOCOL.md, sealed mode).
type Sealed struct {
	KID string `json:"kid"`
	Enc []byte `json:"enc"`
	CT  []byte `json:"ct"`
}

// OneTimeKey is an X25519 public key a desk deposits for sealed messages, with a
// MAC for each peer keyed from the static-static Diffie-Hellman secret, so the
// peer knows the key is the depositor's without any signature.
type OneTimeKey struct {
	KID  string            `json:"kid"`
	Pub  []byte            `json:"pub"`
	Tags map[string][]byte `json:"tags"`
}

// PeerKey is the hub's answer to a peer_key request: the peer's static key as
// the mediator introduces it, and one of its one-time keys with the tag for the
// asker.
type PeerKey struct {
	Peer   string `json:"peer"`
	Static string `json:"static"`
	KID    string `json:"kid"`
	Pub    []byte `json:"pub"`
	Tag    []byte `json:"tag"`
}

// Held is the hub's answer to a deposit: the one-time keys it still holds for
// the depositing party, after the deposit. A key the desk made that is not
// listed was handed out to a peer (or never arrived).
type Held struct {
	KIDs []string `json:"kids"`
}

// Welcome is the hub's first frame in a session.
type Welcome struct {
	You      string            `json:"you"`
	Mediator string            `json:"mediator"`
	Peers    map[string]string `json:"peers,omitempty"` // party -> static public key, for parties sharing a channel
	MaxTTL   int64             `json:"max_ttl"`
	Hub      string            `json:"hub"` // software version
}

// Encode marshals a frame without HTML escaping.
func Encode(f *Frame) ([]byte, error) {
	out, err := Marshal(f)
	if err != nil {
		return nil, err
	}
	if len(out) > MaxFrame {
		return nil, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, len(out), MaxFrame)
	}
	return out, nil
}

// Marshal encodes v as frames are encoded: encoding/json without HTML
// escaping and without a trailing newline.
func Marshal(v any) ([]byte, error) {
	enc := encoders.Get().(*encoder)
	defer encoders.Put(enc)
	enc.buf.Reset()
	if err := enc.e.Encode(v); err != nil {
		return nil, err
	}
	return bytes.Clone(bytes.TrimSuffix(enc.buf.Bytes(), []byte("\n"))), nil
}

// encoder is a JSON encoder writing to its own buffer; Marshal takes one
// from the pool, so an encoding costs one allocation of its own size.
type encoder struct {
	buf bytes.Buffer
	e   *json.Encoder
}

var encoders = sync.Pool{New: func() any {
	enc := &encoder{}
	enc.e = json.NewEncoder(&enc.buf)
	enc.e.SetEscapeHTML(false)
	return enc
}}

// DecodeError says what is wrong with a frame and where.
type DecodeError struct {
	Offset int64  // byte offset in the frame, when known
	Field  string // JSON field, when known
	Reason string
}

func (e *DecodeError) Error() string {
	s := "frame"
	if e.Field != "" {
		s += " field " + e.Field
	}
	if e.Offset > 0 {
		s += fmt.Sprintf(" at byte %d", e.Offset)
	}
	return s + ": " + e.Reason
}

// Decode parses one frame strictly: a single JSON object, no unknown fields, a
// known type.
func Decode(b []byte) (*Frame, error) {
	if f, ok := decodeFast(b); ok {
		return f, nil
	}
	return decodeStrict(b)
}

// frameDecoder is a json.Decoder kept between frames, reading them one
// after another from src as from a stream of JSON values. Reusing it saves
// the decoder and its buffer, about 1.5 KB a frame.
type frameDecoder struct {
	src bytes.Reader
	d   *json.Decoder
}

var frameDecoders = sync.Pool{New: func() any {
	fd := &frameDecoder{}
	fd.d = json.NewDecoder(&fd.src)
	fd.d.DisallowUnknownFields()
	return fd
}}

// decodeFast decodes b with a pooled decoder. It succeeds only for what
// decodeStrict accepts and ends at b's last byte: one object of a known
// type. Anything else (an error, bytes after the object) is left to
// decodeStrict, which says what is wrong, and the decoder, whose state is
// then in doubt, is dropped. A decoder goes back to the pool only when it
// has consumed all of b and nothing else, so it starts each frame as new.
func decodeFast(b []byte) (*Frame, bool) {
	fd := frameDecoders.Get().(*frameDecoder)
	fd.src.Reset(b)
	start := fd.d.InputOffset()
	var f Frame
	err := fd.d.Decode(&f)
	used := fd.d.InputOffset() - start
	fd.src.Reset(nil)
	if err != nil || used != int64(len(b)) || !knownType(f.Type) {
		return nil, false
	}
	// A decoder keeps a copy of the frame in its buffer until its next
	// frame (as the frame's strings keep their text until collected): wiping
	// memory is best effort. One that read a large frame is not kept, so the
	// pool holds no large buffers.
	if len(b) <= poolFrameMax {
		frameDecoders.Put(fd)
	}
	return &f, true
}

// poolFrameMax is the largest frame after which a decoder goes back to the
// pool: the common frames (up to 1,006 bytes padded) and then some.
const poolFrameMax = 4 << 10

// decodeStrict is Decode with a decoder of its own, which reads b to its
// end: the reference for decodeFast and the source of every DecodeError.
func decodeStrict(b []byte) (*Frame, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var f Frame
	if err := d.Decode(&f); err != nil {
		return nil, decodeError(err, d.InputOffset(), len(b))
	}
	off := d.InputOffset()
	if _, err := d.Token(); err != io.EOF {
		return nil, &DecodeError{Offset: off, Reason: "expected one JSON object, found more after it"}
	}
	if !knownType(f.Type) {
		if f.Type == "" {
			return nil, &DecodeError{Field: "type", Reason: "missing; expected a frame type such as \"ping\""}
		}
		return nil, &DecodeError{Field: "type", Reason: fmt.Sprintf("unknown frame type %q", f.Type)}
	}
	return &f, nil
}

func decodeError(err error, off int64, n int) error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &DecodeError{Offset: int64(n), Reason: "truncated JSON: the frame ends inside a value"}
	case errors.Is(err, io.EOF):
		return &DecodeError{Reason: "empty frame; expected a JSON object"}
	}
	switch e := err.(type) {
	case *json.SyntaxError:
		return &DecodeError{Offset: e.Offset, Reason: "invalid JSON: " + e.Error()}
	case *json.UnmarshalTypeError:
		return &DecodeError{Offset: e.Offset, Field: e.Field, Reason: fmt.Sprintf("expected %s, found JSON %s", e.Type, e.Value)}
	}
	return &DecodeError{Offset: off, Reason: err.Error()}
}

func knownType(t string) bool {
	switch t {
	case TypePing, TypePong, TypeWelcome, TypeSend, TypeSealed, TypeDeliver, TypeAck,
		TypeDeposit, TypePeerKey, TypePropose, TypeAcknowledge, TypeWithdraw, TypeStatus,
		TypeOK, TypeError:
		return true
	}
	return false
}

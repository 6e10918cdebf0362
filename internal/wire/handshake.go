package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"backchannel/internal/identity"

	"github.com/flynn/noise"
)

// ErrUnknownPeer is returned by Accept when a first message fits none of the
// candidate keys. The caller must close the connection without writing anything.
var ErrUnknownPeer = errors.New("wire: first message from an unknown key")

// Suite is the Noise cipher suite of the protocol.
var Suite = noise.NewCipherSuite(noise.DH25519, noise.CipherChaChaPoly, noise.HashSHA256)

func dhKey(p *identity.Private) noise.DHKey {
	pub := p.Public()
	return noise.DHKey{Private: p.Bytes(), Public: pub[:]}
}

// config builds the handshake configuration. rng, when not nil, supplies the
// ephemeral private key (flynn/noise reads 32 bytes from Random for each
// ephemeral it sends); tests use it to replay vectors and forge transcripts.
func config(local *identity.Private, remote identity.Public, initiator bool, rng io.Reader) noise.Config {
	c := noise.Config{
		CipherSuite:   Suite,
		Pattern:       noise.HandshakeKK,
		Initiator:     initiator,
		Prologue:      []byte(Prologue),
		StaticKeypair: dhKey(local),
		PeerStatic:    append([]byte(nil), remote[:]...),
	}
	if rng != nil {
		c.Random = rng
	}
	return c
}

// WriteMessage writes one Noise message behind its 2-byte big-endian length.
func WriteMessage(w io.Writer, msg []byte) error {
	if len(msg) > MaxMessage {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(msg))
	}
	b := make([]byte, 2+len(msg))
	binary.BigEndian.PutUint16(b, uint16(len(msg)))
	copy(b[2:], msg)
	_, err := w.Write(b)
	return err
}

// ReadMessage reads one length-prefixed Noise message. A zero length is refused:
// no valid message of this protocol is empty.
func ReadMessage(r io.Reader) ([]byte, error) {
	var n [2]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := int(binary.BigEndian.Uint16(n[:]))
	if size == 0 {
		return nil, fmt.Errorf("%w: empty message", ErrSize)
	}
	msg := make([]byte, size)
	if _, err := io.ReadFull(r, msg); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return msg, nil
}

// Initiate runs the initiator's side of the KK handshake over rw, with a fresh
// ephemeral key. Handshake payloads are empty: message 1 has no forward secrecy
// and can be replayed, so nothing of the application rides in it.
func Initiate(rw io.ReadWriter, local *identity.Private, remote identity.Public, sched Schedule) (*Session, error) {
	return initiate(rw, local, remote, sched, nil)
}

func initiate(rw io.ReadWriter, local *identity.Private, remote identity.Public, sched Schedule, rng io.Reader) (*Session, error) {
	hs, err := noise.NewHandshakeState(config(local, remote, true, rng))
	if err != nil {
		return nil, err
	}
	m1, _, _, err := hs.WriteMessage(nil, nil)
	if err != nil {
		return nil, err
	}
	if err := WriteMessage(rw, m1); err != nil {
		return nil, fmt.Errorf("wire: handshake: %w", err)
	}
	m2, err := ReadMessage(rw)
	if err != nil {
		return nil, fmt.Errorf("wire: handshake: no answer from the hub (%w); is this desk enrolled with the hub's key?", err)
	}
	if len(m2) != HandshakeSize {
		return nil, fmt.Errorf("%w: handshake message 2 has %d bytes, expected %d", ErrSize, len(m2), HandshakeSize)
	}
	_, send, recv, err := hs.ReadMessage(nil, m2)
	if err != nil {
		return nil, fmt.Errorf("wire: handshake message 2 failed authentication: %w", ErrAuth)
	}
	return newSession(send, recv, hs.ChannelBinding(), sched), nil
}

// Accept runs the responder's side of the KK handshake over rw. It reads message
// 1 and tries it against each candidate static key; the one it authenticates
// against is the peer. When none fits, it returns ErrUnknownPeer having written
// nothing, so that to a scanner the port looks closed.
func Accept(rw io.ReadWriter, local *identity.Private, candidates []identity.Public, sched Schedule) (*Session, identity.Public, error) {
	return accept(rw, local, candidates, sched, nil)
}

func accept(rw io.ReadWriter, local *identity.Private, candidates []identity.Public, sched Schedule, rng io.Reader) (*Session, identity.Public, error) {
	m1, err := ReadMessage(rw)
	if err != nil {
		return nil, identity.Public{}, err
	}
	hs, peer, err := matchFirst(local, candidates, m1, rng)
	if err != nil {
		return nil, identity.Public{}, err
	}
	m2, recv, send, err := hs.WriteMessage(nil, nil)
	if err != nil {
		return nil, identity.Public{}, err
	}
	if err := WriteMessage(rw, m2); err != nil {
		return nil, identity.Public{}, fmt.Errorf("wire: handshake: %w", err)
	}
	return newSession(send, recv, hs.ChannelBinding(), sched), peer, nil
}

// matchFirst finds the candidate whose key message 1 authenticates against.
func matchFirst(local *identity.Private, candidates []identity.Public, m1 []byte, rng io.Reader) (*noise.HandshakeState, identity.Public, error) {
	if len(m1) != HandshakeSize {
		return nil, identity.Public{}, ErrUnknownPeer
	}
	for _, c := range candidates {
		hs, err := noise.NewHandshakeState(config(local, c, false, rng))
		if err != nil {
			return nil, identity.Public{}, err
		}
		if _, _, _, err := hs.ReadMessage(nil, m1); err == nil {
			return hs, c, nil
		}
	}
	return nil, identity.Public{}, ErrUnknownPeer
}

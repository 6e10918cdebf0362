package wire

// Deniability (PROTOCOL.md, "Deniability"): a recipient can produce, from its
// own private key and the sender's PUBLIC key alone, a transcript that the
// genuine code accepts as the sender's. This file holds the forger and the
// test that runs the hub's real Accept and Open against its output.

import (
	"bytes"
	"crypto/ecdh"
	"errors"
	"fmt"
	"io"
	"testing"

	"backchannel/internal/identity"

	"github.com/flynn/noise"
)

// x25519 is the X25519 function (RFC 7748), with the all-zero output refused as
// golang.org/x/crypto/curve25519 (and so flynn/noise's DH25519) refuses it.
func x25519(priv, pub []byte) ([]byte, error) {
	k, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		return nil, err
	}
	p, err := ecdh.X25519().NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return k.ECDH(p)
}

// markerDH is noise.DH25519 with placeholders: a "private key" that is a key
// of standIn is not a key at all, and DH with it returns what the stand-in
// computes from the public key, using secrets its holder actually has.
// ephemerals, when set, are handed out by GenerateKeypair in order (so that a
// handshake's "e" can be a placeholder too); after them it reads 32 bytes of
// the random source as flynn/noise's DH25519 does.
type markerDH struct {
	ephemerals []noise.DHKey
	standIn    map[string]func(pub []byte) ([]byte, error)
}

func (d *markerDH) GenerateKeypair(rng io.Reader) (noise.DHKey, error) {
	if len(d.ephemerals) > 0 {
		k := d.ephemerals[0]
		d.ephemerals = d.ephemerals[1:]
		return k, nil
	}
	priv := make([]byte, 32)
	if _, err := io.ReadFull(rng, priv); err != nil {
		return noise.DHKey{}, err
	}
	k, err := ecdh.X25519().NewPrivateKey(priv)
	if err != nil {
		return noise.DHKey{}, err
	}
	return noise.DHKey{Private: priv, Public: k.PublicKey().Bytes()}, nil
}

func (d *markerDH) DH(priv, pub []byte) ([]byte, error) {
	if f, ok := d.standIn[string(priv)]; ok {
		return f(pub)
	}
	return x25519(priv, pub)
}

func (d *markerDH) DHLen() int     { return 32 }
func (d *markerDH) DHName() string { return "25519" } // the protocol name must not change

// deskStaticPlaceholder stands where the desk's static private key would be.
// The forger never has it.
const deskStaticPlaceholder = "FORGER HAS NO DESK PRIVATE KEY!!"

// Forger plays the desk (the initiator) towards the hub, holding only what the
// hub holds: the hub's private key, the desk's public key, and the private key
// of the ephemeral the hub will use in its answer (the hub chooses it; in this
// test it is injected into the genuine Accept).
//
// Why this proves deniability. Noise KK authenticates the initiator by two DH
// results that involve its static key: ss = DH(s_desk, s_hub) in message 1 and
// se = DH(s_desk, e_hub) in message 2. Diffie-Hellman is symmetric, so the hub
// computes both from the other end: ss = DH(s_hub, S_desk) and se = DH(e_hub,
// S_desk). Everything else the desk would contribute (its ephemeral, es, ee) is
// the forger's own choice. So the hub can produce a message 1, run its genuine
// responder code on it, and derive the desk's transport keys, then seal any
// frame "from the desk". Since the hub could have made any transcript it shows
// on its own, the transcript proves nothing to a third party about what the
// desk sent. (No signature is involved anywhere, which is what makes this
// possible.)
type Forger struct {
	hs   *noise.HandshakeState
	desk identity.Public
}

// NewForger starts a forged handshake. deskEphemeral is the private key the
// forger picks for the desk's ephemeral (any 32 bytes); hubEphemeral is the
// private key of the ephemeral the hub's answer will carry.
func NewForger(hub *identity.Private, desk identity.Public, deskEphemeral, hubEphemeral []byte) (*Forger, []byte, error) {
	hubEph, err := identity.FromBytes(hubEphemeral)
	if err != nil {
		return nil, nil, err
	}
	hubPub, hubEphPub := hub.Public(), hubEph.Public()
	// The private keys the forger holds, by their public keys.
	known := map[identity.Public][]byte{hubPub: hub.Bytes(), hubEphPub: hubEph.Bytes()}
	dh := &markerDH{standIn: map[string]func([]byte) ([]byte, error){
		// DH(s_desk, X) for X whose private key the forger has: DH(x, S_desk).
		deskStaticPlaceholder: func(pub []byte) ([]byte, error) {
			var p identity.Public
			copy(p[:], pub)
			x, ok := known[p]
			if !ok {
				return nil, fmt.Errorf("forger: DH with the desk's static key against %x, whose private key the forger lacks", pub)
			}
			return x25519(x, desk[:])
		},
	}}
	c := noise.Config{
		CipherSuite:   noise.NewCipherSuite(dh, noise.CipherChaChaPoly, noise.HashSHA256),
		Pattern:       noise.HandshakeKK,
		Initiator:     true,
		Prologue:      []byte(Prologue),
		StaticKeypair: noise.DHKey{Private: []byte(deskStaticPlaceholder), Public: bytes.Clone(desk[:])},
		PeerStatic:    bytes.Clone(hubPub[:]),
		Random:        bytes.NewReader(deskEphemeral),
	}
	hs, err := noise.NewHandshakeState(c)
	if err != nil {
		return nil, nil, err
	}
	m1, _, _, err := hs.WriteMessage(nil, nil)
	if err != nil {
		return nil, nil, err
	}
	return &Forger{hs: hs, desk: desk}, m1, nil
}

// Finish reads the hub's message 2 and returns the desk's side of the session:
// a Session whose Seal makes frames the hub's session opens as the desk's.
func (f *Forger) Finish(m2 []byte) (*Session, error) {
	_, send, recv, err := f.hs.ReadMessage(nil, m2)
	if err != nil {
		return nil, err
	}
	if send == nil {
		return nil, errors.New("forger: handshake not complete")
	}
	return sessionFromCiphers(send, recv, f.hs.ChannelBinding(), Schedule{}), nil
}

func TestForgeTranscript(t *testing.T) {
	desk, hub := testKey(t, "desk"), testKey(t, "hub")
	deskPub := desk.Public() // all the forger knows of the desk
	deskEph, hubEph := ephemeral("forged desk e"), ephemeral("hub e")

	forger, m1, err := NewForger(hub, deskPub, deskEph, hubEph)
	if err != nil {
		t.Fatal(err)
	}

	// The genuine hub code, with the real hub key and the desk among the
	// candidates, accepts the forged message 1 as the desk's.
	rw := &recordingRW{r: bytes.NewReader(prefixed(m1))}
	others := []identity.Public{testKey(t, "o1").Public(), testKey(t, "o2").Public()}
	hubSession, peer, err := acceptWithRand(rw, hub, append(others, deskPub), Schedule{}, bytes.NewReader(hubEph))
	if err != nil {
		t.Fatalf("genuine Accept refused the forged message 1: %v", err)
	}
	if peer != deskPub {
		t.Fatalf("genuine Accept names %s as the peer, want the desk %s", peer.Short(), deskPub.Short())
	}
	m2 := splitMessages(t, rw.written.Bytes())[0]

	forged, err := forger.Finish(m2)
	if err != nil {
		t.Fatalf("the forger could not complete the handshake: %v", err)
	}
	if !bytes.Equal(forged.HandshakeHash(), hubSession.HandshakeHash()) {
		t.Fatal("forged and genuine sessions disagree on the handshake hash")
	}

	// Frames "from the desk" that the genuine Open returns.
	var forgedMsgs [][]byte
	for i, text := range []string{"We accept the terms.", "Withdraw from the ridge by noon.", "No one else may know."} {
		f := &Frame{Type: TypeSend, Req: uint64(i + 1), Msg: &Message{ID: fmt.Sprint("forged-", i), To: "mediator", Kind: KindText, Text: text}}
		b, err := Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		m := mustSeal(t, forged, b)
		forgedMsgs = append(forgedMsgs, m)
		out, err := hubSession.Open(m)
		if err != nil {
			t.Fatalf("genuine Open refused forged frame %d: %v", i, err)
		}
		g, err := Decode(out)
		if err != nil || g.Msg == nil || g.Msg.Text != text {
			t.Fatalf("forged frame %d opened as %s (%v)", i, out, err)
		}
	}

	// The forgery is not merely accepted: it is byte for byte the transcript
	// the desk itself would have produced with the same ephemeral, so nothing
	// in it can tell the two apart.
	deskRW := &recordingRW{r: bytes.NewReader(prefixed(m2))}
	deskSession, err := initiateWithRand(deskRW, desk, hub.Public(), Schedule{}, bytes.NewReader(deskEph))
	if err != nil {
		t.Fatalf("the real desk does not accept the hub's message 2: %v", err)
	}
	if !bytes.Equal(deskRW.written.Bytes()[2:], m1) {
		t.Fatal("the forged message 1 differs from the one the real desk makes with the same ephemeral")
	}
	for i, text := range []string{"We accept the terms.", "Withdraw from the ridge by noon.", "No one else may know."} {
		f := &Frame{Type: TypeSend, Req: uint64(i + 1), Msg: &Message{ID: fmt.Sprint("forged-", i), To: "mediator", Kind: KindText, Text: text}}
		b, _ := Encode(f)
		if m := mustSeal(t, deskSession, b); !bytes.Equal(m, forgedMsgs[i]) {
			t.Fatalf("forged frame %d differs from the real desk's", i)
		}
	}
}

// TestForgerNeedsOnlyPublicKey guards the test above: the forger's stand-in is
// asked only for DH results against keys the hub holds, and the desk's private
// key appears nowhere in its inputs.
func TestForgerNeedsOnlyPublicKey(t *testing.T) {
	desk, hub := testKey(t, "desk"), testKey(t, "hub")
	forger, m1, err := NewForger(hub, desk.Public(), ephemeral("d"), ephemeral("h"))
	if err != nil {
		t.Fatal(err)
	}
	if len(m1) != HandshakeSize {
		t.Fatalf("forged message 1 is %d bytes", len(m1))
	}
	// Against an answer from another hub ephemeral than the one the forger was
	// told about, the forger cannot compute se and says so.
	rw := &recordingRW{r: bytes.NewReader(prefixed(m1))}
	if _, _, err := acceptWithRand(rw, hub, []identity.Public{desk.Public()}, Schedule{}, newFixedRand("another")); err != nil {
		t.Fatal(err)
	}
	if _, err := forger.Finish(rw.written.Bytes()[2:]); err == nil {
		t.Fatal("the forger completed a handshake whose hub ephemeral it did not know")
	}
}

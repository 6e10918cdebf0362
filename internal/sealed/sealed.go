// Package sealed is backchannel's end-to-end mode: a party encrypts for another
// party with HPKE (RFC 9180, crypto/hpke: DHKEM(X25519), HKDF-SHA256,
// ChaCha20-Poly1305) to a one-time key the recipient deposited with the hub, and
// the hub only routes the ciphertext.
//
// Nothing is signed. A one-time key carries a tag, and a message a MAC, both keyed
// from the static-static Diffie-Hellman secret of the two parties, which either of
// them can compute: the recipient knows the sender wrote it, and could have
// written it itself, so it proves nothing to anyone else. The static keys are
// introduced by the mediator; the safety number lets the parties check, over
// another channel, that the mediator introduced the true keys. If they do not
// check, a mediator that substituted its own keys could read and alter sealed
// messages.
package sealed

import (
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"backchannel/internal/identity"
)

const (
	tagInfo  = "backchannel/1 one-time key tag"
	macInfo  = "backchannel/1 sealed mac"
	hpkeInfo = "backchannel/1 sealed"
)

// ErrTag is a one-time key whose tag does not verify: not deposited by the peer
// the mediator named.
var ErrTag = errors.New("sealed: the one-time key's tag does not verify against the peer's key")

// ErrOpen is a message that does not decrypt or whose MAC does not verify.
var ErrOpen = errors.New("sealed: message does not open (not for this key, damaged, or not from the named sender)")

func pairKey(self *identity.Private, peer identity.Public, info string) ([]byte, error) {
	dh, err := self.DH(peer)
	if err != nil {
		return nil, err
	}
	a, b := self.Public(), peer
	if string(a[:]) > string(b[:]) {
		a, b = b, a
	}
	return hkdf.Key(sha256.New, dh, append(a[:], b[:]...), info, 32)
}

// Tag is the tag a depositor makes on its one-time key for a peer.
func Tag(self *identity.Private, peer identity.Public, kid string, otk []byte) ([]byte, error) {
	k, err := pairKey(self, peer, tagInfo)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(kid))
	m.Write([]byte{0})
	m.Write(otk)
	return m.Sum(nil), nil
}

// Payload is what a sealed message holds.
type Payload struct {
	Text string    `json:"text"`
	Sent time.Time `json:"sent"`
	MAC  []byte    `json:"mac"`
}

func macOf(k []byte, enc []byte, kid, text string, sent time.Time) []byte {
	m := hmac.New(sha256.New, k)
	var n [8]byte
	for _, part := range [][]byte{enc, []byte(kid), []byte(text), []byte(sent.UTC().Format(time.RFC3339Nano))} {
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		m.Write(n[:])
		m.Write(part)
	}
	return m.Sum(nil)
}

func info(from, to identity.Public, kid string) []byte {
	b := []byte(hpkeInfo)
	b = append(b, from[:]...)
	b = append(b, to[:]...)
	return append(b, kid...)
}

// Seal encrypts text from self to peer under peer's one-time key otk (kid),
// after checking the key's tag.
func Seal(self *identity.Private, peer identity.Public, kid string, otk, tag []byte, text string, now time.Time) (enc, ct []byte, err error) {
	want, err := Tag(self, peer, kid, otk)
	if err != nil {
		return nil, nil, err
	}
	if !hmac.Equal(want, tag) {
		return nil, nil, ErrTag
	}
	pk, err := hpke.DHKEM(ecdhX25519).NewPublicKey(otk)
	if err != nil {
		return nil, nil, fmt.Errorf("sealed: one-time key: %w", err)
	}
	enc, s, err := hpke.NewSender(pk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), info(self.Public(), peer, kid))
	if err != nil {
		return nil, nil, err
	}
	mk, err := pairKey(self, peer, macInfo)
	if err != nil {
		return nil, nil, err
	}
	p := Payload{Text: text, Sent: now.UTC(), MAC: macOf(mk, enc, kid, text, now)}
	pt, err := json.Marshal(p)
	if err != nil {
		return nil, nil, err
	}
	ct, err = s.Seal(nil, pt)
	return enc, ct, err
}

// Open decrypts a sealed message to self, with the one-time private key kid,
// from sender, and checks its MAC.
func Open(self *identity.Private, sender identity.Public, kid string, otkPriv []byte, enc, ct []byte) (*Payload, error) {
	sk, err := hpke.DHKEM(ecdhX25519).NewPrivateKey(otkPriv)
	if err != nil {
		return nil, fmt.Errorf("sealed: one-time private key: %w", err)
	}
	r, err := hpke.NewRecipient(enc, sk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), info(sender, self.Public(), kid))
	if err != nil {
		return nil, ErrOpen
	}
	pt, err := r.Open(nil, ct)
	if err != nil {
		return nil, ErrOpen
	}
	var p Payload
	if err := json.Unmarshal(pt, &p); err != nil {
		return nil, ErrOpen
	}
	mk, err := pairKey(self, sender, macInfo)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(p.MAC, macOf(mk, enc, kid, p.Text, p.Sent)) {
		return nil, ErrOpen
	}
	return &p, nil
}

// SafetyNumber is the number two parties compare out of band: the same for both
// when the mediator introduced their true keys. Thirty digits in six groups.
func SafetyNumber(a, b identity.Public) string {
	if string(a[:]) > string(b[:]) {
		a, b = b, a
	}
	h := sha256.New()
	h.Write([]byte("backchannel/1 safety number"))
	h.Write(a[:])
	h.Write(b[:])
	sum := h.Sum(nil)
	out := ""
	for i := 0; i < 6; i++ {
		v := binary.BigEndian.Uint64(append([]byte{0, 0, 0}, sum[i*5:i*5+5]...)) % 100000
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%05d", v)
	}
	return out
}

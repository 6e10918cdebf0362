// Package identity holds the long-term X25519 keys of hubs and desks: how they are
// made, written to a 0600 file, and encoded as text a person can paste.
//
// A public key reads "bcpub:" followed by base64url (no padding) of the 32 key bytes
// and a 4-byte checksum; a private key reads "BCSECRET:" the same way. The checksum
// is the first 4 bytes of SHA-256 over the prefix and the key, so a key damaged in
// pasting is refused instead of naming a different, valid key.
package identity

import (
	"bytes"
	"crypto/ecdh"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// Text prefixes of the two key kinds.
const (
	PublicPrefix  = "bcpub:"
	PrivatePrefix = "BCSECRET:"
)

// Size is the length of an X25519 key in bytes.
const Size = 32

// Public is an X25519 public key. The zero value is not a valid key.
type Public [Size]byte

// Private is an X25519 private key with its public key.
type Private struct {
	key *ecdh.PrivateKey
	pub Public
}

// ErrFormat reports text that is not a key of the expected kind.
var ErrFormat = errors.New("not a backchannel key")

// Generate makes a new random identity.
func Generate() (*Private, error) {
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	return fromECDH(k), nil
}

// FromBytes makes an identity from its 32 private bytes (for tests and vectors).
func FromBytes(b []byte) (*Private, error) {
	k, err := ecdh.X25519().NewPrivateKey(b)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	return fromECDH(k), nil
}

func fromECDH(k *ecdh.PrivateKey) *Private {
	p := &Private{key: k}
	copy(p.pub[:], k.PublicKey().Bytes())
	return p
}

// Public returns the identity's public key.
func (p *Private) Public() Public { return p.pub }

// Bytes returns a copy of the 32 private bytes. Callers must not log or store them
// outside a key file.
func (p *Private) Bytes() []byte { return p.key.Bytes() }

// ECDH returns the key for use with crypto/ecdh and crypto/hpke.
func (p *Private) ECDH() *ecdh.PrivateKey { return p.key }

// DH computes the X25519 shared secret with a peer's public key.
func (p *Private) DH(peer Public) ([]byte, error) {
	pk, err := ecdh.X25519().NewPublicKey(peer[:])
	if err != nil {
		return nil, err
	}
	return p.key.ECDH(pk)
}

// String encodes the private key as text. It is what a key file holds.
func (p *Private) String() string { return encode(PrivatePrefix, p.key.Bytes()) }

// String encodes the public key as text.
func (k Public) String() string { return encode(PublicPrefix, k[:]) }

// Short is the first 12 characters of the key's text after the prefix, for logs
// and listings where the whole key is too long.
func (k Public) Short() string { return k.String()[len(PublicPrefix):][:12] }

// Equal reports whether two keys are the same, in constant time.
func (k Public) Equal(o Public) bool { return subtle.ConstantTimeCompare(k[:], o[:]) == 1 }

// ECDH returns the key for use with crypto/ecdh and crypto/hpke.
func (k Public) ECDH() (*ecdh.PublicKey, error) { return ecdh.X25519().NewPublicKey(k[:]) }

// MarshalText implements encoding.TextMarshaler.
func (k Public) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *Public) UnmarshalText(b []byte) error {
	p, err := ParsePublic(string(b))
	if err != nil {
		return err
	}
	*k = p
	return nil
}

// ParsePublic decodes a public key from its text.
func ParsePublic(s string) (Public, error) {
	var k Public
	b, err := decode(PublicPrefix, strings.TrimSpace(s))
	if err != nil {
		return k, err
	}
	copy(k[:], b)
	if _, err := k.ECDH(); err != nil {
		return Public{}, fmt.Errorf("%w: %v", ErrFormat, err)
	}
	if lowOrder(k) {
		return Public{}, fmt.Errorf("%w: a low-order point, which no real key is", ErrFormat)
	}
	return k, nil
}

// ParsePrivate decodes a private key from its text.
func ParsePrivate(s string) (*Private, error) {
	b, err := decode(PrivatePrefix, strings.TrimSpace(s))
	if err != nil {
		return nil, err
	}
	return FromBytes(b)
}

// lowOrder reports a public key whose Diffie-Hellman with any scalar is zero.
func lowOrder(k Public) bool {
	probe, _ := ecdh.X25519().NewPrivateKey(bytes.Repeat([]byte{0x5a}, Size))
	pk, err := k.ECDH()
	if err != nil {
		return true
	}
	_, err = probe.ECDH(pk)
	return err != nil
}

var b64 = base64.RawURLEncoding

func checksum(prefix string, key []byte) []byte {
	h := sha256.New()
	h.Write([]byte(prefix))
	h.Write(key)
	return h.Sum(nil)[:4]
}

func encode(prefix string, key []byte) string {
	return prefix + b64.EncodeToString(append(append([]byte(nil), key...), checksum(prefix, key)...))
}

func decode(prefix, s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok {
		other := PublicPrefix
		if prefix == PublicPrefix {
			other = PrivatePrefix
		}
		if strings.HasPrefix(s, other) {
			return nil, fmt.Errorf("%w: expected a key starting %q, found one starting %q", ErrFormat, prefix, other)
		}
		return nil, fmt.Errorf("%w: expected text starting %q", ErrFormat, prefix)
	}
	b, err := b64.DecodeString(rest)
	if err != nil || len(b) != Size+4 {
		return nil, fmt.Errorf("%w: expected %d characters of base64url after %q", ErrFormat, b64.EncodedLen(Size+4), prefix)
	}
	if !bytes.Equal(b[Size:], checksum(prefix, b[:Size])) {
		return nil, fmt.Errorf("%w: checksum does not match (damaged in copying?)", ErrFormat)
	}
	return b[:Size], nil
}

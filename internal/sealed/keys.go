package sealed

import (
	"crypto/ecdh"
	"crypto/hpke"
	"crypto/rand"
)

var ecdhX25519 = ecdh.X25519()

// OneTime is a one-time key pair a desk keeps until a message to it arrives.
type OneTime struct {
	KID  string `json:"kid"`
	Priv []byte `json:"priv"`
	Pub  []byte `json:"pub"`
}

// NewOneTime makes a one-time key.
func NewOneTime() (*OneTime, error) {
	k, err := hpke.DHKEM(ecdhX25519).GenerateKey()
	if err != nil {
		return nil, err
	}
	priv, err := k.Bytes()
	if err != nil {
		return nil, err
	}
	return &OneTime{KID: "k" + rand.Text()[:12], Priv: priv, Pub: k.PublicKey().Bytes()}, nil
}

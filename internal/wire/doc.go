// Package wire is backchannel's transport: Noise_KK_25519_ChaChaPoly_SHA256 sessions
// over a byte stream, each Noise message behind a 2-byte big-endian length, with
// application frames (JSON objects with a "type") padded to a few fixed sizes and a
// rekey schedule. docs/PROTOCOL.md is the specification this package implements; the
// names here follow it.
//
// Both sides know each other's static key before they connect (KK), so no static
// key ever crosses the wire. The responder (the hub) does not know which enrolled
// party is calling until a first message authenticates against one of their keys;
// Accept tries each candidate and answers nothing when none fits.
//
// Authentication is by Diffie-Hellman only. Whatever one side holds of a session it
// could have produced itself, so a transcript proves nothing to a third party.
package wire

import "time"

// Protocol constants. Changing any of them is a new protocol version.
const (
	// Protocol is the Noise protocol name.
	Protocol = "Noise_KK_25519_ChaChaPoly_SHA256"
	// Prologue is mixed into every handshake; both sides must use the same.
	Prologue = "backchannel/1"
	// MaxMessage is the largest Noise message (and so the largest length prefix).
	MaxMessage = 65535
	// TagSize is the AEAD tag appended to each transport message.
	TagSize = 16
	// HandshakeSize is the size of both KK handshake messages with empty payloads:
	// an ephemeral key and the tag of the empty payload.
	HandshakeSize = 32 + TagSize
	// header is the plaintext header of a transport message: flags (1 byte) and
	// the frame length (2 bytes, big-endian).
	header = 3
	// flagRekey tells the receiver that the sender rekeys its sending key after
	// this message, so the receiver must rekey its receiving key after reading it.
	flagRekey = 0x01
)

// Sizes are the only ciphertext sizes of transport messages (before the length
// prefix). A frame is padded with zeros to the smallest size that holds it.
var Sizes = [...]int{256, 1024, 4096, 16384, MaxMessage}

// MaxFrame is the largest application frame (JSON bytes) a message can carry.
const MaxFrame = MaxMessage - TagSize - header

// Default rekey schedule: each direction rekeys after this many messages or this
// much time since its last rekey, whichever comes first.
const (
	DefaultRekeyMessages = 1000
	DefaultRekeyInterval = 10 * time.Minute
)

// DefaultHandshakeTimeout bounds how long Accept and Dial wait for the peer.
const DefaultHandshakeTimeout = 10 * time.Second

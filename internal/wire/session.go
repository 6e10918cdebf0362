package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/flynn/noise"
)

// Errors of Open. Every one leaves the session as it was: a forged, damaged,
// replayed or reordered message changes nothing.
var (
	ErrSize      = errors.New("wire: message size is not one of the padded sizes")
	ErrAuth      = errors.New("wire: message failed authentication (damaged, forged, replayed or out of order)")
	ErrMalformed = errors.New("wire: malformed plaintext (bad flags, length or padding)")
	ErrTooLarge  = errors.New("wire: frame too large")
)

// Schedule says when a session rekeys. The zero value means the defaults.
type Schedule struct {
	Messages int              // rekey after this many messages sent (default DefaultRekeyMessages)
	Interval time.Duration    // or after this long (default DefaultRekeyInterval)
	Now      func() time.Time // clock (default time.Now)
}

func (s Schedule) withDefaults() Schedule {
	if s.Messages <= 0 {
		s.Messages = DefaultRekeyMessages
	}
	if s.Interval <= 0 {
		s.Interval = DefaultRekeyInterval
	}
	if s.Now == nil {
		s.Now = time.Now
	}
	return s
}

// Session is the transport state of a completed handshake: one cipher for each
// direction. Seal may be called from several goroutines; Open from one at a time.
type Session struct {
	sched Schedule

	smu       sync.Mutex
	send      *noise.CipherState
	sent      int       // messages sent since the last send rekey
	sentSince time.Time // time of the last send rekey

	rmu  sync.Mutex
	recv *noise.CipherState

	hash []byte
}

func newSession(send, recv *noise.CipherState, hash []byte, sched Schedule) *Session {
	sched = sched.withDefaults()
	return &Session{sched: sched, send: send, recv: recv, hash: hash, sentSince: sched.Now()}
}

// HandshakeHash is the Noise handshake hash, the same on both sides; it names the
// session (channel binding).
func (s *Session) HandshakeHash() []byte { return append([]byte(nil), s.hash...) }

// paddedSize returns the ciphertext size for a frame of n bytes.
func paddedSize(n int) (int, error) {
	for _, c := range Sizes {
		if n+header+TagSize <= c {
			return c, nil
		}
	}
	return 0, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLarge, n, MaxFrame)
}

// Seal encrypts one frame into a Noise transport message, appended to dst (which
// would normally hold the 2-byte length prefix). It pads, and rekeys on schedule.
// The plaintext is laid out in dst's spare capacity and encrypted in place, so
// frame must not overlap that capacity; no plaintext is left behind in dst.
func (s *Session) Seal(dst, frame []byte) ([]byte, error) {
	size, err := paddedSize(len(frame))
	if err != nil {
		return nil, err
	}
	start := len(dst)
	dst = slices.Grow(dst, size)
	pt := dst[start : start+size-TagSize]
	binary.BigEndian.PutUint16(pt[1:3], uint16(len(frame)))
	copy(pt[header:], frame)
	clear(pt[header+len(frame):])

	s.smu.Lock()
	defer s.smu.Unlock()
	rekey := s.sent+1 >= s.sched.Messages || s.sched.Now().Sub(s.sentSince) >= s.sched.Interval
	pt[0] = 0
	if rekey {
		pt[0] = flagRekey
	}
	out, err := s.send.Encrypt(dst[:start], nil, pt)
	if err != nil {
		clear(pt)
		return nil, err
	}
	s.sent++
	if rekey {
		s.send.Rekey()
		s.sent = 0
		s.sentSince = s.sched.Now()
	}
	return out, nil
}

// Open authenticates and decrypts one transport message (without its length
// prefix) and returns the frame. On any error the session is unchanged. msg is
// left as it was.
func (s *Session) Open(msg []byte) ([]byte, error) {
	return s.open(nil, msg)
}

// open is Open with the plaintext appended to dst; dst may be msg[:0], which
// decrypts in place (and destroys msg whether or not it authenticates).
func (s *Session) open(dst, msg []byte) ([]byte, error) {
	if !validSize(len(msg)) {
		return nil, fmt.Errorf("%w: %d bytes", ErrSize, len(msg))
	}
	s.rmu.Lock()
	defer s.rmu.Unlock()
	// Only a message that authenticates and parses may advance the nonce, so
	// undo the advance if parsing fails.
	n := s.recv.Nonce()
	pt, err := s.recv.Decrypt(dst, nil, msg)
	if err != nil {
		return nil, ErrAuth
	}
	frame, flags, err := unpad(pt[len(dst):])
	if err != nil {
		s.recv.SetNonce(n)
		return nil, err
	}
	if flags&flagRekey != 0 {
		s.recv.Rekey()
	}
	return frame, nil
}

func validSize(n int) bool {
	for _, c := range Sizes {
		if n == c {
			return true
		}
	}
	return false
}

// unpad checks and strips the plaintext header and padding.
func unpad(pt []byte) (frame []byte, flags byte, err error) {
	if len(pt) < header {
		return nil, 0, ErrMalformed
	}
	flags = pt[0]
	if flags&^flagRekey != 0 {
		return nil, 0, fmt.Errorf("%w: unknown flags %#x", ErrMalformed, flags)
	}
	n := int(binary.BigEndian.Uint16(pt[1:3]))
	if header+n > len(pt) {
		return nil, 0, fmt.Errorf("%w: length %d exceeds the message", ErrMalformed, n)
	}
	for _, b := range pt[header+n:] {
		if b != 0 {
			return nil, 0, fmt.Errorf("%w: non-zero padding", ErrMalformed)
		}
	}
	return pt[header : header+n], flags, nil
}

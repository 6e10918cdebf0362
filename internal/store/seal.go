package store

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"sync"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

// Record layout and labels. Every sealed record is
//
//	version(1) || nonce(24) || XChaCha20-Poly1305(key, nonce, plaintext, label || 0 || context || version)
//
// where label names what is sealed and context binds it to where it is stored
// (owner and message reference, key-table key, epoch number, registry key), so a
// record moved to another place does not open.
const (
	rootInfo      = "backchannel/1 store root"
	labelMail     = "backchannel/1 mail"
	labelMsgKey   = "backchannel/1 message key"
	labelEpoch    = "backchannel/1 epoch key"
	labelRegistry = "backchannel/1 registry"
	labelCheck    = "backchannel/1 root check"

	recordVersion  = 1
	keySize        = chacha20poly1305.KeySize
	recordOverhead = 1 + chacha20poly1305.NonceSizeX + chacha20poly1305.Overhead
	keyEntryHeader = 16 // epoch(8) || expires unix nanoseconds(8)
	refSize        = 16 // bytes of HMAC kept in a message reference
)

var (
	errCorrupt  = errors.New("store: record does not authenticate (corrupt, or another root key)")
	errShredded = errors.New("store: key destroyed")
)

// rootKeys are derived from Options.RootKey and live only in memory.
type rootKeys struct {
	epochKEK []byte // wraps epoch keys
	refKey   []byte // names messages, hiding their IDs from the disk
	registry []byte // seals registry values, which must outlive epochs

	refMACs *sync.Pool // of HMAC-SHA256 under refKey, for ref
}

func deriveRoot(root []byte) (rootKeys, error) {
	okm, err := hkdf.Key(sha256.New, root, nil, rootInfo, 3*keySize)
	if err != nil {
		return rootKeys{}, fmt.Errorf("store: deriving keys: %w", err)
	}
	r := rootKeys{epochKEK: okm[:keySize], refKey: okm[keySize : 2*keySize], registry: okm[2*keySize:]}
	r.refMACs = &sync.Pool{New: func() any { return hmac.New(sha256.New, r.refKey) }}
	return r, nil
}

// ref names the message (owner, id) in subjects, dedupe headers and the key
// table: a truncated HMAC, so the disk shows neither the ID nor which IDs repeat
// across owners.
func (r rootKeys) ref(owner, id string) string {
	h := r.refMACs.Get().(hash.Hash)
	defer r.refMACs.Put(h)
	h.Reset()
	h.Write([]byte(owner))
	h.Write([]byte{'/'})
	h.Write([]byte(id))
	var sum [sha256.Size]byte
	return hex.EncodeToString(h.Sum(sum[:0])[:refSize])
}

func newKey() []byte {
	k := make([]byte, keySize)
	rand.Read(k) // never fails (crypto/rand, Go 1.24+)
	return k
}

func additional(label, context string) []byte {
	ad := make([]byte, 0, len(label)+len(context)+2)
	ad = append(ad, label...)
	ad = append(ad, 0)
	ad = append(ad, context...)
	return append(ad, recordVersion)
}

// seal encrypts plaintext under key, bound to label and context.
func seal(key []byte, label, context string, plaintext []byte) []byte {
	return sealAppend(make([]byte, 0, recordOverhead+len(plaintext)), key, label, context, plaintext)
}

// sealAppend appends to dst the record seal makes.
func sealAppend(dst, key []byte, label, context string, plaintext []byte) []byte {
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		panic("store: bad key length") // keys are made here, always keySize
	}
	var nonce [chacha20poly1305.NonceSizeX]byte
	rand.Read(nonce[:])
	return sealNonce(dst, aead, nonce[:], label, context, plaintext)
}

func sealNonce(dst []byte, aead cipher.AEAD, nonce []byte, label, context string, plaintext []byte) []byte {
	dst = append(dst, recordVersion)
	dst = append(dst, nonce...)
	return aead.Seal(dst, nonce, plaintext, additional(label, context))
}

// openRecord reverses seal. Any malformed or unauthentic record is errCorrupt.
func openRecord(key []byte, label, context string, rec []byte) ([]byte, error) {
	if len(rec) < recordOverhead || rec[0] != recordVersion {
		return nil, fmt.Errorf("%w: malformed %s record", errCorrupt, label)
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errCorrupt, err)
	}
	nonce := rec[1 : 1+chacha20poly1305.NonceSizeX]
	pt, err := aead.Open(nil, nonce, rec[1+chacha20poly1305.NonceSizeX:], additional(label, context))
	if err != nil {
		return nil, fmt.Errorf("%w: %s", errCorrupt, label)
	}
	return pt, nil
}

// A key entry is a message key wrapped by an epoch key, the head of every
// mail record. Epoch and expiry stay readable so the sweeper can find what to
// destroy without unwrapping anything; they are authenticated as part of the
// context.
type keyEntry struct {
	epoch   uint64
	expires time.Time
	wrapped []byte
}

func (e keyEntry) header() []byte {
	h := make([]byte, keyEntryHeader)
	binary.BigEndian.PutUint64(h, e.epoch)
	binary.BigEndian.PutUint64(h[8:], uint64(e.expires.UnixNano()))
	return h
}

func wrapKey(epochKey []byte, tableKey string, epoch uint64, expires time.Time, msgKey []byte) []byte {
	return appendWrappedKey(make([]byte, 0, keyEntrySize), epochKey, tableKey, epoch, expires, msgKey)
}

// appendWrappedKey appends to dst the key entry wrapKey makes.
func appendWrappedKey(dst, epochKey []byte, tableKey string, epoch uint64, expires time.Time, msgKey []byte) []byte {
	dst = binary.BigEndian.AppendUint64(dst, epoch)
	dst = binary.BigEndian.AppendUint64(dst, uint64(expires.UnixNano()))
	h := dst[len(dst)-keyEntryHeader:]
	return sealAppend(dst, epochKey, labelMsgKey, tableKey+"\x00"+string(h), msgKey)
}

func parseKeyEntry(b []byte) (keyEntry, error) {
	if len(b) != keyEntrySize {
		return keyEntry{}, fmt.Errorf("%w: key entry of %d bytes", errCorrupt, len(b))
	}
	return keyEntry{
		epoch:   binary.BigEndian.Uint64(b),
		expires: time.Unix(0, int64(binary.BigEndian.Uint64(b[8:]))),
		wrapped: b[keyEntryHeader:],
	}, nil
}

func unwrapKey(epochKey []byte, tableKey string, e keyEntry) ([]byte, error) {
	return openRecord(epochKey, labelMsgKey, tableKey+"\x00"+string(e.header()), e.wrapped)
}

// keyEntrySize is the length of a key entry: header and wrapped key.
const keyEntrySize = keyEntryHeader + recordOverhead + keySize

// A mail record is what the mail stream stores for one message:
//
//	key entry (epoch, expires, message key wrapped by the epoch key) || message sealed by the message key
//
// Both halves are bound to the message's table key (owner and reference), so
// neither opens anywhere else. Keeping the wrapped key in the record makes a
// Put one JetStream write and an Ack one removal: removing the record removes
// the only copy of its wrapped key, and destroying the epoch key makes every
// copy left in freed blocks unreadable.
func mailRecord(epochKey []byte, tk string, epoch uint64, expires time.Time, msgKey, plaintext []byte) []byte {
	rec := make([]byte, 0, keyEntrySize+recordOverhead+len(plaintext))
	rec = appendWrappedKey(rec, epochKey, tk, epoch, expires, msgKey)
	return sealAppend(rec, msgKey, labelMail, tk, plaintext)
}

// splitMailRecord separates a mail record's key entry from its sealed message.
func splitMailRecord(b []byte) (keyEntry, []byte, error) {
	if len(b) < keyEntrySize+recordOverhead {
		return keyEntry{}, nil, fmt.Errorf("%w: mail record of %d bytes", errCorrupt, len(b))
	}
	e, err := parseKeyEntry(b[:keyEntrySize])
	return e, b[keyEntrySize:], err
}

// encodeMessage lays out the sealed part of a message:
//
//	created(8) || expires(8) || len(ID) ID || len(From) From || len(Kind) Kind || Body
//
// with times in Unix nanoseconds and lengths one byte each. To stays outside,
// in the subject, and Seq is the stream's.
func encodeMessage(m Message) []byte {
	b := make([]byte, 16, 19+len(m.ID)+len(m.From)+len(m.Kind)+len(m.Body))
	binary.BigEndian.PutUint64(b, uint64(m.Created.UnixNano()))
	binary.BigEndian.PutUint64(b[8:], uint64(m.Expires.UnixNano()))
	for _, s := range []string{m.ID, m.From, m.Kind} {
		b = append(b, byte(len(s)))
		b = append(b, s...)
	}
	return append(b, m.Body...)
}

func decodeMessage(b []byte) (Message, error) {
	var m Message
	if len(b) < 16 {
		return m, fmt.Errorf("%w: message of %d bytes", errCorrupt, len(b))
	}
	m.Created = time.Unix(0, int64(binary.BigEndian.Uint64(b)))
	m.Expires = time.Unix(0, int64(binary.BigEndian.Uint64(b[8:])))
	b = b[16:]
	var fields [3]string
	for i := range fields {
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return Message{}, fmt.Errorf("%w: truncated message", errCorrupt)
		}
		fields[i], b = string(b[1:1+int(b[0])]), b[1+int(b[0]):]
	}
	m.ID, m.From, m.Kind = fields[0], fields[1], fields[2]
	if checkID("ID", m.ID) != nil || checkPrincipal("From", m.From) != nil || checkKind(m.Kind) != nil {
		return Message{}, fmt.Errorf("%w: message fields out of range", errCorrupt)
	}
	if len(b) > 0 {
		m.Body = b
	}
	return m, nil
}

package store

import (
	"bytes"
	"testing"
	"time"

	"golang.org/x/crypto/chacha20poly1305"
)

var fuzzKey = bytes.Repeat([]byte{7}, keySize)

// sealFixed seals like seal but with a fixed nonce, so that fuzz seeds are
// the same in every fuzzing worker process.
func sealFixed(label, context string, plaintext []byte) []byte {
	aead, _ := chacha20poly1305.NewX(fuzzKey)
	return sealNonce(nil, aead, make([]byte, chacha20poly1305.NonceSizeX), label, context, plaintext)
}

// FuzzOpenRecord feeds arbitrary bytes to the sealed-record decoder: it must
// reject them without panicking, and anything it accepts must be exactly a
// record sealed for that label and context.
func FuzzOpenRecord(f *testing.F) {
	valid := sealFixed(labelMail, "ALICE.ref", []byte("body"))
	f.Add(valid, "ALICE.ref")
	f.Add(valid, "BOB.ref")                    // wrong context
	f.Add(valid[:len(valid)-1], "ALICE.ref")   // truncated tag
	f.Add(append([]byte{2}, valid[1:]...), "") // unknown version
	f.Add([]byte{}, "")
	f.Add(make([]byte, recordOverhead), "x")
	f.Fuzz(func(t *testing.T, rec []byte, context string) {
		pt, err := openRecord(fuzzKey, labelMail, context, rec)
		if err != nil {
			return
		}
		if !bytes.Equal(rec, valid) || context != "ALICE.ref" || string(pt) != "body" {
			t.Fatalf("accepted a forged record: %x for %q", rec, context)
		}
	})
}

// FuzzDecodeMessage checks the plaintext message layout: no input panics,
// and what decodes re-encodes to the same bytes.
func FuzzDecodeMessage(f *testing.F) {
	now := time.Unix(1700000000, 123)
	f.Add(encodeMessage(Message{ID: "m-1.x", From: "BOB", Kind: "sealed", Body: []byte("hello"), Created: now, Expires: now.Add(time.Hour)}))
	f.Add(encodeMessage(Message{ID: "a", From: "B", Created: now, Expires: now}))
	f.Add([]byte{})
	f.Add(make([]byte, 16))
	f.Add(append(make([]byte, 16), 200, 'a'))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decodeMessage(b)
		if err != nil {
			return
		}
		if again := encodeMessage(m); !bytes.Equal(again, b) {
			t.Fatalf("decode/encode changed %x into %x", b, again)
		}
	})
}

// FuzzParseKeyEntry checks the key-table row layout the same way, and that
// a parsed row only unwraps if it is exactly what wrapKey made.
func FuzzParseKeyEntry(f *testing.F) {
	exp := time.Unix(1700003600, 0)
	head := keyEntry{epoch: 42, expires: exp}.header()
	valid := append(head, sealFixed(labelMsgKey, "ALICE.ref\x00"+string(head), bytes.Repeat([]byte{9}, keySize))...)
	if _, err := unwrapKey(fuzzKey, "ALICE.ref", keyEntry{epoch: 42, expires: exp, wrapped: valid[keyEntryHeader:]}); err != nil {
		f.Fatal(err) // the fixed row must be what wrapKey makes
	}
	f.Add(valid)
	f.Add(valid[:20])
	f.Add(append(bytes.Clone(valid[:8]), valid[9:]...))
	f.Add(make([]byte, keyEntryHeader+recordOverhead+keySize))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := parseKeyEntry(b)
		if err != nil {
			return
		}
		if again := append(e.header(), e.wrapped...); !bytes.Equal(again, b) {
			t.Fatalf("parse changed %x into %x", b, again)
		}
		if k, err := unwrapKey(fuzzKey, "ALICE.ref", e); err == nil {
			if !bytes.Equal(b, valid) || e.epoch != 42 || !e.expires.Equal(exp) || k[0] != 9 {
				t.Fatalf("accepted a forged row %x", b)
			}
		}
	})
}

// TestSealVectors pins the derivation and the message reference to fixed
// values, so a change to either (which would orphan every stored message)
// fails here first. The expected values were computed independently with
// Python's hashlib/hmac (HKDF per RFC 5869).
func TestSealVectors(t *testing.T) {
	r, err := deriveRoot(testRoot)
	if err != nil {
		t.Fatal(err)
	}
	if got := r.ref("ALICE", "m1"); got != refVector {
		t.Errorf("ref(ALICE, m1) = %s, want %s", got, refVector)
	}
}

// refVector is ref("ALICE", "m1") under testRoot:
// hex(HMAC-SHA256(HKDF-SHA256(testRoot, salt=nil, info, 96)[32:64], "ALICE/m1"))[:32].
const refVector = "fa400f7a904f6707b4cb8a4db37f4cb6"

// FuzzSplitMailRecord: any bytes either split into a key entry and the rest
// that put back together are the input, or are refused; none panics.
func FuzzSplitMailRecord(f *testing.F) {
	head := keyEntry{epoch: 7, expires: time.Unix(1700003600, 0)}.header()
	valid := append(append(head, sealFixed(labelMsgKey, "ALICE.ref\x00"+string(head), bytes.Repeat([]byte{9}, keySize))...),
		sealFixed(labelMail, "ALICE.ref", []byte("body"))...)
	f.Add(valid)
	f.Add(valid[:keyEntrySize])
	f.Add(make([]byte, keyEntrySize+recordOverhead))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, rest, err := splitMailRecord(b)
		if err != nil {
			return
		}
		if again := append(append(e.header(), e.wrapped...), rest...); !bytes.Equal(again, b) {
			t.Fatalf("split changed %x into %x", b, again)
		}
	})
}

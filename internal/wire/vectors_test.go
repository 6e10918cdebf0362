package wire_test

// Known-answer tests for github.com/flynn/noise against the public Noise test
// vectors (snow and cacophony) in ../../../shared/data/noise. Vectors using
// features flynn/noise v1.1.0 cannot express are skipped and counted by reason.
//
// Note: flynn/noise ignores Config.EphemeralKeypair for "e" tokens that are
// written during the handshake (it only feeds pre-messages); WriteMessage
// always calls CipherSuite.GenerateKeypair(Config.Random), which reads exactly
// 32 bytes as the X25519 private scalar. The vectors' ephemerals are therefore
// injected through Config.Random, and the result is checked via LocalEphemeral.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/flynn/noise"
)

const vectorDir = "../../../shared/data/noise"

// Suites that must run and pass: the one the project uses (in every file) and
// a documented future option (in every file that contains it).
const (
	suiteKK     = "Noise_KK_25519_ChaChaPoly_SHA256"
	suiteKKpsk2 = "Noise_KKpsk2_25519_ChaChaPoly_SHA256"
)

type hexBytes []byte

func (h *hexBytes) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	d, err := hex.DecodeString(s)
	*h = d
	return err
}

type vector struct {
	Name             string     `json:"protocol_name"`
	InitPrologue     hexBytes   `json:"init_prologue"`
	InitPSKs         []hexBytes `json:"init_psks"`
	InitStatic       hexBytes   `json:"init_static"`
	InitEphemeral    hexBytes   `json:"init_ephemeral"`
	InitRemoteStatic hexBytes   `json:"init_remote_static"`
	RespPrologue     hexBytes   `json:"resp_prologue"`
	RespPSKs         []hexBytes `json:"resp_psks"`
	RespStatic       hexBytes   `json:"resp_static"`
	RespEphemeral    hexBytes   `json:"resp_ephemeral"`
	RespRemoteStatic hexBytes   `json:"resp_remote_static"`
	HandshakeHash    hexBytes   `json:"handshake_hash"`
	Messages         []struct {
		Payload    hexBytes `json:"payload"`
		Ciphertext hexBytes `json:"ciphertext"`
	} `json:"messages"`
}

var (
	vecPatterns = map[string]noise.HandshakePattern{}
	vecCiphers  = map[string]noise.CipherFunc{"ChaChaPoly": noise.CipherChaChaPoly, "AESGCM": noise.CipherAESGCM}
	vecHashes   = map[string]noise.HashFunc{"SHA256": noise.HashSHA256, "SHA512": noise.HashSHA512,
		"BLAKE2s": noise.HashBLAKE2s, "BLAKE2b": noise.HashBLAKE2b}
)

func init() {
	for _, p := range []noise.HandshakePattern{noise.HandshakeNN, noise.HandshakeKN, noise.HandshakeNK,
		noise.HandshakeKK, noise.HandshakeNX, noise.HandshakeKX, noise.HandshakeXN, noise.HandshakeIN,
		noise.HandshakeXK, noise.HandshakeIK, noise.HandshakeXX, noise.HandshakeIX, noise.HandshakeN,
		noise.HandshakeK, noise.HandshakeX} {
		vecPatterns[p.Name] = p
	}
}

func loadVectors(t *testing.T, file string) []vector {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(vectorDir, file))
	if err != nil {
		t.Fatalf("read %s: %v", file, err)
	}
	var doc struct{ Vectors []vector }
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("parse %s: %v", file, err)
	}
	return doc.Vectors
}

func requireVectorDir(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(vectorDir); err != nil {
		t.Skipf("../shared/data not present: Noise test vectors expected at %s (%v)", vectorDir, err)
	}
}

func keypair(t testing.TB, priv []byte) noise.DHKey {
	if len(priv) == 0 {
		return noise.DHKey{}
	}
	k, err := noise.DH25519.GenerateKeypair(bytes.NewReader(priv))
	if err != nil {
		t.Fatalf("keypair: %v", err)
	}
	return k
}

// configs translates v into initiator/responder configs, or returns a skip reason.
func configs(t testing.TB, v *vector) (ci, cr noise.Config, skip string) {
	parts := strings.Split(v.Name, "_")
	if len(parts) != 5 || parts[0] != "Noise" {
		return ci, cr, "malformed protocol name"
	}
	if parts[2] != "25519" {
		return ci, cr, "DH " + parts[2]
	}
	cipher, hash := vecCiphers[parts[3]], vecHashes[parts[4]]
	if cipher == nil || hash == nil {
		return ci, cr, "cipher/hash " + parts[3] + "/" + parts[4]
	}
	base, mods, hasPSK := strings.Cut(parts[1], "psk")
	pattern, ok := vecPatterns[base]
	if !ok {
		return ci, cr, "pattern not in flynn/noise (deferred/1-variants)"
	}
	suite := noise.NewCipherSuite(noise.DH25519, cipher, hash)
	ci = noise.Config{CipherSuite: suite, Pattern: pattern, Initiator: true, Prologue: v.InitPrologue,
		Random: bytes.NewReader(v.InitEphemeral), StaticKeypair: keypair(t, v.InitStatic), PeerStatic: v.InitRemoteStatic}
	cr = noise.Config{CipherSuite: suite, Pattern: pattern, Prologue: v.RespPrologue,
		Random: bytes.NewReader(v.RespEphemeral), StaticKeypair: keypair(t, v.RespStatic), PeerStatic: v.RespRemoteStatic}
	if hasPSK {
		if strings.Contains(mods, "+") || len(v.InitPSKs) != 1 || len(v.RespPSKs) != 1 {
			return ci, cr, "multiple psks"
		}
		n, err := strconv.Atoi(mods)
		if err != nil || n > len(pattern.Messages) {
			return ci, cr, "malformed psk modifier"
		}
		ci.PresharedKey, ci.PresharedKeyPlacement = v.InitPSKs[0], n
		cr.PresharedKey, cr.PresharedKeyPlacement = v.RespPSKs[0], n
	} else if len(v.InitPSKs)+len(v.RespPSKs) > 0 {
		return ci, cr, "psks without psk modifier"
	}
	return ci, cr, ""
}

// transport holds the post-handshake CipherStates of both sides.
type transport struct{ iSend, iRecv, rSend, rRecv *noise.CipherState }

// handshake plays the handshake messages of v, checking ciphertexts, payloads,
// injected ephemerals and the handshake hash. It returns the number of
// handshake messages and the resulting CipherStates.
func handshake(t testing.TB, v *vector, ci, cr noise.Config) (int, transport) {
	t.Helper()
	hsI, errI := noise.NewHandshakeState(ci)
	hsR, errR := noise.NewHandshakeState(cr)
	if errI != nil || errR != nil {
		t.Fatalf("handshake state: %v / %v", errI, errR)
	}
	n := len(ci.Pattern.Messages)
	if len(v.Messages) < n {
		t.Fatalf("vector has %d messages, handshake needs %d", len(v.Messages), n)
	}
	var ts transport
	for i := 0; i < n; i++ {
		w, r := hsI, hsR
		if i%2 == 1 {
			w, r = hsR, hsI
		}
		m := v.Messages[i]
		ct, c1, c2, err := w.WriteMessage(nil, m.Payload)
		if err != nil {
			t.Fatalf("handshake msg %d write: %v", i, err)
		}
		if !bytes.Equal(ct, m.Ciphertext) {
			t.Fatalf("handshake msg %d ciphertext\n got %x\nwant %x", i, ct, m.Ciphertext)
		}
		pt, d1, d2, err := r.ReadMessage(nil, ct)
		if err != nil || !bytes.Equal(pt, m.Payload) {
			t.Fatalf("handshake msg %d read: %v\n got %x\nwant %x", i, err, pt, m.Payload)
		}
		if i == n-1 {
			if i%2 == 1 {
				c1, c2, d1, d2 = d1, d2, c1, c2
			}
			// c* belong to the initiator, d* to the responder; [0] is initiator->responder.
			ts = transport{iSend: c1, iRecv: c2, rSend: d2, rRecv: d1}
		}
	}
	if ts.iSend == nil || ts.rRecv == nil {
		t.Fatalf("handshake did not complete after %d messages", n)
	}
	if e := hsI.LocalEphemeral(); !bytes.Equal(e.Private, v.InitEphemeral) {
		t.Fatalf("initiator ephemeral not injected: %x", e.Private)
	}
	if e := hsR.LocalEphemeral(); len(e.Public) > 0 && !bytes.Equal(e.Private, v.RespEphemeral) {
		t.Fatalf("responder ephemeral not injected: %x", e.Private)
	}
	hI, hR := hsI.ChannelBinding(), hsR.ChannelBinding()
	if !bytes.Equal(hI, hR) {
		t.Fatalf("handshake hash mismatch between peers: %x vs %x", hI, hR)
	}
	if len(v.HandshakeHash) > 0 && !bytes.Equal(hI, v.HandshakeHash) {
		t.Fatalf("handshake hash\n got %x\nwant %x", hI, v.HandshakeHash)
	}
	return n, ts
}

// fromInitiator reports whether overall message i is sent by the initiator.
func fromInitiator(p noise.HandshakePattern, i int) bool { return len(p.Messages) == 1 || i%2 == 0 }

func runVector(t *testing.T, v *vector, ci, cr noise.Config) {
	n, ts := handshake(t, v, ci, cr)
	for i := n; i < len(v.Messages); i++ {
		m := v.Messages[i]
		enc, dec := ts.iSend, ts.rRecv
		if !fromInitiator(ci.Pattern, i) {
			enc, dec = ts.rSend, ts.iRecv
		}
		ct, err := enc.Encrypt(nil, nil, m.Payload)
		if err != nil {
			t.Fatalf("transport msg %d encrypt: %v", i, err)
		}
		if !bytes.Equal(ct, m.Ciphertext) {
			t.Fatalf("transport msg %d ciphertext\n got %x\nwant %x", i, ct, m.Ciphertext)
		}
		pt, err := dec.Decrypt(nil, nil, ct)
		if err != nil || !bytes.Equal(pt, m.Payload) {
			t.Fatalf("transport msg %d decrypt: %v\n got %x\nwant %x", i, err, pt, m.Payload)
		}
	}
}

func TestNoiseVectors(t *testing.T) {
	requireVectorDir(t)
	passed := map[string]map[string]bool{} // suite -> file -> passed
	total := 0
	for _, file := range []string{"snow.txt", "cacophony.txt"} {
		vs := loadVectors(t, file)
		ran, failed, skips := 0, 0, map[string]int{}
		for i := range vs {
			v := &vs[i]
			ci, cr, skip := configs(t, v)
			if skip != "" {
				skips[skip]++
				continue
			}
			ran++
			ok := t.Run(fmt.Sprintf("%s/%d_%s", file, i, v.Name), func(t *testing.T) { runVector(t, v, ci, cr) })
			if !ok {
				failed++
			}
			if passed[v.Name] == nil {
				passed[v.Name] = map[string]bool{}
			}
			passed[v.Name][file] = passed[v.Name][file] || ok // any vector of the suite passed
		}
		total += ran
		t.Logf("%s: %d vectors, ran %d (passed %d, failed %d), skipped %d %v",
			file, len(vs), ran, ran-failed, failed, len(vs)-ran, skips)
		for _, s := range []string{suiteKK, suiteKKpsk2} {
			required := s == suiteKK || slices.ContainsFunc(vs, func(v vector) bool { return v.Name == s })
			if required && !passed[s][file] {
				t.Errorf("%s: required suite %s did not run and pass", file, s)
			}
		}
	}
	if total == 0 {
		t.Fatal("no Noise vectors ran")
	}
}

// TestNoiseVectorTamperedTransport flips one bit of a KK transport ciphertext
// from a vector: decryption must fail and must not advance the receiving
// CipherState, which still decrypts the genuine message afterwards.
func TestNoiseVectorTamperedTransport(t *testing.T) {
	requireVectorDir(t)
	for _, file := range []string{"snow.txt", "cacophony.txt"} {
		vs := loadVectors(t, file)
		idx := -1
		for i := range vs {
			if vs[i].Name == suiteKK && len(vs[i].Messages) > 2 {
				idx = i
				break
			}
		}
		if idx < 0 {
			t.Errorf("%s: no %s vector with transport messages", file, suiteKK)
			continue
		}
		t.Run(file, func(t *testing.T) {
			v := &vs[idx]
			ci, cr, skip := configs(t, v)
			if skip != "" {
				t.Fatalf("unexpected skip: %s", skip)
			}
			n, ts := handshake(t, v, ci, cr)
			m := v.Messages[n]
			dec := ts.rRecv
			if !fromInitiator(ci.Pattern, n) {
				dec = ts.iRecv
			}
			for _, bit := range []int{0, 8*len(m.Ciphertext) - 1, 4 * len(m.Ciphertext)} {
				bad := bytes.Clone(m.Ciphertext)
				bad[bit/8] ^= 1 << (bit % 8)
				before := dec.Nonce()
				if pt, err := dec.Decrypt(nil, nil, bad); err == nil {
					t.Fatalf("bit %d flipped: decrypt succeeded (%x)", bit, pt)
				}
				if dec.Nonce() != before {
					t.Fatalf("bit %d flipped: nonce moved %d -> %d", bit, before, dec.Nonce())
				}
			}
			pt, err := dec.Decrypt(nil, nil, m.Ciphertext)
			if err != nil || !bytes.Equal(pt, m.Payload) {
				t.Fatalf("genuine message after tamper: %v (%x, want %x)", err, pt, m.Payload)
			}
		})
	}
}

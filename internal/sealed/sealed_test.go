package sealed

import (
	"bytes"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"regexp"
	"testing"
	"time"

	"backchannel/internal/identity"
)

func key(t testing.TB, name string) *identity.Private {
	t.Helper()
	sum := sha256.Sum256([]byte("backchannel sealed test key " + name))
	k, err := identity.FromBytes(sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// deposit is what the recipient does: a one-time key, tagged for sender.
func deposit(t testing.TB, recipient *identity.Private, sender identity.Public) (*OneTime, []byte) {
	t.Helper()
	otk, err := NewOneTime()
	if err != nil {
		t.Fatal(err)
	}
	tag, err := Tag(recipient, sender, otk.KID, otk.Pub)
	if err != nil {
		t.Fatal(err)
	}
	return otk, tag
}

var when = time.Date(2026, 1, 5, 9, 30, 0, 123456789, time.UTC)

func TestSealOpen(t *testing.T) {
	isr, irn := key(t, "ISR"), key(t, "IRN")
	otk, tag := deposit(t, irn, isr.Public())
	text := "no first strike; CANARY-7f3a"
	enc, ct, err := Seal(isr, irn.Public(), otk.KID, otk.Pub, tag, text, when)
	if err != nil {
		t.Fatalf("Seal: %v", err)
	}
	if bytes.Contains(ct, []byte("CANARY")) || bytes.Contains(enc, []byte("CANARY")) {
		t.Fatalf("the ciphertext holds the plaintext")
	}
	p, err := Open(irn, isr.Public(), otk.KID, otk.Priv, enc, ct)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if p.Text != text || !p.Sent.Equal(when) {
		t.Errorf("opened %q sent %v; want %q sent %v", p.Text, p.Sent, text, when)
	}
	// Two seals of the same text differ (fresh HPKE encapsulation).
	enc2, ct2, err := Seal(isr, irn.Public(), otk.KID, otk.Pub, tag, text, when)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(enc, enc2) || bytes.Equal(ct, ct2) {
		t.Errorf("sealing twice gave the same ciphertext")
	}
	// The empty text and a long one go through too.
	for _, s := range []string{"", string(bytes.Repeat([]byte("x"), 30000))} {
		enc, ct, err := Seal(isr, irn.Public(), otk.KID, otk.Pub, tag, s, when)
		if err != nil {
			t.Fatal(err)
		}
		if p, err := Open(irn, isr.Public(), otk.KID, otk.Priv, enc, ct); err != nil || p.Text != s {
			t.Errorf("round trip of %d bytes: %v", len(s), err)
		}
	}
}

func TestSealRefusesBadTag(t *testing.T) {
	isr, irn, eve := key(t, "ISR"), key(t, "IRN"), key(t, "EVE")
	otk, tag := deposit(t, irn, isr.Public())
	other, _ := deposit(t, irn, isr.Public())
	// A key the mediator substituted: its tag made by someone without the
	// ISR-IRN secret.
	eveTag, err := Tag(eve, isr.Public(), otk.KID, otk.Pub)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(tag)
	flipped[0] ^= 1
	for name, c := range map[string]struct {
		kid      string
		pub, tag []byte
	}{
		"tag by another key":      {otk.KID, otk.Pub, eveTag},
		"tag of another key":      {otk.KID, other.Pub, tag},
		"tag of another kid":      {other.KID, otk.Pub, tag},
		"damaged tag":             {otk.KID, otk.Pub, flipped},
		"no tag":                  {otk.KID, otk.Pub, nil},
		"tag for another peer":    {otk.KID, otk.Pub, mustTag(t, irn, eve.Public(), otk.KID, otk.Pub)},
		"recipient's tag for eve": {otk.KID, otk.Pub, mustTag(t, eve, irn.Public(), otk.KID, otk.Pub)},
	} {
		if _, _, err := Seal(isr, irn.Public(), c.kid, c.pub, c.tag, "x", when); !errors.Is(err, ErrTag) {
			t.Errorf("%s: %v; want ErrTag", name, err)
		}
	}
	// The right tag, checked against the wrong peer.
	if _, _, err := Seal(isr, eve.Public(), otk.KID, otk.Pub, tag, "x", when); !errors.Is(err, ErrTag) {
		t.Errorf("sealing to eve with IRN's tag: %v; want ErrTag", err)
	}
}

func mustTag(t *testing.T, self *identity.Private, peer identity.Public, kid string, otk []byte) []byte {
	t.Helper()
	tag, err := Tag(self, peer, kid, otk)
	if err != nil {
		t.Fatal(err)
	}
	return tag
}

func TestOpenRefuses(t *testing.T) {
	isr, irn, eve := key(t, "ISR"), key(t, "IRN"), key(t, "EVE")
	otk, tag := deposit(t, irn, isr.Public())
	enc, ct, err := Seal(isr, irn.Public(), otk.KID, otk.Pub, tag, "hello", when)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := deposit(t, irn, isr.Public())
	check := func(name string, self *identity.Private, sender identity.Public, kid string, priv, enc, ct []byte) {
		t.Helper()
		p, err := Open(self, sender, kid, priv, enc, ct)
		if !errors.Is(err, ErrOpen) {
			t.Errorf("%s: opened %+v, %v; want ErrOpen", name, p, err)
		}
	}
	check("wrong sender static", irn, eve.Public(), otk.KID, otk.Priv, enc, ct)
	check("the recipient named as sender", irn, irn.Public(), otk.KID, otk.Priv, enc, ct)
	check("wrong recipient static", eve, isr.Public(), otk.KID, otk.Priv, enc, ct)
	check("wrong kid", irn, isr.Public(), other.KID, otk.Priv, enc, ct)
	check("wrong one-time key", irn, isr.Public(), otk.KID, other.Priv, enc, ct)
	check("truncated ct", irn, isr.Public(), otk.KID, otk.Priv, enc, ct[:len(ct)-1])
	check("empty ct", irn, isr.Public(), otk.KID, otk.Priv, enc, nil)
	for _, i := range []int{0, len(ct) / 2, len(ct) - 1} {
		bad := bytes.Clone(ct)
		bad[i] ^= 0x20
		check("ct with a flipped bit", irn, isr.Public(), otk.KID, otk.Priv, enc, bad)
	}
	for _, i := range []int{0, len(enc) - 1} {
		bad := bytes.Clone(enc)
		bad[i] ^= 0x01
		check("enc with a flipped bit", irn, isr.Public(), otk.KID, otk.Priv, bad, ct)
	}
	// Reflection: the mediator hands ISR's message back to ISR as from IRN.
	// ISR would need the one-time private key; even with it, the direction
	// is bound into the HPKE info, so it does not open.
	check("reflected to the sender", isr, irn.Public(), otk.KID, otk.Priv, enc, ct)
	// A bad one-time private key is an error, not a panic.
	if _, err := Open(irn, isr.Public(), otk.KID, []byte{1, 2, 3}, enc, ct); err == nil {
		t.Errorf("a 3-byte one-time private key was accepted")
	}
}

// TestRecipientCanForge is the deniability demonstration: IRN, holding only
// its own private key and ISR's public key, makes a sealed message "from ISR"
// that the genuine Open accepts as ISR's. So a sealed message proves nothing
// about its author to anyone but its recipient.
func TestRecipientCanForge(t *testing.T) {
	isrPub := key(t, "ISR").Public() // all IRN knows of ISR
	irn := key(t, "IRN")
	otk, err := NewOneTime() // one of IRN's own one-time keys
	if err != nil {
		t.Fatal(err)
	}
	text := "ISR will strike on Tuesday"
	enc, ct := forge(t, irn, isrPub, otk.KID, otk.Pub, text, when)
	p, err := Open(irn, isrPub, otk.KID, otk.Priv, enc, ct)
	if err != nil {
		t.Fatalf("the genuine Open refused the forgery: %v", err)
	}
	if p.Text != text || !p.Sent.Equal(when) {
		t.Errorf("opened %q at %v", p.Text, p.Sent)
	}
	// The tags prove nothing either: IRN computes the very tag ISR would
	// check, and the one ISR would make for IRN's key.
	isr := key(t, "ISR") // used only to show equality
	if !bytes.Equal(mustTag(t, irn, isrPub, otk.KID, otk.Pub), mustTag(t, isr, irn.Public(), otk.KID, otk.Pub)) {
		t.Errorf("the tag is not the same from both ends of the pair")
	}
	// And the genuine message is indistinguishable in form from the forgery.
	tag := mustTag(t, irn, isrPub, otk.KID, otk.Pub)
	genc, gct, err := Seal(isr, irn.Public(), otk.KID, otk.Pub, tag, text, when)
	if err != nil {
		t.Fatal(err)
	}
	if len(genc) != len(enc) || len(gct) != len(ct) {
		t.Errorf("genuine and forged differ in size: %d/%d vs %d/%d", len(genc), len(gct), len(enc), len(ct))
	}
}

// forge builds a sealed message from claimedSender to recipient, using only
// the recipient's private key and public values: the MAC key comes from the
// static-static DH, which the recipient computes from its side.
func forge(t *testing.T, recipient *identity.Private, claimedSender identity.Public, kid string, otkPub []byte, text string, now time.Time) (enc, ct []byte) {
	t.Helper()
	pk, err := hpke.DHKEM(ecdhX25519).NewPublicKey(otkPub)
	if err != nil {
		t.Fatal(err)
	}
	enc, s, err := hpke.NewSender(pk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), info(claimedSender, recipient.Public(), kid))
	if err != nil {
		t.Fatal(err)
	}
	mk, err := pairKey(recipient, claimedSender, macInfo)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := json.Marshal(Payload{Text: text, Sent: now.UTC(), MAC: macOf(mk, enc, kid, text, now)})
	if err != nil {
		t.Fatal(err)
	}
	ct, err = s.Seal(nil, pt)
	if err != nil {
		t.Fatal(err)
	}
	return enc, ct
}

func TestSafetyNumber(t *testing.T) {
	a, b, c := key(t, "ISR").Public(), key(t, "IRN").Public(), key(t, "EVE").Public()
	ab, ba := SafetyNumber(a, b), SafetyNumber(b, a)
	if ab != ba {
		t.Errorf("not symmetric: %q vs %q", ab, ba)
	}
	if !regexp.MustCompile(`^\d{5}( \d{5}){5}$`).MatchString(ab) {
		t.Errorf("%q is not six groups of five digits", ab)
	}
	for name, other := range map[string]string{"a with c": SafetyNumber(a, c), "c with b": SafetyNumber(c, b), "a with a": SafetyNumber(a, a)} {
		if other == ab {
			t.Errorf("%s gives the same number as a with b", name)
		}
	}
	if SafetyNumber(a, b) != ab {
		t.Errorf("not deterministic")
	}
}

func TestNewOneTime(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		k, err := NewOneTime()
		if err != nil {
			t.Fatal(err)
		}
		if len(k.Pub) != 32 || len(k.Priv) != 32 || seen[k.KID] || !regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`).MatchString(k.KID) {
			t.Fatalf("one-time key %d: kid %q, %d/%d bytes (or a repeated kid)", i, k.KID, len(k.Pub), len(k.Priv))
		}
		seen[k.KID] = true
	}
}

package wire

// TestProtocolExamples generates the worked example of docs/PROTOCOL.md
// ("Worked example") and pins it: fixed static keys, fixed ephemerals, the real
// handshake and transport code, and the bytes compared with the constants below.
// It then checks the document itself: the golden values below (all but the pong,
// which the document only mentions) appear in it verbatim, every ```json block
// in it holds frames the strict decoder accepts (one, or a request and its
// reply), and the sealed-mode values in those frames verify (tag, ciphertext).
// It also forges a sealed message as its recipient could (deniability).
//
// It is an internal test (package wire) because deterministic ephemerals go in
// through initiateWithRand/acceptWithRand of export_test.go.
//
// To regenerate after a deliberate protocol change: empty a constant, run
//
//	go test -run ProtocolExamples -v ./internal/wire/
//
// and paste the value the failure prints, here and in the document.

import (
	"bufio"
	"bytes"
	"crypto/ecdh"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/hpke"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"backchannel/internal/identity"
	"backchannel/internal/sealed"
)

// The example's secrets: each is one byte repeated 32 times, so that another
// implementation can rebuild them without copying anything.
const (
	protoISRByte    = 0x49 // 'I': ISR's desk, static private key
	protoIRNByte    = 0x4e // 'N': IRN's desk, static private key
	protoHubByte    = 0x52 // 'R': the hub of mediator RUS, static private key
	protoISREphByte = 0x69 // 'i': ISR's handshake ephemeral private key
	protoHubEphByte = 0x72 // 'r': the hub's handshake ephemeral private key
	protoOTKByte    = 0x6f // 'o': IRN's one-time private key (sealed mode)
	protoOTKID      = "kQ7M2XH4RWTPA"
)

// Golden values, pinned here and (except goldPong) shown in docs/PROTOCOL.md.
const (
	goldISRPublic = "51c76caf97b8a36e21513eab8b23a1a90126ddf9823deee64c8ffb2954fd4975"
	goldIRNPublic = "1a61189b2818f9111a3280b9cee17fe2edc11271f54c1187e80ddefae590df7d"
	goldHubPublic = "f68b05ba03f7185e1ba88878682f8dd0b15158f6050889c9481d79c2d7d2fa07"
	goldISRText   = "bcpub:Ucdsr5e4o24hUT6riyOhqQEm3fmCPe7mTI_7KVT9SXXgJjvD"
	goldIRNText   = "bcpub:GmEYmygY-REaMoC5zuF_4u3BEnH1TBGH6A3e-uWQ333l9t7W"
	goldHubText   = "bcpub:9osFugP3GF4bqIh4aC-N0LFRWPYFCInJSB15wtfS-gc4gnRu"

	// Wire bytes: the 2-byte length prefix on the first line, then the Noise
	// message, 32 bytes a line.
	goldMsg1 = `0030
1b1b8caa8136a07b19cdc42dbff58c341de0087d8feaecf29eec0ed4fd0c3355
f56aca527db72c0f0eb03f1dfdcab019`
	goldMsg2 = `0030
cd48d0681ea73f09a00f83859bd10880df56822019cda3c883e0d1514e35b106
7c56c6dc5aad1919b0f60a03962096e9`

	goldHandshakeHash = "3bbe293b8870cf87581f9564621e20e61f1ac1d9431d2f21450924784792f88d"
	goldKeyISRToHub   = "d3903119957f87c691a5cb6e2dc209329805eaff1b21be8f5e8d9d5824212f53" // initiator's sending key (k1 of Split)
	goldKeyHubToISR   = "7f4af287b5e1e019aae6c7b671c73ad33739b5d666df4cf99c50b8f503fe7e26" // responder's sending key (k2 of Split)

	goldWelcome = `0100
270d7aa6798ce159fd3d3adabb3db358ed293615612bd7245aaa0e9444d19f13
1c91a407ed418b3770af9b68d3d5364b9f450e8bf9e9f200b5193d3b66deb31a
dc81e98c0d6cac5764ff43523cb8ae948649c4f7808fe60d6729158cbe783c1d
3aa64676a49c327e2922b8f4c7c8250fe331a9b0a436654448f26f60b93e451b
97aa401affe4ee5efdfa8269080155b5157c0a3a91409f10d774c60abfc00d07
622848bc46a7d9081d85cf47b142dbd3484f914b770f9692301c97ecbaacb78e
7209a3e2ee9db89d1824667de0cc3065d681c1543a32a17814406c4592045532
210d9c6b36a46e64e15245be506a20c9dc4ae5c24d5bc5685f6c19f869433e4f` // hub -> ISR, the hub's first transport message (nonce 0)
	goldPing = `0100
ea56e26f402a254dbf3146f4af63e5369f4edcd2c326d8608f4527fface60814
c8815037830c017ceefd6afd1faeda5918365b875c592c731bdbe38b3879c9da
196f38f97c77aa00b21f8377ba4eb655c7eba7d4ec3b9e99bb4628f1c8db5b6e
143a698d882247009f41bc4b09002c93266dc3496a64fa3df2281bca1c3be274
b82e13e966aae78adfcb67dade7e80b3952f1c07b6cc19df33135c8bb7ab18eb
2e3883b9db25ca69304ca1decfeda06d974c430d76179e56f8b4779cde716f5b
e06eeee1d17aad8cce801bc9e2bb15ef2fed63983fd054c3fb12b874a398be2d
0f71f818b7d87e47faefa16e52edd32810fb88ec3670fbee18ed332969bffc12` // ISR -> hub, ISR's first transport message (nonce 0)
	goldPong = `0100
ef244cb08e1a29e155a9afb89b93e94d7972316f508d042a98316d86f2f23c8f
89172fb79509077a810751e74550dafb7330268544a72c71bf0309d45b069696
71e3af99be5f34e31ad23f5f8bc67ea3ce51f20b9b0dbab106a81497db4e19d7
11fca77d1bf990f6458871ed2932f6ea98a95091dfb71a2ff0f0fa42ab8cb67e
ed5d309d9e2628b23cdd9c9570a4d0656a5f70fd159969b837347661b8f1ffc0
8a5b75286c02eeac7235c9cd7446342785a792acfa4319b0881096cb4793a0fc
046c84cda704aec9bd0325f56b2aa5ba419dbfd2d0f63c312cd3fd9423b703fa
9b5e8e4489891ad553968eb350891e0a3b65a392bc24eb9e26f4b69af7f95821` // hub -> ISR, the reply (nonce 1)

	goldOTKPublic    = "742562a1209c1a3694cf632449c658f54b085363c509a9d834a6914f78301719"
	goldDHISRIRN     = "a603534101653e9abcc3a27ec6d83a5a44d68f4860b81299fdb1f9523753ee69"
	goldTagKey       = "7b106f4a0713fb40573596310c85d5990a2b36010c17818cefac26a77e7899f8"
	goldTag          = "ffcf8c22e66afd0436468d14ab92d3f53cd1799db2fdee5657e98b91b249f6b9"
	goldSafetyNumber = "91645 95183 93532 07562 15541 95073"
)

// The sealed message of the example, made once with sealed.Seal (HPKE's
// encapsulation is random, so it is pinned by opening it, not by remaking it).
const (
	protoSealedText = "Jerusalem holds to the Saturday window if Tehran does the same. Confirm through the usual contact."
	protoSealedSent = "2025-06-14T08:00:00Z"
	goldSealedEnc   = "8EhdP5T1uxgetJQWV0TYw5nB+nE4r10QsaiC7RfB+F8="
	goldSealedCT    = "p78Xucx/4KvxiINUhJMD7zFOEK58mr2qHQesOM33AKnKhAO9gS5rvtM2YSA9yyoaA2ejgXh9UhdImDovObFHUuaozQ9ypFojiPMGhObjndFstS0MLI7srFLOOOUYjUnzTscfp8pniD85dCDGzZS3PtMx7W2Nj2QdxWuUpJJ5MCLa800q2SM9BbwAvW9VndLJNEv8bF9hYQB5ZC6/TjpLrb9tiLPAuJYyEtvHFnKMjSxjq8YOAqwPA1xP16qeut5mFwsde/Ju0298jkfRErI5tg=="
)

// The frames of the transport example, as the hub and desk encode them.
const (
	protoWelcomeJSON = `{"type":"welcome","welcome":{"you":"ISR","mediator":"RUS","peers":{"IRN":"%s"},"max_ttl":604800,"hub":"backchannel dev"}}`
	protoPingJSON    = `{"type":"ping","req":1}`
	protoPongJSON    = `{"type":"pong","req":1}`
)

func protoKey(t *testing.T, b byte) *identity.Private {
	t.Helper()
	k, err := identity.FromBytes(bytes.Repeat([]byte{b}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// protoHex dumps b as lower-case hex, 32 bytes a line.
func protoHex(b []byte) string {
	var lines []string
	for len(b) > 32 {
		lines = append(lines, hex.EncodeToString(b[:32]))
		b = b[32:]
	}
	return strings.Join(append(lines, hex.EncodeToString(b)), "\n")
}

// protoWire dumps a length-prefixed message: the prefix alone on the first line.
func protoWire(b []byte) string { return hex.EncodeToString(b[:2]) + "\n" + protoHex(b[2:]) }

// protoTap records what is written to a connection.
type protoTap struct {
	net.Conn
	out bytes.Buffer
}

func (c *protoTap) Write(p []byte) (int, error) {
	c.out.Write(p)
	return c.Conn.Write(p)
}

type protoGold struct {
	t      *testing.T
	failed bool
}

// check compares a computed value with its golden constant and prints the
// computed one, ready to paste, when they differ.
func (g *protoGold) check(name, got, want string) {
	g.t.Helper()
	if got != want {
		g.failed = true
		g.t.Errorf("%s differs from its golden value.\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestProtocolExamples(t *testing.T) {
	g := &protoGold{t: t}
	isr, irn, hub := protoKey(t, protoISRByte), protoKey(t, protoIRNByte), protoKey(t, protoHubByte)
	isrPub, irnPub, hubPub := isr.Public(), irn.Public(), hub.Public()

	g.check("ISR public", hex.EncodeToString(isrPub[:]), goldISRPublic)
	g.check("IRN public", hex.EncodeToString(irnPub[:]), goldIRNPublic)
	g.check("hub public", hex.EncodeToString(hubPub[:]), goldHubPublic)
	g.check("ISR key text", isrPub.String(), goldISRText)
	g.check("IRN key text", irnPub.String(), goldIRNText)
	g.check("hub key text", hubPub.String(), goldHubText)
	// The text encoding as the document states it.
	for _, k := range []identity.Public{isrPub, irnPub, hubPub} {
		sum := sha256.Sum256(append([]byte(identity.PublicPrefix), k[:]...))
		want := identity.PublicPrefix + base64.RawURLEncoding.EncodeToString(append(bytes.Clone(k[:]), sum[:4]...))
		if k.String() != want {
			t.Errorf("key text %s, the document's rule gives %s", k, want)
		}
	}

	// ---- handshake: ISR's desk calls the hub, which knows IRN and ISR ----
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ta, tb := &protoTap{Conn: a}, &protoTap{Conn: b}
	type result struct {
		s    *Session
		peer identity.Public
		err  error
	}
	done := make(chan result, 1)
	go func() {
		// Candidates in the hub's order (by party code): IRN is tried first and
		// fails, ISR authenticates.
		s, peer, err := acceptWithRand(tb, hub, []identity.Public{irnPub, isrPub}, Schedule{},
			bytes.NewReader(bytes.Repeat([]byte{protoHubEphByte}, 32)))
		done <- result{s, peer, err}
	}()
	ini, err := initiateWithRand(ta, isr, hubPub, Schedule{}, bytes.NewReader(bytes.Repeat([]byte{protoISREphByte}, 32)))
	r := <-done
	if err != nil || r.err != nil {
		t.Fatalf("handshake: initiator: %v; responder: %v", err, r.err)
	}
	if !r.peer.Equal(isrPub) {
		t.Fatalf("the hub identified %s, want ISR", r.peer)
	}
	resp := r.s
	m1, m2 := ta.out.Bytes(), tb.out.Bytes()
	if len(m1) != 2+HandshakeSize || len(m2) != 2+HandshakeSize {
		t.Fatalf("handshake messages of %d and %d bytes, want 2+%d", len(m1), len(m2), HandshakeSize)
	}
	g.check("message 1", protoWire(m1), goldMsg1)
	g.check("message 2", protoWire(m2), goldMsg2)
	// Each message starts with its sender's ephemeral public key.
	for name, c := range map[string]struct {
		msg []byte
		eph byte
	}{"message 1": {m1, protoISREphByte}, "message 2": {m2, protoHubEphByte}} {
		e := protoKey(t, c.eph).Public()
		if !bytes.Equal(c.msg[2:34], e[:]) {
			t.Errorf("%s does not start with the ephemeral public key", name)
		}
	}
	g.check("handshake hash", hex.EncodeToString(ini.HandshakeHash()), goldHandshakeHash)
	is, rs := snapshot(ini), snapshot(resp)
	if is.Send != rs.Recv || is.Recv != rs.Send {
		t.Fatal("the two sides' transport keys do not pair")
	}
	g.check("key ISR->hub", hex.EncodeToString(is.Send.Key[:]), goldKeyISRToHub)
	g.check("key hub->ISR", hex.EncodeToString(is.Recv.Key[:]), goldKeyHubToISR)

	// ---- transport: welcome (hub), ping (ISR), pong (hub) ----
	welcome := fmt.Sprintf(protoWelcomeJSON, irnPub)
	seal := func(name string, s *Session, frame string) []byte {
		t.Helper()
		// Frames as the code encodes them: Encode(Decode(x)) == x.
		f, err := Decode([]byte(frame))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if enc, err := Encode(f); err != nil || string(enc) != frame {
			t.Fatalf("%s: Encode gives %s (%v), want %s", name, enc, err, frame)
		}
		m, err := s.Seal([]byte{0, 0}, []byte(frame))
		if err != nil {
			t.Fatal(err)
		}
		binary.BigEndian.PutUint16(m, uint16(len(m)-2))
		return m
	}
	open := func(name string, s *Session, m []byte, want string) {
		t.Helper()
		pt, err := cipherOf(snapshot(s).Recv).Decrypt(nil, nil, m[2:])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		// The plaintext layout: flags, length, frame, zeros.
		if pt[0] != 0 || int(binary.BigEndian.Uint16(pt[1:3])) != len(want) ||
			string(pt[3:3+len(want)]) != want || len(bytes.Trim(pt[3+len(want):], "\x00")) != 0 {
			t.Errorf("%s: plaintext is not flags 0, length, frame, zero padding: %x", name, pt)
		}
		f, err := s.Open(m[2:])
		if err != nil || string(f) != want {
			t.Fatalf("%s: Open gives %q, %v", name, f, err)
		}
	}
	wm := seal("welcome", resp, welcome)
	open("welcome", ini, wm, welcome)
	pm := seal("ping", ini, protoPingJSON)
	open("ping", resp, pm, protoPingJSON)
	qm := seal("pong", resp, protoPongJSON)
	open("pong", ini, qm, protoPongJSON)
	for _, m := range [][]byte{wm, pm, qm} {
		if len(m) != 2+Sizes[0] {
			t.Fatalf("a small frame took %d bytes, want 2+%d", len(m), Sizes[0])
		}
	}
	g.check("welcome", protoWire(wm), goldWelcome)
	g.check("ping", protoWire(pm), goldPing)
	g.check("pong", protoWire(qm), goldPong)

	// ---- sealed mode: IRN's one-time key, its tag for ISR, the safety number ----
	otk := protoKey(t, protoOTKByte)
	otkPub := otk.Public()
	g.check("one-time public key", hex.EncodeToString(otkPub[:]), goldOTKPublic)
	dh, err := isr.DH(irnPub)
	if err != nil {
		t.Fatal(err)
	}
	g.check("DH(ISR, IRN)", hex.EncodeToString(dh), goldDHISRIRN)
	// The document's rule, written out here, against the package's.
	lo, hi := isrPub, irnPub
	if bytes.Compare(lo[:], hi[:]) > 0 {
		lo, hi = hi, lo
	}
	salt := append(bytes.Clone(lo[:]), hi[:]...)
	tagKey, err := hkdf.Key(sha256.New, dh, salt, "backchannel/1 one-time key tag", 32)
	if err != nil {
		t.Fatal(err)
	}
	g.check("tag key", hex.EncodeToString(tagKey), goldTagKey)
	mac := hmac.New(sha256.New, tagKey)
	mac.Write([]byte(protoOTKID + "\x00"))
	mac.Write(otkPub[:])
	tagByRule := mac.Sum(nil)
	tagIRN, err := sealed.Tag(irn, isrPub, protoOTKID, otkPub[:])
	if err != nil {
		t.Fatal(err)
	}
	tagISR, _ := sealed.Tag(isr, irnPub, protoOTKID, otkPub[:])
	if !bytes.Equal(tagIRN, tagByRule) || !bytes.Equal(tagISR, tagByRule) {
		t.Errorf("sealed.Tag gives %x (by IRN) and %x (by ISR); the document's rule gives %x", tagIRN, tagISR, tagByRule)
	}
	g.check("tag", hex.EncodeToString(tagByRule), goldTag)
	sn := sealed.SafetyNumber(isrPub, irnPub)
	if sn != sealed.SafetyNumber(irnPub, isrPub) || sn != protoSafetyNumber(isrPub, irnPub) {
		t.Errorf("safety number %s is not symmetric or not the document's rule (%s)", sn, protoSafetyNumber(isrPub, irnPub))
	}
	g.check("safety number", sn, goldSafetyNumber)

	// The sealed message: it opens with IRN's keys, and by the document's rules.
	sent, _ := time.Parse(time.RFC3339, protoSealedSent)
	if goldSealedEnc == "" || goldSealedCT == "" {
		enc, ct, err := sealed.Seal(isr, irnPub, protoOTKID, otkPub[:], tagByRule, protoSealedText, sent)
		if err != nil {
			t.Fatal(err)
		}
		t.Errorf("no sealed example yet; made one:\nenc: %s\nct: %s",
			base64.StdEncoding.EncodeToString(enc), base64.StdEncoding.EncodeToString(ct))
	} else {
		enc, _ := base64.StdEncoding.DecodeString(goldSealedEnc)
		ct, _ := base64.StdEncoding.DecodeString(goldSealedCT)
		protoCheckSealed(t, isrPub, irn, otk, enc, ct, sent)
	}

	// Deniability of sealed mode: IRN, with its own private key and ISR's public
	// key only, seals by the document's rules a message "from ISR" that the
	// genuine code opens as ISR's.
	forgedText := "Tehran may strike first; Jerusalem will not answer."
	enc, ct := protoSealByRule(t, isrPub, irn.Public(), protoMACKey(t, irn, isrPub), otkPub[:], protoOTKID, forgedText, sent)
	if p, err := sealed.Open(irn, isrPub, protoOTKID, otk.Bytes(), enc, ct); err != nil || p.Text != forgedText {
		t.Errorf("a sealed message forged by the recipient does not open as the sender's: %v", err)
	}

	// ---- the document ----
	doc, err := os.ReadFile("../../docs/PROTOCOL.md")
	if err != nil {
		t.Fatalf("the document these examples belong to: %v", err)
	}
	if g.failed {
		t.Fatal("fix the golden values before checking the document")
	}
	for name, v := range map[string]string{
		"ISR public": goldISRPublic, "IRN public": goldIRNPublic, "hub public": goldHubPublic,
		"ISR key text": goldISRText, "IRN key text": goldIRNText, "hub key text": goldHubText,
		"message 1": goldMsg1, "message 2": goldMsg2, "handshake hash": goldHandshakeHash,
		"key ISR->hub": goldKeyISRToHub, "key hub->ISR": goldKeyHubToISR,
		"welcome": goldWelcome, "ping": goldPing,
		"one-time public key": goldOTKPublic, "DH(ISR, IRN)": goldDHISRIRN, "tag key": goldTagKey,
		"tag": goldTag, "safety number": goldSafetyNumber,
		"sealed enc": goldSealedEnc, "sealed ct": goldSealedCT,
		"tag (base64)":          base64.StdEncoding.EncodeToString(tagByRule),
		"one-time key (base64)": base64.StdEncoding.EncodeToString(otkPub[:]),
		"welcome frame":         welcome,
	} {
		if !bytes.Contains(doc, []byte(v)) {
			t.Errorf("docs/PROTOCOL.md does not contain the %s:\n%s", name, v)
		}
	}
	protoCheckDocFrames(t, doc, isrPub, irnPub, irn, otk, otkPub[:], tagByRule)
}

// protoSafetyNumber is the document's rule for the safety number.
func protoSafetyNumber(a, b identity.Public) string {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	sum := sha256.Sum256(append(append([]byte("backchannel/1 safety number"), a[:]...), b[:]...))
	var groups []string
	for i := range 6 {
		var v uint64
		for _, c := range sum[5*i : 5*i+5] {
			v = v<<8 | uint64(c)
		}
		groups = append(groups, fmt.Sprintf("%05d", v%100000))
	}
	return strings.Join(groups, " ")
}

// protoCheckSealed opens a sealed message from ISR to IRN twice: with the
// package, and by the document's rules using crypto/hpke directly.
func protoCheckSealed(t *testing.T, from identity.Public, to *identity.Private, otk *identity.Private, enc, ct []byte, sent time.Time) {
	t.Helper()
	p, err := sealed.Open(to, from, protoOTKID, otk.Bytes(), enc, ct)
	if err != nil {
		t.Fatalf("the sealed example does not open: %v", err)
	}
	if p.Text != protoSealedText || !p.Sent.Equal(sent) {
		t.Errorf("the sealed example holds %q sent %v", p.Text, p.Sent)
	}
	// By the rules: HPKE base mode, info = label || from || to || kid.
	toPub := to.Public()
	info := append(append(append([]byte("backchannel/1 sealed"), from[:]...), toPub[:]...), protoOTKID...)
	sk, err := hpke.DHKEM(ecdh.X25519()).NewPrivateKey(otk.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	rcp, err := hpke.NewRecipient(enc, sk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), info)
	if err != nil {
		t.Fatal(err)
	}
	pt, err := rcp.Open(nil, ct)
	if err != nil {
		t.Fatalf("the sealed example does not open by the document's HPKE rules: %v", err)
	}
	var payload struct {
		Text string `json:"text"`
		Sent string `json:"sent"`
		MAC  []byte `json:"mac"`
	}
	d := json.NewDecoder(bytes.NewReader(pt))
	d.DisallowUnknownFields()
	if err := d.Decode(&payload); err != nil {
		t.Fatalf("sealed payload %s: %v", pt, err)
	}
	dh, _ := to.DH(from)
	lo, hi := from, toPub
	if bytes.Compare(lo[:], hi[:]) > 0 {
		lo, hi = hi, lo
	}
	mk, _ := hkdf.Key(sha256.New, dh, append(bytes.Clone(lo[:]), hi[:]...), "backchannel/1 sealed mac", 32)
	m := hmac.New(sha256.New, mk)
	for _, part := range []string{string(enc), protoOTKID, payload.Text, payload.Sent} {
		m.Write(binary.BigEndian.AppendUint64(nil, uint64(len(part))))
		m.Write([]byte(part))
	}
	if !hmac.Equal(m.Sum(nil), payload.MAC) {
		t.Errorf("the sealed example's MAC is not the document's rule")
	}
	if payload.Sent != protoSealedSent {
		t.Errorf("payload sent %q, want %q", payload.Sent, protoSealedSent)
	}
}

// protoCheckDocFrames decodes every ```json block of the document as a frame,
// and checks the sealed-mode values the frames carry.
func protoCheckDocFrames(t *testing.T, doc []byte, isrPub, irnPub identity.Public, irn, otk *identity.Private, otkPub, tag []byte) {
	t.Helper()
	types := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(doc))
	line, start := 0, 0
	var block *strings.Builder
	for sc.Scan() {
		line++
		l := sc.Text()
		switch {
		case block == nil && strings.TrimSpace(l) == "```json":
			block, start = &strings.Builder{}, line+1
		case block != nil && strings.TrimSpace(l) == "```":
			// A block holds one frame, or a request and its reply.
			var frames []*Frame
			d := json.NewDecoder(strings.NewReader(block.String()))
			for d.More() {
				var raw json.RawMessage
				if err := d.Decode(&raw); err != nil {
					t.Errorf("docs/PROTOCOL.md:%d: a json block is not JSON: %v", start, err)
					break
				}
				f, err := Decode(raw)
				if err != nil {
					t.Errorf("docs/PROTOCOL.md:%d: a json block holds something that is not a frame: %v", start, err)
					continue
				}
				frames = append(frames, f)
			}
			if len(frames) == 0 {
				t.Errorf("docs/PROTOCOL.md:%d: an empty json block", start)
			}
			block = nil
			for _, f := range frames {
				protoCheckDocFrame(t, start, f, types, isrPub, irnPub, irn, otk, otkPub, tag)
			}
		case block != nil:
			block.WriteString(l + "\n")
		}
	}
	for _, typ := range []string{TypePing, TypePong, TypeWelcome, TypeSend, TypeSealed, TypeDeliver, TypeAck,
		TypeDeposit, TypePeerKey, TypePropose, TypeAcknowledge, TypeWithdraw, TypeStatus, TypeOK, TypeError} {
		if types[typ] == 0 {
			t.Errorf("docs/PROTOCOL.md has no example of a %s frame", typ)
		}
	}
}

// protoCheckDocFrame counts one frame of the document and checks the
// sealed-mode values it carries.
func protoCheckDocFrame(t *testing.T, start int, f *Frame, types map[string]int, isrPub, irnPub identity.Public, irn, otk *identity.Private, otkPub, tag []byte) {
	t.Helper()
	types[f.Type]++
	for _, k := range f.Keys {
		if k.KID == protoOTKID && (!bytes.Equal(k.Pub, otkPub) || !bytes.Equal(k.Tags["ISR"], tag)) {
			t.Errorf("docs/PROTOCOL.md:%d: one-time key %s has the wrong pub or tag", start, k.KID)
		}
	}
	if pk := f.PeerKey; pk != nil && pk.KID == protoOTKID {
		if !bytes.Equal(pk.Pub, otkPub) || !bytes.Equal(pk.Tag, tag) || pk.Static != irnPub.String() {
			t.Errorf("docs/PROTOCOL.md:%d: peer_key has the wrong static, pub or tag", start)
		}
	}
	if f.Msg != nil && f.Msg.Sealed != nil {
		sent, _ := time.Parse(time.RFC3339, protoSealedSent)
		protoCheckSealed(t, isrPub, irn, otk, f.Msg.Sealed.Enc, f.Msg.Sealed.CT, sent)
	}
}

// protoMACKey is the document's sealed-mode MAC key of self and peer:
// HKDF-SHA256(DH(self, peer), salt = the two public keys in byte order, info).
func protoMACKey(t *testing.T, self *identity.Private, peer identity.Public) []byte {
	t.Helper()
	dh, err := self.DH(peer)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi := self.Public(), peer
	if bytes.Compare(lo[:], hi[:]) > 0 {
		lo, hi = hi, lo
	}
	k, err := hkdf.Key(sha256.New, dh, append(bytes.Clone(lo[:]), hi[:]...), "backchannel/1 sealed mac", 32)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// protoSealByRule seals text from one party to another by the document's rules,
// with crypto/hpke directly: what an implementation in another language does.
func protoSealByRule(t *testing.T, from, to identity.Public, macKey, otkPub []byte, kid, text string, sent time.Time) (enc, ct []byte) {
	t.Helper()
	pk, err := hpke.DHKEM(ecdh.X25519()).NewPublicKey(otkPub)
	if err != nil {
		t.Fatal(err)
	}
	info := append(append(append([]byte("backchannel/1 sealed"), from[:]...), to[:]...), kid...)
	enc, s, err := hpke.NewSender(pk, hpke.HKDFSHA256(), hpke.ChaCha20Poly1305(), info)
	if err != nil {
		t.Fatal(err)
	}
	when := sent.UTC().Format(time.RFC3339Nano)
	m := hmac.New(sha256.New, macKey)
	for _, part := range []string{string(enc), kid, text, when} {
		m.Write(binary.BigEndian.AppendUint64(nil, uint64(len(part))))
		m.Write([]byte(part))
	}
	pt, err := json.Marshal(map[string]any{"text": text, "sent": when, "mac": m.Sum(nil)})
	if err != nil {
		t.Fatal(err)
	}
	ct, err = s.Seal(nil, pt)
	if err != nil {
		t.Fatal(err)
	}
	return enc, ct
}

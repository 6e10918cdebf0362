package hub

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"backchannel/internal/localapi"
	"backchannel/internal/wire"
)

// silentHub dials the hub, runs hello (which writes something) and then
// reads with a deadline: the hub must send no byte at all, and close the
// connection or leave it silent.
func silentHub(t *testing.T, addr string, hello func(net.Conn) error) {
	t.Helper()
	silentHubWithin(t, addr, 3*time.Second, hello)
}

func silentHubWithin(t *testing.T, addr string, wait time.Duration, hello func(net.Conn) error) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	cc := &countingConn{Conn: nc}
	cc.SetDeadline(time.Now().Add(wait))
	herr := hello(cc)
	buf := make([]byte, 64)
	n, rerr := cc.Read(buf)
	if n != 0 || cc.n.Load() != 0 {
		t.Fatalf("the hub answered %d bytes (%x)", cc.n.Load(), buf[:n])
	}
	if !errors.Is(rerr, io.EOF) && !isTimeout(rerr) {
		t.Errorf("reading after the hello: %v; want EOF or a timeout", rerr)
	}
	t.Logf("hello: %v; then %v, 0 bytes", herr, rerr)
}

// TestUnenrolledGetsNoAnswer: to anyone not enrolled the hub's port behaves
// like a closed one.
func TestUnenrolledGetsNoAnswer(t *testing.T) {
	e := startEnv(t, envOpts{})
	t.Run("unknown key", func(t *testing.T) {
		silentHub(t, e.addr, func(c net.Conn) error {
			_, err := wire.Initiate(c, keyStranger, keyRUS.Public(), wire.Schedule{})
			if err == nil {
				t.Errorf("a handshake with an unenrolled key completed")
			}
			return err
		})
	})
	t.Run("enrolled key, wrong hub key", func(t *testing.T) {
		silentHub(t, e.addr, func(c net.Conn) error {
			_, err := wire.Initiate(c, keyISR, keyStranger.Public(), wire.Schedule{})
			if err == nil {
				t.Errorf("a handshake for another hub's key completed")
			}
			return err
		})
	})
	t.Run("the hub's own key", func(t *testing.T) {
		silentHub(t, e.addr, func(c net.Conn) error {
			_, err := wire.Initiate(c, keyRUS, keyRUS.Public(), wire.Schedule{})
			return err
		})
	})
	t.Run("garbage of the right size", func(t *testing.T) {
		silentHub(t, e.addr, func(c net.Conn) error {
			return wire.WriteMessage(c, make([]byte, wire.HandshakeSize))
		})
	})
	t.Run("empty message", func(t *testing.T) {
		silentHub(t, e.addr, func(c net.Conn) error {
			_, err := c.Write([]byte{0, 0})
			return err
		})
	})
	t.Run("http", func(t *testing.T) {
		// "GE" reads as a length of 18245: the hub waits for the rest.
		silentHubWithin(t, e.addr, 500*time.Millisecond, func(c net.Conn) error {
			_, err := c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
			return err
		})
	})
	t.Run("nothing", func(t *testing.T) {
		nc, err := net.Dial("tcp", e.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		nc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
		n, err := nc.Read(make([]byte, 16))
		if n != 0 || !isTimeout(err) {
			t.Errorf("a silent client read %d bytes, %v; want nothing until it speaks", n, err)
		}
	})
	if c := e.hub.Connected(); len(c) != 0 {
		t.Errorf("sessions open after refused handshakes: %v", c)
	}
}

// TestPartyConfinedToOwnMailbox: a party cannot acknowledge, fetch or address
// another party's mail, nor act as the mediator.
func TestPartyConfinedToOwnMailbox(t *testing.T) {
	e := startEnv(t, envOpts{})
	ctx := context.Background()
	// IRN is offline; the mediator has something waiting for it.
	forIRN, err := e.hub.Convey(ctx, localapi.SendRequest{To: codeIRN, Text: "for IRN only"})
	if err != nil {
		t.Fatal(err)
	}
	isr := mustDialRaw(t, e.addr, keyISR)
	if isr.welcome.You != codeISR || isr.welcome.Mediator != codeRUS || isr.welcome.Peers[codeIRN] != keyIRN.Public().String() {
		t.Fatalf("welcome %+v", isr.welcome)
	}
	// ISR's own message to the mediator, to try acknowledging too.
	if r := isr.request(&wire.Frame{Type: wire.TypeSend, Msg: &wire.Message{ID: "isr-1", Text: "hello mediator"}}); r.Type != wire.TypeOK || r.ID != "isr-1" {
		t.Fatalf("send: %+v", r)
	}

	t.Run("ack another's message", func(t *testing.T) {
		wantError(t, isr.request(&wire.Frame{Type: wire.TypeAck, ID: forIRN}), wire.CodeNotFound)
		wantError(t, isr.request(&wire.Frame{Type: wire.TypeAck, ID: "isr-1"}), wire.CodeNotFound) // it is the mediator's now
		if _, err := e.st.Get(ctx, codeIRN, forIRN); err != nil {
			t.Errorf("IRN's message is gone after ISR's ack: %v", err)
		}
		if _, err := e.st.Get(ctx, codeRUS, "isr-1"); err != nil {
			t.Errorf("the mediator's message is gone after ISR's ack: %v", err)
		}
	})
	t.Run("send to another party", func(t *testing.T) {
		wantError(t, isr.request(&wire.Frame{Type: wire.TypeSend, Msg: &wire.Message{ID: "isr-2", To: codeIRN, Text: "straight to you"}}), wire.CodeForbidden)
		if _, err := e.st.Get(ctx, codeIRN, "isr-2"); err == nil {
			t.Errorf("a send addressed to IRN reached IRN's mailbox")
		}
		// Sealed is for a party sharing a channel: not the mediator, not oneself.
		sealed := func(to string) *wire.Frame {
			return &wire.Frame{Type: wire.TypeSealed, Msg: &wire.Message{ID: "isr-3", To: to, Sealed: &wire.Sealed{KID: "k1", Enc: make([]byte, 32), CT: make([]byte, 40)}}}
		}
		wantError(t, isr.request(sealed(codeRUS)), wire.CodeForbidden)
		wantError(t, isr.request(sealed(codeISR)), wire.CodeForbidden)
		wantError(t, isr.request(sealed("USA")), wire.CodeForbidden)
		// A sealed frame carrying plaintext is refused.
		f := sealed(codeIRN)
		f.Msg.Text = "plaintext riding along"
		wantError(t, isr.request(f), wire.CodeBadFrame)
	})
	t.Run("act as the mediator", func(t *testing.T) {
		for name, m := range map[string]*wire.Message{
			"from":      {ID: "isr-4", From: codeRUS, Text: "from the mediator, honest"},
			"from self": {ID: "isr-5", From: codeISR, Text: "x"},
			"kind":      {ID: "isr-6", Kind: wire.KindConveyed, Text: "x"},
			"notice":    {ID: "isr-7", Kind: wire.KindNotice, Text: "x"},
			"sent":      {ID: "isr-8", Text: "x", Sent: new(time.Time)},
			"expires":   {ID: "isr-9", Text: "x", Expires: new(time.Time)},
			"assurance": {ID: "isr-10", Text: "x", Assurance: json.RawMessage(`{"id":"a"}`)},
		} {
			r := isr.request(&wire.Frame{Type: wire.TypeSend, Msg: m})
			if r.Type != wire.TypeError || r.Code != wire.CodeBadFrame {
				t.Errorf("%s: %+v; want bad_frame", name, r)
			}
		}
		// There is no frame to convey, or to deliver to someone: the types a
		// hub sends, and made-up ones, are refused.
		for _, text := range []string{
			`{"type":"convey","msg":{"id":"c1","to":"IRN","text":"x"}}`,
			`{"type":"fetch","id":"` + forIRN + `"}`,
			`{"type":"read","owner":"IRN"}`,
			`{"type":"list","peer":"IRN"}`,
			`{"type":"deliver","msg":{"id":"d1","to":"IRN","from":"RUS","kind":"conveyed","text":"x"}}`,
			`{"type":"welcome","welcome":{"you":"RUS","mediator":"RUS","max_ttl":1,"hub":"x"}}`,
			`{"type":"ok","id":"` + forIRN + `"}`,
			`{"type":"pong"}`,
			`{"type":"ack","id":"` + forIRN + `","owner":"IRN"}`,
		} {
			r := isr.requestJSON(text)
			if r.Type != wire.TypeError || r.Code != wire.CodeBadFrame && r.Code != wire.CodeForbidden {
				t.Errorf("%s: %+v; want bad_frame", text, r)
			}
		}
		if items, _ := e.hub.Inbox(ctx); len(items) != 1 {
			t.Errorf("the mediator's inbox holds %s; want ISR's one message", describeItems(items))
		}
		ms, err := e.st.List(ctx, codeIRN)
		if err != nil || len(ms) != 1 || ms[0].ID != forIRN || ms[0].From != codeRUS {
			t.Errorf("IRN's mailbox changed: %+v %v", ms, err)
		}
	})
	t.Run("status is one's own", func(t *testing.T) {
		// A status request naming another party still reports one's own.
		for _, text := range []string{`{"type":"status"}`, `{"type":"status","peer":"IRN"}`, `{"type":"status","id":"IRN"}`} {
			r := isr.requestJSON(text)
			var st map[string]any
			if r.Type != wire.TypeStatus || json.Unmarshal(r.Status, &st) != nil {
				t.Fatalf("%s: %+v", text, r)
			}
			if st["party"] != codeISR || st["queued_for_you"] != float64(0) {
				t.Errorf("%s: %v; want ISR's own mailbox (empty)", text, st)
			}
		}
	})
	// The session is still up after all the refusals.
	if r := isr.request(&wire.Frame{Type: wire.TypePing}); r.Type != wire.TypePong {
		t.Errorf("ping after refusals: %+v", r)
	}
	// IRN, when it connects, gets its message and nothing of ISR's.
	irn := mustDialRaw(t, e.addr, keyIRN)
	f, ok := irn.waitDeliver(10 * time.Second)
	if !ok || f.Msg.ID != forIRN {
		t.Fatalf("IRN's delivery: %+v", f)
	}
	if f2, ok := irn.waitDeliver(200 * time.Millisecond); ok {
		t.Errorf("IRN got a second delivery: %+v", f2.Msg)
	}
}

// TestRemovedPartyCutOff: removing a party from the enrollment file closes its
// session within about two seconds, and the hub no longer answers its key.
func TestRemovedPartyCutOff(t *testing.T) {
	e := startEnv(t, envOpts{})
	isr := mustDialRaw(t, e.addr, keyISR)
	irn := mustDialRaw(t, e.addr, keyIRN)
	eventually(t, 5*time.Second, "both sessions open", func() (bool, string) {
		return len(e.hub.Connected()) == 2, ""
	})

	m, err := LoadMembers(e.membersPath)
	if err != nil {
		t.Fatal(err)
	}
	delete(m.Parties, codeIRN)
	removed := time.Now()
	if err := m.Save(e.membersPath); err != nil {
		t.Fatal(err)
	}
	select {
	case <-irn.done:
		t.Logf("IRN's session closed %v after the removal (%v)", time.Since(removed).Round(time.Millisecond), irn.readErr)
	case <-time.After(2500 * time.Millisecond):
		t.Fatalf("IRN's session still open 2.5s after its removal")
	}
	if r := isr.request(&wire.Frame{Type: wire.TypePing}); r.Type != wire.TypePong {
		t.Errorf("ISR's session suffered from IRN's removal: %+v", r)
	}
	if _, err := dialRaw(t, e.addr, keyIRN); err == nil {
		t.Fatalf("a removed party connected again")
	}
	silentHub(t, e.addr, func(c net.Conn) error {
		_, err := wire.Initiate(c, keyIRN, keyRUS.Public(), wire.Schedule{})
		return err
	})
	// ISR is no longer introduced to IRN, and cannot seal to it.
	isr2 := mustDialRaw(t, e.addr, keyISR)
	if _, ok := isr2.welcome.Peers[codeIRN]; ok {
		t.Errorf("the welcome still introduces a removed party: %v", isr2.welcome.Peers)
	}
	wantError(t, isr2.request(&wire.Frame{Type: wire.TypePeerKey, Peer: codeIRN}), wire.CodeForbidden)

	// Re-enrolled under another key, the old key stays shut out.
	fresh := testKey("IRN re-keyed")
	m.Parties[codeIRN] = &Party{Code: codeIRN, Key: fresh.Public(), Channels: []string{"main"}}
	if err := m.Save(e.membersPath); err != nil {
		t.Fatal(err)
	}
	if _, err := dialRaw(t, e.addr, keyIRN); err == nil {
		t.Errorf("IRN's old key connected after IRN was re-keyed")
	}
	if rc, err := dialRaw(t, e.addr, fresh); err != nil || rc.welcome.You != codeIRN {
		t.Errorf("IRN's new key: %v", err)
	}
}

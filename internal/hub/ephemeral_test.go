package hub

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"backchannel/internal/identity"
	"backchannel/internal/localapi"
	"backchannel/internal/wire"
)

// secret is a byte string that must not be found, with the forms it could
// take when written out.
type secret struct {
	name  string
	forms map[string][]byte
}

func textSecret(name, s string) secret {
	return secret{name: name, forms: map[string][]byte{"text": []byte(s)}}
}

// keySecret is a key in every form it could be written in: raw, hex, and
// base64 (standard, as encoding/json writes []byte, and URL-safe, as
// identity's text form) at each of the three alignments it could have inside a
// longer encoded string.
func keySecret(name string, key []byte) secret {
	s := secret{name: name, forms: map[string][]byte{
		"raw":       key,
		"hex":       []byte(hex.EncodeToString(key)),
		"HEX":       []byte(strings.ToUpper(hex.EncodeToString(key))),
		"hex-colon": []byte(strings.ReplaceAll(fmt.Sprintf("% x", key), " ", ":")),
	}}
	for skip := 0; skip < 3; skip++ {
		for encName, enc := range map[string]*base64.Encoding{"base64": base64.RawStdEncoding, "base64url": base64.RawURLEncoding} {
			// Drop the first and last characters, which depend on the
			// neighbouring bytes.
			t := enc.EncodeToString(key[skip:])
			s.forms[fmt.Sprintf("%s+%d", encName, skip)] = []byte(t[1 : len(t)-2])
		}
	}
	return s
}

func identitySecret(name string, k *identity.Private) secret {
	s := keySecret(name, k.Bytes())
	s.forms["text"] = []byte(k.String())
	return s
}

// scanFor reports every secret found in data.
func scanFor(data []byte, secrets []secret) []string {
	var found []string
	for _, s := range secrets {
		for form, b := range s.forms {
			if bytes.Contains(data, b) {
				found = append(found, s.name+" ("+form+")")
			}
		}
	}
	return found
}

// scanTree scans every file under root except those named in skip.
func scanTree(t *testing.T, root string, skip map[string]bool, secrets []secret) (files int, found []string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || skip[d.Name()] {
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, f := range scanFor(data, secrets) {
			rel, _ := filepath.Rel(root, path)
			found = append(found, rel+": "+f)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, found
}

// TestNoTrailAfterRun sends canaries by every path, deletes and acknowledges
// some, stops everything, and scans every byte the hub, its store and the desks
// wrote, and every log line: no canary and no private key anywhere but in the
// key files.
func TestNoTrailAfterRun(t *testing.T) {
	e := startEnv(t, envOpts{otks: 3})
	isr, irn := e.startDesk(codeISR), e.startDesk(codeIRN)
	e.waitConnected(isr, irn)
	e.waitDeposited(codeIRN, 3)
	ctx := context.Background()
	api := e.hub.API()

	c := map[string]string{
		"text":              "CANARY-TEXT-7f3a01",
		"conveyed":          "CANARY-CONVEYED-7f3a02",
		"sealed":            "CANARY-SEALED-7f3a03",
		"assurance":         "CANARY-ASSURANCE-7f3a04",
		"assurance-conveyd": "CANARY-ASSURANCE-CONVEYED-7f3a05",
		"deleted":           "CANARY-DELETED-AT-HUB-7f3a06",
		"deleted-at-desk":   "CANARY-DELETED-AT-DESK-7f3a07",
		"withdrawn":         "CANARY-WITHDRAWN-7f3a08",
	}

	// Text, to the mediator; then quoted in a conveyance.
	var sent localapi.SendReply
	mustCall(t, isr.api, "POST", "/send", localapi.SendRequest{Text: "words " + c["text"]}, &sent)
	e.waitHubItem("ISR's text", func(it localapi.Item) bool { return it.ID == sent.ID })
	conv, err := e.hub.Convey(ctx, localapi.SendRequest{To: codeIRN, Text: "conveyed " + c["conveyed"], Quote: sent.ID})
	if err != nil {
		t.Fatal(err)
	}
	// Sealed.
	var sealedRep localapi.SendReply
	mustCall(t, isr.api, "POST", "/send", localapi.SendRequest{To: codeIRN, Text: "sealed " + c["sealed"], Sealed: true}, &sealedRep)
	// An assurance, proposed, conveyed, acknowledged (notices), and another
	// withdrawn (notices).
	mustCall(t, isr.api, "POST", "/propose", map[string]any{"assurance": assuranceJSON("a1", codeISR, codeIRN, c["assurance"])}, nil)
	mustCall(t, api, "POST", "/convey-assurance", localapi.IDRequest{ID: "a1", Text: c["assurance-conveyd"]}, nil)
	irn.waitItem("the assurance", func(it localapi.Item) bool { return it.ID == "assurance-a1" })
	mustCall(t, irn.api, "POST", "/acknowledge", localapi.IDRequest{ID: "a1"}, nil)
	mustCall(t, isr.api, "POST", "/propose", map[string]any{"assurance": assuranceJSON("a2", codeISR, codeIRN, c["withdrawn"])}, nil)
	mustCall(t, api, "POST", "/convey-assurance", localapi.IDRequest{ID: "a2"}, nil)
	irn.waitItem("the second assurance", func(it localapi.Item) bool { return it.ID == "assurance-a2" })
	mustCall(t, isr.api, "POST", "/withdraw", localapi.IDRequest{ID: "a2"}, nil)

	// Deleted at the hub by the mediator, and at a desk by its party.
	var del localapi.SendReply
	mustCall(t, irn.api, "POST", "/send", localapi.SendRequest{Text: c["deleted"]}, &del)
	e.waitHubItem("IRN's text", func(it localapi.Item) bool { return it.ID == del.ID })
	mustCall(t, api, "POST", "/delete", localapi.IDRequest{ID: del.ID}, nil)
	if _, err := e.st.Get(ctx, codeRUS, del.ID); err == nil {
		t.Errorf("the mediator's deleted message is still stored")
	}
	delAtDesk, err := e.hub.Convey(ctx, localapi.SendRequest{To: codeIRN, Text: c["deleted-at-desk"]})
	if err != nil {
		t.Fatal(err)
	}
	irn.waitItem("the message to delete", func(it localapi.Item) bool { return it.ID == delAtDesk })
	mustCall(t, irn.api, "POST", "/delete", localapi.IDRequest{ID: delAtDesk}, nil)

	// Everything arrived where it should.
	irn.waitItem("the conveyance", func(it localapi.Item) bool { return it.ID == conv })
	irn.waitItem("the sealed message", func(it localapi.Item) bool { return it.ID == sealedRep.ID && strings.Contains(it.Text, c["sealed"]) })
	irn.waitItem("the withdrawal notice", func(it localapi.Item) bool {
		return it.Kind == wire.KindNotice && strings.Contains(it.Text, "withdrew")
	})
	isr.waitItem("the acknowledgement notice", func(it localapi.Item) bool {
		return it.Kind == wire.KindNotice && strings.Contains(it.Text, "acknowledged")
	})
	eventually(t, 10*time.Second, "the parties' mailboxes emptied by acknowledgement", func() (bool, string) {
		a, _ := e.st.List(ctx, codeISR)
		b, _ := e.st.List(ctx, codeIRN)
		return len(a)+len(b) == 0, fmt.Sprintf("ISR %d, IRN %d", len(a), len(b))
	})
	if it, _ := e.hub.Inbox(ctx); len(it) == 0 {
		t.Errorf("the mediator's inbox is empty; the scan should also cover mail still pending")
	}

	e.stop()

	secrets := []secret{
		identitySecret("the hub's private key", keyRUS),
		identitySecret("ISR's private key", keyISR),
		identitySecret("IRN's private key", keyIRN),
		keySecret("the store's root key", storeRoot(t, keyRUS)),
	}
	for name, v := range c {
		secrets = append(secrets, textSecret("canary "+name, v))
	}

	// The scanner finds what is there: the key files hold their keys.
	for path, s := range map[string]secret{
		filepath.Join(e.hubDir, "hub.key"): secrets[0],
		filepath.Join(isr.dir, "desk.key"): secrets[1],
		filepath.Join(irn.dir, "desk.key"): secrets[2],
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if f := scanFor(data, []secret{s}); len(f) == 0 {
			t.Errorf("the scanner does not find %s in %s", s.name, path)
		}
	}

	skip := map[string]bool{"hub.key": true, "desk.key": true}
	total := 0
	for _, dir := range []string{e.hubDir, isr.dir, irn.dir} {
		n, found := scanTree(t, dir, skip, secrets)
		total += n
		for _, f := range found {
			t.Errorf("found on disk: %s/%s", dir, f)
		}
	}
	if total < 5 {
		t.Errorf("only %d files scanned; the harness is not writing where it should", total)
	}
	logs := e.logs.Bytes()
	if !bytes.Contains(logs, []byte("session open")) || !bytes.Contains(logs, []byte("component=store")) {
		t.Errorf("the captured logs lack the hub's or the store's lines (%d bytes)", len(logs))
	}
	for _, f := range scanFor(logs, secrets) {
		t.Errorf("found in the logs: %s", f)
	}
	t.Logf("scanned %d files and %d bytes of logs", total, len(logs))
}

// TestRegistryKeysOnDisk: the hub names registry entries after assurance ids
// ("asr.<id>"), and an assurance id is the party's own text, so the store must
// not write registry names in clear (internal/store/registry.go keeps them as
// HMACs, token by token).
func TestRegistryKeysOnDisk(t *testing.T) {
	e := startEnv(t, envOpts{})
	isr := e.startDesk(codeISR)
	e.waitConnected(isr)
	const id = "isr-secret-talks-7f3a09"
	mustCall(t, isr.api, "POST", "/propose", map[string]any{"assurance": assuranceJSON(id, codeISR, codeIRN, "x")}, nil)
	if en := e.entry(id); en.ID != id {
		t.Fatalf("registry entry %+v; want %s", en, id)
	}
	e.stop()
	n, found := scanTree(t, e.hubDir, map[string]bool{"hub.key": true}, []secret{textSecret("assurance id", id)})
	for _, f := range found {
		t.Errorf("the assurance id is in clear in the hub's directory: %s", f)
	}
	if n < 3 {
		t.Errorf("only %d files scanned; is the store writing under the hub's directory?", n)
	}
}

// TestExpiry: a message past its time to live is gone from the hub's mailbox
// before delivery, and from a desk's inbox after it; the desk's fake clock
// decides.
func TestExpiry(t *testing.T) {
	clock := newFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	e := startEnv(t, envOpts{clock: clock})
	ctx := context.Background()

	// At the hub: ISR is offline; its message expires unread.
	lost, err := e.hub.Convey(ctx, localapi.SendRequest{To: codeISR, Text: "too late", TTL: 60})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.hub.Convey(ctx, localapi.SendRequest{To: codeISR, Text: "too long", TTL: int64((8 * 24 * time.Hour).Seconds())}); err == nil {
		t.Errorf("a TTL over the hub's bound was accepted")
	}
	clock.Advance(61 * time.Second)
	if ms, err := e.st.List(ctx, codeISR); err != nil || len(ms) != 0 {
		t.Errorf("ISR's mailbox after expiry: %d messages, %v", len(ms), err)
	}
	if _, err := e.st.Get(ctx, codeISR, lost); err == nil {
		t.Errorf("an expired message is still readable")
	}

	// At a desk: delivered, then expired by the desk's clock.
	irn := e.startDesk(codeIRN)
	isr := e.startDesk(codeISR)
	e.waitConnected(irn, isr)
	short, err := e.hub.Convey(ctx, localapi.SendRequest{To: codeIRN, Text: "brief", TTL: 120})
	if err != nil {
		t.Fatal(err)
	}
	long, err := e.hub.Convey(ctx, localapi.SendRequest{To: codeIRN, Text: "lasting"})
	if err != nil {
		t.Fatal(err)
	}
	it := irn.waitItem("the short-lived message", func(it localapi.Item) bool { return it.ID == short })
	irn.waitItem("the long-lived message", func(it localapi.Item) bool { return it.ID == long })
	if want := clock.Now().Add(120 * time.Second); !it.Expires.Equal(want) {
		t.Errorf("expires %v; want %v", it.Expires, want)
	}
	clock.Advance(119 * time.Second)
	if status, _ := call(t, irn.api, "GET", "/read?id="+short, nil, nil); status != 200 {
		t.Errorf("read before expiry: %d", status)
	}
	clock.Advance(2 * time.Second)
	for _, x := range irn.inbox() {
		if x.ID == short {
			t.Errorf("an expired item is still in the inbox: %+v", x)
		}
	}
	if status, _ := call(t, irn.api, "GET", "/read?id="+short, nil, nil); status != 404 {
		t.Errorf("read after expiry: %d; want 404", status)
	}
	// A restarted desk does not bring it back, and keeps the other. (Wait
	// for the desk's one-time keys first: a desk still depositing when it is
	// stopped writes its state after Run returns; see the desk tests.)
	e.waitDeposited(codeIRN, e.opts.otks)
	irn = irn.restart()
	ids := []string{}
	for _, x := range irn.inbox() {
		ids = append(ids, x.ID)
	}
	if strings.Contains(strings.Join(ids, " "), short) || !strings.Contains(strings.Join(ids, " "), long) {
		t.Errorf("after restart the inbox holds %v; want %s and not %s", ids, long, short)
	}
	// ISR never received the message that expired at the hub.
	time.Sleep(100 * time.Millisecond)
	for _, x := range isr.inbox() {
		if x.ID == lost {
			t.Errorf("ISR received a message that had expired at the hub")
		}
	}
	// Past the default time to live, nothing is left.
	clock.Advance(73 * time.Hour)
	if items := irn.inbox(); len(items) != 0 {
		t.Errorf("after 73h the inbox holds %s", describeItems(items))
	}
}

package hub

// The integration harness: an embedded store in a temporary directory, a hub
// serving on 127.0.0.1:0, party desks in their own temporary directories, and a
// raw wire client for what a desk would never send. Every log line of the hub,
// the store and the desks goes into one buffer, which the ephemerality tests
// scan. Everything started here stops at cleanup, and TestMain checks with
// goleak that nothing is left running.

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"backchannel/internal/desk"
	"backchannel/internal/identity"
	"backchannel/internal/localapi"
	"backchannel/internal/store"
	"backchannel/internal/wire"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// Principals of every test: the mediator RUS and the parties ISR and IRN, with
// deterministic keys, and a key nobody enrolled.
const (
	codeRUS = "RUS"
	codeISR = "ISR"
	codeIRN = "IRN"
)

var (
	keyRUS      = testKey("RUS")
	keyISR      = testKey("ISR")
	keyIRN      = testKey("IRN")
	keyStranger = testKey("stranger")
)

func testKey(name string) *identity.Private {
	sum := sha256.Sum256([]byte("backchannel hub test key " + name))
	k, err := identity.FromBytes(sum[:])
	if err != nil {
		panic(err)
	}
	return k
}

func partyKey(code string) *identity.Private {
	switch code {
	case codeISR:
		return keyISR
	case codeIRN:
		return keyIRN
	}
	panic("no test key for " + code)
}

// storeRoot derives the store's root key from the hub's identity as
// cmd/backchannel/hub.go does.
func storeRoot(t testing.TB, k *identity.Private) []byte {
	t.Helper()
	root, err := hkdf.Key(sha256.New, k.Bytes(), nil, "backchannel/1 store root", 32)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// logBuf collects the log lines of every component.
type logBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuf) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}

func (l *logBuf) String() string { return string(l.Bytes()) }

func newLogger(w io.Writer, component string) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug})).With("component", component)
}

// fakeClock is a settable clock shared by the hub, its store and the desks.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock(t time.Time) *fakeClock { return &fakeClock{t: t} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// eventually polls cond every few milliseconds until it holds or timeout
// passes; cond returns whether it holds and, when not, what it saw.
func eventually(t testing.TB, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last string
	for {
		ok, seen := cond()
		if ok {
			return
		}
		last = seen
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s; last seen: %s", timeout, what, last)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// envOpts configures a test environment.
type envOpts struct {
	clock *fakeClock // shared by hub, store and desks; nil means the real clock
	otks  int        // one-time keys each desk keeps deposited (default 4)
	// redeliver is the store's Options.Redeliver (default the store's).
	redeliver time.Duration
	// parties to enroll (default ISR and IRN on channel main).
	parties []string
	// inFlight is the hub's Config.InFlight (default the hub's).
	inFlight int
	// wrapStore, if set, is given the store and returns what the hub uses.
	wrapStore func(*store.Store) Store
}

// testEnv is one hub with its store and the desks started on it.
type testEnv struct {
	t     *testing.T
	opts  envOpts
	logs  *logBuf
	clock *fakeClock

	hubDir      string
	membersPath string
	st          *store.Store
	hub         *Hub
	addr        string

	hubCancel context.CancelFunc
	hubDone   chan error
	stopOnce  sync.Once

	mu    sync.Mutex
	desks map[string]*testDesk
}

func (e *testEnv) now() time.Time {
	if e.clock != nil {
		return e.clock.Now()
	}
	return time.Now()
}

// startEnv writes a hub directory (hub.key, members.yaml, data/) as `hub init`
// and `hub enroll` would, opens the embedded store, and serves the hub on a
// loopback port. It stops at cleanup.
func startEnv(t *testing.T, o envOpts) *testEnv {
	t.Helper()
	if o.otks == 0 {
		o.otks = 4
	}
	if o.parties == nil {
		o.parties = []string{codeISR, codeIRN}
	}
	e := &testEnv{t: t, opts: o, logs: &logBuf{}, clock: o.clock, hubDir: t.TempDir(), desks: map[string]*testDesk{}}
	if err := identity.Save(filepath.Join(e.hubDir, "hub.key"), keyRUS, "hub of mediator RUS", e.now()); err != nil {
		t.Fatal(err)
	}
	e.membersPath = filepath.Join(e.hubDir, "members.yaml")
	m := &Members{Mediator: codeRUS, Parties: map[string]*Party{}}
	for _, c := range o.parties {
		m.Parties[c] = &Party{Code: c, Key: partyKey(c).Public(), Channels: []string{"main"}}
	}
	if err := m.Save(e.membersPath); err != nil {
		t.Fatal(err)
	}

	root := storeRoot(t, keyRUS)
	so := store.Options{Dir: filepath.Join(e.hubDir, "data"), RootKey: root, Logger: newLogger(e.logs, "store"), Redeliver: o.redeliver}
	if e.clock != nil {
		so.Now = e.clock.Now
	}
	st, err := store.Open(context.Background(), so)
	clear(root)
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	e.st = st
	cfg := Config{Key: keyRUS, MembersPath: e.membersPath, Store: st, Logger: newLogger(e.logs, "hub"), Version: "test", InFlight: o.inFlight}
	if o.wrapStore != nil {
		cfg.Store = o.wrapStore(st)
	}
	if e.clock != nil {
		cfg.Now = e.clock.Now
	}
	h, err := New(cfg)
	if err != nil {
		st.Close()
		t.Fatalf("hub.New: %v", err)
	}
	e.hub = h
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		st.Close()
		t.Fatal(err)
	}
	e.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	e.hubCancel, e.hubDone = cancel, make(chan error, 1)
	go func() { e.hubDone <- h.Serve(ctx, ln) }()
	t.Cleanup(e.stop)
	return e
}

// stop stops every desk, then the hub, then closes the store. It waits for
// each to return.
func (e *testEnv) stop() {
	e.stopOnce.Do(func() {
		e.mu.Lock()
		ds := make([]*testDesk, 0, len(e.desks))
		for _, d := range e.desks {
			ds = append(ds, d)
		}
		e.mu.Unlock()
		for _, d := range ds {
			d.stop()
		}
		e.hubCancel()
		select {
		case err := <-e.hubDone:
			if err != nil {
				e.t.Errorf("Serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			e.t.Errorf("Serve did not return within 15s of its context ending")
		}
		if err := e.st.Close(); err != nil {
			e.t.Errorf("store Close: %v", err)
		}
	})
}

// testDesk is a party's desk running against the env's hub.
type testDesk struct {
	e    *testEnv
	code string
	key  *identity.Private
	dir  string
	d    *desk.Desk
	api  http.Handler

	cancel context.CancelFunc
	done   chan struct{}
	once   *sync.Once
}

// startDesk sets up a desk directory (desk.key, as `desk init` writes it) and
// runs a desk in it.
func (e *testEnv) startDesk(code string) *testDesk {
	e.t.Helper()
	key := partyKey(code)
	dir := e.t.TempDir()
	if err := identity.Save(filepath.Join(dir, "desk.key"), key, "desk", e.now()); err != nil {
		e.t.Fatal(err)
	}
	return e.runDesk(code, key, dir)
}

// runDesk runs a desk (a new desk.New) on an existing directory.
func (e *testEnv) runDesk(code string, key *identity.Private, dir string) *testDesk {
	e.t.Helper()
	cfg := desk.Config{
		Dir: dir, Key: key, HubAddr: e.addr, HubKey: keyRUS.Public(),
		Logger:     newLogger(e.logs, "desk-"+code),
		MinBackoff: 20 * time.Millisecond, MaxBackoff: 200 * time.Millisecond,
		OneTimeKeys: e.opts.otks,
	}
	if e.clock != nil {
		cfg.Now = e.clock.Now
	}
	d, err := desk.New(cfg)
	if err != nil {
		e.t.Fatalf("desk.New(%s): %v", code, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	td := &testDesk{e: e, code: code, key: key, dir: dir, d: d, api: d.API(), cancel: cancel, done: make(chan struct{}), once: &sync.Once{}}
	go func() {
		defer close(td.done)
		if err := d.Run(ctx); err != nil {
			e.t.Errorf("desk %s Run: %v", code, err)
		}
	}()
	e.mu.Lock()
	e.desks[code] = td
	e.mu.Unlock()
	return td
}

// stop stops the desk and waits for Run to return, then for the hub to
// close its side of the session. (Until it has, the session's mailbox
// subscription is live: a message it takes then goes to a closing session and
// waits for the store's redelivery, 30s by default, before the next session
// gets it.)
func (td *testDesk) stop() {
	td.once.Do(func() {
		td.cancel()
		select {
		case <-td.done:
		case <-time.After(10 * time.Second):
			td.e.t.Errorf("desk %s: Run did not return within 10s of its context ending", td.code)
			return
		}
		deadline := time.Now().Add(5 * time.Second)
		for slices.Contains(td.e.hub.Connected(), td.code) {
			if time.Now().After(deadline) {
				td.e.t.Errorf("the hub kept %s's session 5s after its desk stopped", td.code)
				return
			}
			time.Sleep(5 * time.Millisecond)
		}
	})
}

// restart stops the desk and runs a new one on the same directory.
func (td *testDesk) restart() *testDesk {
	td.e.t.Helper()
	td.stop()
	return td.e.runDesk(td.code, td.key, td.dir)
}

// waitConnected waits until the hub has a session with each code and each
// desk says it is connected.
func (e *testEnv) waitConnected(ds ...*testDesk) {
	e.t.Helper()
	for _, d := range ds {
		eventually(e.t, 10*time.Second, d.code+" connected", func() (bool, string) {
			conn := e.hub.Connected()
			st := d.d.Status(context.Background())
			return slices.Contains(conn, d.code) && st.Connected && st.Me == d.code, fmt.Sprintf("hub sessions %v, desk %+v", conn, st)
		})
	}
}

// waitDeposited waits until the hub holds n one-time keys of code.
func (e *testEnv) waitDeposited(code string, n int) {
	e.t.Helper()
	eventually(e.t, 10*time.Second, fmt.Sprintf("%d one-time keys of %s at the hub", n, code), func() (bool, string) {
		got := e.otkCount(code)
		return got == n, fmt.Sprint(got)
	})
}

func (e *testEnv) otkCount(code string) int {
	have, err := e.st.RegistryList(context.Background(), otkPrefix(code))
	if err != nil {
		e.t.Fatalf("RegistryList: %v", err)
	}
	return len(have)
}

// call makes a request to a local API handler (a desk's or the hub's) and
// decodes a 200 answer into out. It returns the status and, for any other
// status, the API's error.
func call(t testing.TB, h http.Handler, method, path string, in, out any) (int, *localapi.Error) {
	t.Helper()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req := httptest.NewRequest(method, path, body)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		e := &localapi.Error{Status: rec.Code}
		if err := json.Unmarshal(rec.Body.Bytes(), e); err != nil {
			t.Fatalf("%s %s: status %d with an undecodable body %q", method, path, rec.Code, rec.Body.String())
		}
		return rec.Code, e
	}
	if out != nil {
		if err := json.Unmarshal(rec.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: %v in %q", method, path, err, rec.Body.String())
		}
	}
	return rec.Code, nil
}

// mustCall is call that fails the test on any status but 200.
func mustCall(t testing.TB, h http.Handler, method, path string, in, out any) {
	t.Helper()
	if status, e := call(t, h, method, path, in, out); e != nil {
		t.Fatalf("%s %s: %d %s: %s", method, path, status, e.Code, e.Msg)
	}
}

// inbox returns the desk's inbox as its API shows it.
func (td *testDesk) inbox() []localapi.Item {
	td.e.t.Helper()
	var items []localapi.Item
	mustCall(td.e.t, td.api, "GET", "/inbox", nil, &items)
	return items
}

// waitItem waits until the desk's inbox has an item matching match.
func (td *testDesk) waitItem(what string, match func(localapi.Item) bool) localapi.Item {
	td.e.t.Helper()
	var found localapi.Item
	eventually(td.e.t, 10*time.Second, td.code+"'s inbox has "+what, func() (bool, string) {
		items := td.inbox()
		for _, it := range items {
			if match(it) {
				found = it
				return true, ""
			}
		}
		return false, describeItems(items)
	})
	return found
}

// waitHubItem waits until the mediator's inbox has an item matching match.
func (e *testEnv) waitHubItem(what string, match func(localapi.Item) bool) localapi.Item {
	e.t.Helper()
	var found localapi.Item
	eventually(e.t, 10*time.Second, "the mediator's inbox has "+what, func() (bool, string) {
		items, err := e.hub.Inbox(context.Background())
		if err != nil {
			return false, err.Error()
		}
		for _, it := range items {
			if match(it) {
				found = it
				return true, ""
			}
		}
		return false, describeItems(items)
	})
	return found
}

func describeItems(items []localapi.Item) string {
	var b strings.Builder
	b.WriteString("[")
	for i, it := range items {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s from %s kind %s: %.80q", it.ID, it.From, it.Kind, it.Text)
	}
	b.WriteString("]")
	return b.String()
}

// entry returns the registry's entry id as the mediator's API shows it.
func (e *testEnv) entry(id string) *Entry {
	e.t.Helper()
	var all []*Entry
	mustCall(e.t, e.hub.API(), "GET", "/assurances", nil, &all)
	for _, en := range all {
		if en.ID == id {
			return en
		}
	}
	e.t.Fatalf("no assurance %s in the registry", id)
	return nil
}

// rawClient is a party's session with no desk behind it: it sends what a test
// asks, and records every frame the hub sends.
type rawClient struct {
	t       testing.TB
	nc      net.Conn
	c       *wire.Conn
	welcome *wire.Welcome

	next     atomic.Uint64
	mu       sync.Mutex
	pending  map[uint64]chan *wire.Frame
	received [][]byte // every frame from the hub, in order, welcome included
	delivers chan *wire.Frame

	done    chan struct{}
	readErr error
}

// dialRaw opens a session with the hub as the holder of key, and reads the
// welcome. It fails (without failing the test) when the hub does not answer.
func dialRaw(t testing.TB, addr string, key *identity.Private) (*rawClient, error) {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, err := wire.Client(ctx, nc, key, keyRUS.Public(), wire.Schedule{})
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetReadDeadline(time.Now().Add(5 * time.Second))
	b, err := c.ReadFrame()
	nc.SetReadDeadline(time.Time{})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("reading the welcome: %w", err)
	}
	f, err := wire.Decode(b)
	if err != nil || f.Type != wire.TypeWelcome || f.Welcome == nil {
		nc.Close()
		return nil, fmt.Errorf("first frame %s is not a welcome (%v)", b, err)
	}
	rc := &rawClient{t: t, nc: nc, c: c, welcome: f.Welcome, pending: map[uint64]chan *wire.Frame{},
		received: [][]byte{bytes.Clone(b)}, delivers: make(chan *wire.Frame, 256), done: make(chan struct{})}
	go rc.readLoop()
	t.Cleanup(rc.close)
	return rc, nil
}

func mustDialRaw(t testing.TB, addr string, key *identity.Private) *rawClient {
	t.Helper()
	rc, err := dialRaw(t, addr, key)
	if err != nil {
		t.Fatalf("raw session: %v", err)
	}
	return rc
}

func (rc *rawClient) readLoop() {
	defer close(rc.done)
	for {
		b, err := rc.c.ReadFrame()
		if err != nil {
			rc.readErr = err
			rc.mu.Lock()
			for k, ch := range rc.pending {
				close(ch)
				delete(rc.pending, k)
			}
			rc.mu.Unlock()
			return
		}
		f, err := wire.Decode(b)
		rc.mu.Lock()
		rc.received = append(rc.received, bytes.Clone(b))
		var ch chan *wire.Frame
		if err == nil && f.Type != wire.TypeDeliver {
			ch = rc.pending[f.Req]
			delete(rc.pending, f.Req)
		}
		rc.mu.Unlock()
		switch {
		case err != nil:
			rc.t.Errorf("a frame from the hub does not decode: %v: %s", err, b)
		case f.Type == wire.TypeDeliver:
			select {
			case rc.delivers <- f:
			default:
				rc.t.Errorf("raw client: too many deliveries unread")
			}
		case ch != nil:
			ch <- f
		}
	}
}

func (rc *rawClient) close() {
	rc.nc.Close()
	<-rc.done
}

// frames returns every frame received so far.
func (rc *rawClient) frames() [][]byte {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.received)
}

// roundTrip sends raw frame text that carries request number req and
// waits for the reply with that number.
func (rc *rawClient) roundTrip(req uint64, frame []byte) *wire.Frame {
	rc.t.Helper()
	ch := make(chan *wire.Frame, 1)
	rc.mu.Lock()
	rc.pending[req] = ch
	rc.mu.Unlock()
	if err := rc.c.WriteFrame(frame); err != nil {
		rc.t.Fatalf("writing a frame: %v", err)
	}
	select {
	case f, ok := <-ch:
		if !ok {
			rc.t.Fatalf("the session ended before the reply to req %d (%v)", req, rc.readErr)
		}
		return f
	case <-time.After(10 * time.Second):
		rc.t.Fatalf("no reply to req %d within 10s", req)
	}
	return nil
}

// request sends f with a fresh request number and returns the reply.
func (rc *rawClient) request(f *wire.Frame) *wire.Frame {
	rc.t.Helper()
	f.Req = rc.next.Add(1)
	b, err := wire.Encode(f)
	if err != nil {
		rc.t.Fatal(err)
	}
	return rc.roundTrip(f.Req, b)
}

// requestJSON sends a frame given as JSON text with "req" left out; it adds a
// fresh request number.
func (rc *rawClient) requestJSON(text string) *wire.Frame {
	rc.t.Helper()
	req := rc.next.Add(1)
	var m map[string]any
	if err := json.Unmarshal([]byte(text), &m); err != nil {
		rc.t.Fatalf("bad test frame %s: %v", text, err)
	}
	m["req"] = req
	b, err := json.Marshal(m)
	if err != nil {
		rc.t.Fatal(err)
	}
	return rc.roundTrip(req, b)
}

// waitDeliver waits for the next delivery.
func (rc *rawClient) waitDeliver(timeout time.Duration) (*wire.Frame, bool) {
	select {
	case f := <-rc.delivers:
		return f, true
	case <-time.After(timeout):
		return nil, false
	}
}

// wantError checks that a reply is an error with code.
func wantError(t testing.TB, f *wire.Frame, code string) {
	t.Helper()
	if f == nil || f.Type != wire.TypeError || f.Code != code {
		t.Fatalf("reply %+v; want an error with code %q", f, code)
	}
}

// countingConn counts the bytes read from a connection.
type countingConn struct {
	net.Conn
	n atomic.Int64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// isTimeout reports a deadline error.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// assuranceJSON is ISR's no-first-strike assurance to IRN, with id and text.
func assuranceJSON(id, issuer, beneficiary, text string) map[string]any {
	a := map[string]any{
		"id":          id,
		"beneficiary": beneficiary,
		"text":        text,
		"refrain":     []any{map[string]any{"source": issuer, "target": beneficiary, "roots": []string{"18", "19", "20"}}},
		"unless":      []any{map[string]any{"source": beneficiary, "target": issuer, "roots": []string{"18", "19", "20"}}},
	}
	return a
}

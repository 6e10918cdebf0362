package hub_test

import (
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"backchannel/internal/hub"
	"backchannel/internal/identity"
	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// The interoperability test drives a real hub with an independent Noise
// implementation: interop/noisec/client.mjs, which uses noise-c (rweather's C
// library) compiled to WebAssembly. It needs node and the npm dependency:
//
//	npm ci --prefix interop/noisec
const interopHint = "the test command must run `npm ci --prefix interop/noisec` (from the module root) first, with node on PATH"

// interopDir is the client's directory, relative to this package's directory.
const interopDir = "../../interop/noisec"

// interopKey makes a deterministic identity from a label.
func interopKey(t *testing.T, label string) *identity.Private {
	t.Helper()
	b := sha256.Sum256([]byte("backchannel interop test key: " + label))
	k, err := identity.FromBytes(b[:])
	if err != nil {
		t.Fatalf("identity.FromBytes(%s): %v", label, err)
	}
	return k
}

// interopNode returns the node binary and the client's absolute path, or skips
// (fails under CI=true) when either node or the npm dependency is missing.
func interopNode(t *testing.T) (node, client string) {
	t.Helper()
	missing := func(what string) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf("interop: %s; %s", what, interopHint)
		}
		t.Skipf("interop: %s; %s", what, interopHint)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not on PATH")
	}
	dir, err := filepath.Abs(interopDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@richardhopton", "noise-c.wasm", "package.json")); err != nil {
		missing(filepath.Join(interopDir, "node_modules") + " is missing")
	}
	return node, filepath.Join(dir, "client.mjs")
}

// interopCountingListener counts the bytes the hub writes on every accepted
// connection.
type interopCountingListener struct {
	net.Listener
	written  atomic.Int64
	accepted atomic.Int64
}

func (l *interopCountingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.accepted.Add(1)
	return &interopCountingConn{Conn: c, n: &l.written}, nil
}

type interopCountingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c *interopCountingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// interopLog collects the hub's log, shown only when the test fails.
type interopLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *interopLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *interopLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// interopHub runs a hub of mediator RUS with party ISR enrolled, wired as
// cmd/backchannel's runHub does, on 127.0.0.1:0.
func interopHub(t *testing.T, key *identity.Private, isr identity.Public) *interopCountingListener {
	t.Helper()
	dir := t.TempDir()
	logs := &interopLog{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("hub log:\n%s", logs)
		}
	})

	root, err := hkdf.Key(sha256.New, key.Bytes(), nil, "backchannel/1 store root", 32)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := store.Open(ctx, store.Options{Dir: filepath.Join(dir, "data"), RootKey: root, Logger: log.With("component", "store")})
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	t.Cleanup(func() {
		if err := st.Close(); err != nil {
			t.Errorf("store Close: %v", err)
		}
	})

	members := filepath.Join(dir, "members.yaml")
	m := &hub.Members{Mediator: "RUS", Parties: map[string]*hub.Party{
		"ISR": {Code: "ISR", Key: isr, Channels: []string{"main"}},
	}}
	if err := m.Save(members); err != nil {
		t.Fatal(err)
	}
	h, err := hub.New(hub.Config{Key: key, MembersPath: members, Store: st, Logger: log, Version: "backchannel interop-test"})
	if err != nil {
		t.Fatalf("hub.New: %v", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	cl := &interopCountingListener{Listener: ln}
	sctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- h.Serve(sctx, cl) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return within 10s of cancellation")
		}
	})
	return cl
}

// interopTrickle starts a relay to addr that forwards every byte in its own
// write, and returns the relay's address. It stops at the test's cleanup.
func interopTrickle(t *testing.T, addr string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	relay := func(dst, src net.Conn) {
		defer wg.Done()
		defer dst.Close()
		defer src.Close()
		b := make([]byte, 1)
		for {
			if _, err := src.Read(b); err != nil {
				return
			}
			if _, err := dst.Write(b); err != nil {
				return
			}
		}
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			wg.Add(2)
			go relay(h, c)
			go relay(c, h)
		}
	}()
	return ln.Addr().String()
}

// interopRun runs the noise-c client against addr and returns its stdout,
// stderr and exit error.
func interopRun(t *testing.T, node, client, addr string, local *identity.Private, hubKey identity.Public, timeout time.Duration) (stdout, stderr string, err error) {
	t.Helper()
	host, port, serr := net.SplitHostPort(addr)
	if serr != nil {
		t.Fatal(serr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, client, host, port)
	cmd.Dir = filepath.Dir(client)
	cmd.Env = append(os.Environ(),
		"BC_PRIVATE="+hex.EncodeToString(local.Bytes()),
		"BC_HUB_PUBLIC="+hex.EncodeToString(hubKey[:]),
		"BC_TIMEOUT_MS="+strconv.FormatInt(timeout.Milliseconds(), 10),
	)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("client did not finish in %v (stderr: %s)", timeout+30*time.Second, errb.String())
	}
	return out.String(), errb.String(), err
}

func TestInteropNoiseC(t *testing.T) {
	node, client := interopNode(t)
	hubKey := interopKey(t, "hub RUS")
	isr := interopKey(t, "party ISR")
	ln := interopHub(t, hubKey, isr.Public())
	addr := ln.Addr().String()

	enrolled := func(t *testing.T, target string) {
		stdout, stderr, err := interopRun(t, node, client, target, isr, hubKey.Public(), 20*time.Second)
		if err != nil {
			t.Fatalf("client failed: %v\nstderr: %s\nstdout: %s", err, stderr, stdout)
		}
		t.Logf("client output: %s", strings.TrimSpace(stdout))
		lines := strings.Split(strings.TrimRight(stdout, "\n"), "\n")
		if len(lines) != 1 {
			t.Fatalf("client printed %d lines, want exactly 1:\n%s", len(lines), stdout)
		}
		var got struct {
			Welcome *wire.Welcome   `json:"welcome"`
			Reply   json.RawMessage `json:"reply"`
		}
		d := json.NewDecoder(strings.NewReader(lines[0]))
		d.DisallowUnknownFields()
		if err := d.Decode(&got); err != nil {
			t.Fatalf("client output %q: %v", lines[0], err)
		}
		if got.Welcome == nil {
			t.Fatalf("no welcome in %s", lines[0])
		}
		if got.Welcome.You != "ISR" || got.Welcome.Mediator != "RUS" {
			t.Errorf("welcome you=%q mediator=%q, want you=ISR mediator=RUS (%s)", got.Welcome.You, got.Welcome.Mediator, lines[0])
		}
		if got.Welcome.Hub != "backchannel interop-test" {
			t.Errorf("welcome hub=%q, want the configured version", got.Welcome.Hub)
		}
		var reply map[string]any
		if err := json.Unmarshal(got.Reply, &reply); err != nil {
			t.Fatalf("reply %s: %v", got.Reply, err)
		}
		if want := map[string]any{"type": "pong", "req": float64(1)}; !reflect.DeepEqual(reply, want) {
			t.Errorf("reply = %s, want {\"type\":\"pong\",\"req\":1}", got.Reply)
		}
		if ln.written.Load() == 0 {
			t.Errorf("the hub wrote nothing, yet the client completed")
		}
	}
	t.Run("enrolled", func(t *testing.T) { enrolled(t, addr) })
	// The same through a relay that forwards one byte per write each way, so
	// the client's stream handling sees messages in many small chunks.
	t.Run("enrolled_fragmented", func(t *testing.T) { enrolled(t, interopTrickle(t, addr)) })

	t.Run("unenrolled", func(t *testing.T) {
		stranger := interopKey(t, "stranger")
		before, accepted := ln.written.Load(), ln.accepted.Load()
		stdout, stderr, err := interopRun(t, node, client, addr, stranger, hubKey.Public(), 1500*time.Millisecond)
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() == 0 {
			t.Fatalf("client with an unenrolled key: err=%v, want a non-zero exit\nstdout: %s\nstderr: %s", err, stdout, stderr)
		}
		if stdout != "" {
			t.Errorf("client printed %q to stdout, want nothing", stdout)
		}
		if !strings.Contains(stderr, "EOF") && !strings.Contains(stderr, "timeout") {
			t.Errorf("client stderr %q mentions neither EOF nor timeout", stderr)
		}
		if ln.accepted.Load() != accepted+1 {
			t.Errorf("hub accepted %d connections, want 1", ln.accepted.Load()-accepted)
		}
		if n := ln.written.Load() - before; n != 0 {
			t.Errorf("the hub wrote %d bytes to an unenrolled key, want 0", n)
		}
		t.Logf("client stderr: %s", strings.TrimSpace(stderr))
	})
}

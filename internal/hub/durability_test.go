package hub_test

// The kill -9 test: the test binary re-executes itself as a real hub process
// (TestDurHubProcess, which does nothing unless BC_DUR_HUB=1), loads it with
// pipelined sends from ISR and with deliveries to IRN, SIGKILLs it at random
// moments, restarts it on the same directory, and finally opens the store
// itself to check that every accepted message is there exactly once and that
// every acknowledged delivery is gone.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"backchannel/internal/hub"
	"backchannel/internal/identity"
	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// Environment of the child hub process.
const (
	durEnvChild     = "BC_DUR_HUB"       // "1" makes TestDurHubProcess run a hub
	durEnvDir       = "BC_DUR_DIR"       // hub directory: hub.key, members.yaml, data/
	durEnvAddr      = "BC_DUR_ADDR"      // 127.0.0.1:PORT to listen on
	durEnvRedeliver = "BC_DUR_REDELIVER" // store.Options.Redeliver (a Go duration); empty: the store's default
)

// Shape of the run.
const (
	durKills     = 5    // SIGKILLs during load
	durWindow    = 50   // ISR's requests in flight
	durQueued    = 3000 // messages queued for IRN before the first start
	durRedeliver = "1s" // how soon the restarted hub re-offers a delivery cut short by the kill
)

// durRoot derives the store's root key from the hub's key as runHub does.
func durRoot(k *identity.Private) ([]byte, error) {
	return hkdf.Key(sha256.New, k.Bytes(), nil, "backchannel/1 store root", 32)
}

// durStoreOptions are the store options of the child hub, and of the parent
// when it opens the same directory before the first start and after the last
// kill.
func durStoreOptions(dir string, root []byte, redeliver time.Duration) store.Options {
	return store.Options{Dir: filepath.Join(dir, "data"), RootKey: root, Redeliver: redeliver}
}

// TestDurHubProcess is the child: a hub as runHub wires it, on the directory
// and address its parent chose. It prints "ready" once it listens, and runs
// until it is killed or its stdin closes (the parent died).
func TestDurHubProcess(t *testing.T) {
	if os.Getenv(durEnvChild) != "1" {
		return
	}
	os.Exit(durHubMain())
}

func durHubMain() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "child hub:", err)
		return 1
	}
	dir, addr := os.Getenv(durEnvDir), os.Getenv(durEnvAddr)
	var redeliver time.Duration
	if s := os.Getenv(durEnvRedeliver); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fail(err)
		}
		redeliver = d
	}
	key, err := identity.Load(filepath.Join(dir, "hub.key"))
	if err != nil {
		return fail(err)
	}
	root, err := durRoot(key)
	if err != nil {
		return fail(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	so := durStoreOptions(dir, root, redeliver)
	so.Logger = log.With("component", "store")
	st, err := store.Open(ctx, so)
	clear(root)
	if err != nil {
		return fail(err)
	}
	defer st.Close()
	h, err := hub.New(hub.Config{Key: key, MembersPath: filepath.Join(dir, "members.yaml"), Store: st, Logger: log, Version: "durability-child"})
	if err != nil {
		return fail(err)
	}
	// The previous hub on this port was just killed; its port may take a
	// moment to come free.
	var ln net.Listener
	for i := 0; ; i++ {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		if i == 100 {
			return fail(err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	done := make(chan error, 1)
	go func() { done <- h.Serve(ctx, ln) }()
	fmt.Fprintln(os.Stdout, "ready")
	go func() {
		io.Copy(io.Discard, os.Stdin) // returns when the parent goes away
		cancel()
	}()
	if err := <-done; err != nil {
		return fail(err)
	}
	return 0
}

// durChild is one run of the child hub.
type durChild struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *durBuf
	exited chan struct{}
}

// durBuf is a goroutine-safe buffer for the child's stderr.
type durBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *durBuf) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *durBuf) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// durStartHub starts the child and waits until it listens. The child is
// killed at cleanup if the test has not killed it already.
func durStartHub(t *testing.T, dir, addr string) *durChild {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurHubProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), durEnvChild+"=1", durEnvDir+"="+dir, durEnvAddr+"="+addr, durEnvRedeliver+"="+durRedeliver)
	c := &durChild{cmd: cmd, stderr: &durBuf{}, exited: make(chan struct{})}
	cmd.Stderr = c.stderr
	var err error
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		r := bufio.NewReader(stdout)
		ok := false
		for {
			line, err := r.ReadString('\n')
			if strings.TrimSpace(line) == "ready" && !ok {
				ok = true
				ready <- true
			}
			if err != nil {
				break
			}
		}
		if !ok {
			ready <- false
		}
		cmd.Wait()
		close(c.exited)
	}()
	t.Cleanup(func() { c.kill(t) })
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("child hub exited before it was ready:\n%s", c.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("child hub not ready after 30s:\n%s", c.stderr)
	}
	return c
}

// kill SIGKILLs the child and waits for it to be gone. Killing it again is
// harmless.
func (c *durChild) kill(t *testing.T) {
	select {
	case <-c.exited:
		return
	default:
	}
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SIGKILL: %v", err)
	}
	<-c.exited
	c.stdin.Close()
}

// durConn is a party's session with the hub, after the welcome.
type durConn struct {
	nc      net.Conn
	c       *wire.Conn
	welcome *wire.Welcome
}

// durDial connects, runs the handshake and reads the welcome.
func durDial(addr string, key *identity.Private, hubPub identity.Public) (*durConn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := wire.Client(ctx, nc, key, hubPub, wire.Schedule{})
	if err != nil {
		nc.Close()
		return nil, err
	}
	nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := c.ReadFrame()
	nc.SetReadDeadline(time.Time{})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("reading the welcome: %w", err)
	}
	f, err := wire.Decode(b)
	if err != nil || f.Type != wire.TypeWelcome || f.Welcome == nil {
		nc.Close()
		return nil, fmt.Errorf("first frame is not a welcome: %s (%v)", b, err)
	}
	return &durConn{nc: nc, c: c, welcome: f.Welcome}, nil
}

// durSender is ISR's side: ids it has sent and which the hub accepted.
type durSender struct {
	mu       sync.Mutex
	next     int             // next fresh id
	pending  map[string]bool // sent or to send, no ok yet
	accepted map[string]bool // an ok arrived
	errs     []string        // error replies other than "internal"
}

func durSendID(i int) string { return fmt.Sprintf("isr-%06d", i) }

// run sends over one session until the connection fails, or, when fresh is
// false, until everything pending is accepted. It resends what is pending
// first, then makes fresh ids, with at most durWindow requests in flight.
func (s *durSender) run(dc *durConn, fresh bool) (accepted int) {
	text := strings.Repeat("durable words ", 8)
	window := make(chan struct{}, durWindow)
	var mu sync.Mutex
	inflight := map[uint64]string{}
	dead := make(chan struct{})
	allDone := make(chan struct{})
	var readerDone sync.WaitGroup
	readerDone.Add(1)
	go func() { // reader
		defer readerDone.Done()
		defer close(dead)
		for {
			b, err := dc.c.ReadFrame()
			if err != nil {
				return
			}
			f, err := wire.Decode(b)
			if err != nil {
				s.mu.Lock()
				s.errs = append(s.errs, fmt.Sprintf("undecodable frame %q: %v", b, err))
				s.mu.Unlock()
				continue
			}
			mu.Lock()
			id, ok := inflight[f.Req]
			delete(inflight, f.Req)
			mu.Unlock()
			if !ok {
				continue // welcome, or a reply already counted
			}
			s.mu.Lock()
			switch {
			case f.Type == wire.TypeOK && f.ID == id:
				if !s.accepted[id] {
					accepted++
				}
				s.accepted[id] = true
				delete(s.pending, id)
			case f.Type == wire.TypeError && f.Code == wire.CodeInternal:
				// Not accepted: it stays pending and is sent again.
			default:
				s.errs = append(s.errs, fmt.Sprintf("reply to %s: %s", id, b))
			}
			finished := !fresh && len(s.pending) == 0
			s.mu.Unlock()
			<-window
			if finished {
				close(allDone)
				return
			}
		}
	}()

	s.mu.Lock()
	resend := make([]string, 0, len(s.pending))
	for id := range s.pending {
		resend = append(resend, id)
	}
	if !fresh && len(resend) == 0 {
		s.mu.Unlock()
		dc.nc.Close()
		readerDone.Wait()
		return 0
	}
	s.mu.Unlock()
	slices.Sort(resend)
	var req uint64
	send := func(id string) bool {
		select {
		case window <- struct{}{}:
		case <-dead:
			return false
		}
		req++
		b, err := wire.Encode(&wire.Frame{Type: wire.TypeSend, Req: req, Msg: &wire.Message{ID: id, Text: text}})
		if err != nil {
			panic(err)
		}
		mu.Lock()
		inflight[req] = id
		mu.Unlock()
		return dc.c.WriteFrame(b) == nil
	}
	for _, id := range resend {
		if !send(id) {
			goto wait
		}
	}
	for fresh {
		s.mu.Lock()
		id := durSendID(s.next)
		s.next++
		s.pending[id] = true
		s.mu.Unlock()
		if !send(id) {
			break
		}
	}
wait:
	select {
	case <-dead:
	case <-allDone:
	}
	dc.nc.Close()
	readerDone.Wait()
	return accepted
}

// durReceiver is IRN's side: what was delivered (how often) and acknowledged.
type durReceiver struct {
	mu        sync.Mutex
	delivered map[string]int  // id -> deliveries seen
	acked     map[string]bool // the hub answered the ack: ok, or not_found (acked before)
	errs      []string
	// Acks sent again at the end for deliveries whose ack was never answered,
	// by the answer: not_found (the ack took effect before a kill cut off its
	// answer) or ok (the hub still held the message but had not offered it
	// again).
	reackGone, reackHeld []string
}

// durQuiet is how long the final session waits without a delivery before it
// acks again what it never had an answer for (several Redeliver periods).
const durQuiet = 4 * time.Second

// run records and acks deliveries over one session until the connection
// fails, or, when final, until every queued message is acked. In the final
// session, once deliveries have stopped for durQuiet, it acks again every
// delivery whose ack was never answered, as a desk does on reconnecting.
func (r *durReceiver) run(dc *durConn, final bool, want int) (delivered, acked int) {
	writes := make(chan []byte, 4*durQueued)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // writer: acks never block the reader
		defer wg.Done()
		for b := range writes {
			if dc.c.WriteFrame(b) != nil {
				dc.nc.Close()
				for range writes {
				}
				return
			}
		}
	}()
	var amu sync.Mutex
	var req uint64
	ackOf := map[uint64]string{}
	reacks := map[uint64]bool{}
	ack := func(id string, again bool) {
		amu.Lock()
		req++
		ackOf[req] = id
		if again {
			reacks[req] = true
		}
		a, err := wire.Encode(&wire.Frame{Type: wire.TypeAck, Req: req, ID: id})
		amu.Unlock()
		if err != nil {
			panic(err)
		}
		writes <- a
	}
	var lastDelivery sync.Mutex
	last := time.Now()
	stop := make(chan struct{})
	var tick sync.WaitGroup
	if final {
		tick.Add(1)
		go func() {
			defer tick.Done()
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			reacked := false
			for {
				select {
				case <-stop:
					return
				case <-t.C:
				}
				r.mu.Lock()
				done := len(r.acked) == want
				var again []string
				lastDelivery.Lock()
				quiet := time.Since(last) > durQuiet
				lastDelivery.Unlock()
				if !done && quiet && !reacked {
					for id := range r.delivered {
						if !r.acked[id] {
							again = append(again, id)
						}
					}
				}
				r.mu.Unlock()
				if done {
					dc.nc.Close()
					return
				}
				if quiet && !reacked {
					reacked = true
					slices.Sort(again)
					for _, id := range again {
						ack(id, true)
					}
				}
			}
		}()
	}
	for {
		b, err := dc.c.ReadFrame()
		if err != nil {
			break
		}
		f, err := wire.Decode(b)
		if err != nil {
			r.mu.Lock()
			r.errs = append(r.errs, fmt.Sprintf("undecodable frame %q: %v", b, err))
			r.mu.Unlock()
			continue
		}
		switch f.Type {
		case wire.TypeDeliver:
			if f.Msg == nil {
				r.mu.Lock()
				r.errs = append(r.errs, fmt.Sprintf("deliver without msg: %s", b))
				r.mu.Unlock()
				continue
			}
			lastDelivery.Lock()
			last = time.Now()
			lastDelivery.Unlock()
			r.mu.Lock()
			r.delivered[f.Msg.ID]++
			if f.Msg.From != "RUS" || f.Msg.Kind != wire.KindConveyed || f.Msg.Text != durQueuedText(f.Msg.ID) {
				r.errs = append(r.errs, fmt.Sprintf("delivered %s is not what was queued: %s", f.Msg.ID, b))
			}
			r.mu.Unlock()
			delivered++
			ack(f.Msg.ID, false)
		case wire.TypeOK, wire.TypeError:
			amu.Lock()
			id, ok := ackOf[f.Req]
			again := reacks[f.Req]
			delete(ackOf, f.Req)
			amu.Unlock()
			if !ok {
				continue
			}
			r.mu.Lock()
			switch {
			case f.Type == wire.TypeOK || f.Code == wire.CodeNotFound:
				if !r.acked[id] {
					acked++
					if again && f.Type == wire.TypeOK {
						r.reackHeld = append(r.reackHeld, id)
					} else if again {
						r.reackGone = append(r.reackGone, id)
					}
				}
				r.acked[id] = true
			case f.Code == wire.CodeInternal:
				// The delivery comes again and is acked again.
			default:
				r.errs = append(r.errs, fmt.Sprintf("reply to ack %s: %s", id, b))
			}
			r.mu.Unlock()
		}
	}
	dc.nc.Close()
	close(stop)
	tick.Wait()
	close(writes)
	wg.Wait()
	return delivered, acked
}

func durQueuedID(i int) string       { return fmt.Sprintf("rus-%05d", i) }
func durQueuedText(id string) string { return "conveyed " + id + " " + strings.Repeat("z", 100) }

// TestDurHubSurvivesSIGKILL is the durability property of PROTOCOL.md: a hub
// killed with SIGKILL under load restarts with every accepted message there
// exactly once, and every delivery acknowledged is gone.
func TestDurHubSurvivesSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns hub processes")
	}
	start := time.Now()
	dir := t.TempDir()
	gen := func() *identity.Private {
		k, err := identity.Generate()
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	hubKey, isrKey, irnKey := gen(), gen(), gen()
	if err := identity.Save(filepath.Join(dir, "hub.key"), hubKey, "durability test hub", time.Now()); err != nil {
		t.Fatal(err)
	}
	m := &hub.Members{Mediator: "RUS", Parties: map[string]*hub.Party{
		"ISR": {Code: "ISR", Key: isrKey.Public(), Channels: []string{"main"}},
		"IRN": {Code: "IRN", Key: irnKey.Public(), Channels: []string{"main"}},
	}}
	if err := m.Save(filepath.Join(dir, "members.yaml")); err != nil {
		t.Fatal(err)
	}
	root, err := durRoot(hubKey)
	if err != nil {
		t.Fatal(err)
	}

	// Queue the mediator's messages for IRN before the hub first starts.
	ctx := context.Background()
	st, err := store.Open(ctx, durStoreOptions(dir, root, 0))
	if err != nil {
		t.Fatal(err)
	}
	queued := map[string]bool{}
	for i := range durQueued {
		id := durQueuedID(i)
		body, _ := json.Marshal(wire.Message{ID: id, Text: durQueuedText(id)})
		if _, _, err := st.Put(ctx, store.Message{ID: id, To: "IRN", From: "RUS", Kind: wire.KindConveyed, Body: body}); err != nil {
			st.Close()
			t.Fatal(err)
		}
		queued[id] = true
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("queued %d messages for IRN in %v", durQueued, time.Since(start).Round(time.Millisecond))

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	snd := &durSender{pending: map[string]bool{}, accepted: map[string]bool{}}
	rcv := &durReceiver{delivered: map[string]int{}, acked: map[string]bool{}}
	hubPub := hubKey.Public()

	for run := 0; run <= durKills; run++ {
		final := run == durKills
		child := durStartHub(t, dir, addr)
		isr, err := durDial(addr, isrKey, hubPub)
		if err != nil {
			t.Fatalf("run %d: ISR: %v\n%s", run, err, child.stderr)
		}
		irn, err := durDial(addr, irnKey, hubPub)
		if err != nil {
			isr.nc.Close()
			t.Fatalf("run %d: IRN: %v\n%s", run, err, child.stderr)
		}
		if isr.welcome.You != "ISR" || irn.welcome.You != "IRN" || isr.welcome.Mediator != "RUS" {
			t.Errorf("run %d: welcomes %+v, %+v", run, isr.welcome, irn.welcome)
		}
		var wg sync.WaitGroup
		var sent, got, acks int
		wg.Go(func() { sent = snd.run(isr, !final) })
		wg.Go(func() { got, acks = rcv.run(irn, final, len(queued)) })
		if !final {
			time.Sleep(time.Duration(100+rand.IntN(301)) * time.Millisecond)
			child.kill(t)
			wg.Wait()
			rcv.mu.Lock()
			left := len(queued) - len(rcv.acked)
			rcv.mu.Unlock()
			t.Logf("run %d: SIGKILL; %d sends accepted in this run (%d in flight cut off), IRN got %d deliveries and %d acks answered (%d still to ack)",
				run, sent, len(snd.pending), got, acks, left)
			continue
		}
		finished := make(chan struct{})
		go func() { wg.Wait(); close(finished) }()
		select {
		case <-finished:
		case <-time.After(60 * time.Second):
			child.kill(t) // ends both sessions
			<-finished
			rcv.mu.Lock()
			never, unacked := 0, 0
			var ex []string
			for id := range queued {
				switch {
				case rcv.delivered[id] == 0:
					never++
					if len(ex) < 5 {
						ex = append(ex, id)
					}
				case !rcv.acked[id]:
					unacked++
				}
			}
			rcv.mu.Unlock()
			t.Logf("never delivered %d %v, delivered but unacked %d", never, ex, unacked)
			t.Fatalf("final run: not finished after 60s: %d pending sends, %d/%d acked\n%s",
				len(snd.pending), len(rcv.acked), len(queued), child.stderr)
		}
		t.Logf("final run: %d sends accepted, IRN got %d deliveries and %d acks answered", sent, got, acks)
		child.kill(t)
	}

	snd.mu.Lock()
	defer snd.mu.Unlock()
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for _, e := range snd.errs {
		t.Errorf("ISR: %s", e)
	}
	for _, e := range rcv.errs {
		t.Errorf("IRN: %s", e)
	}
	if len(snd.pending) != 0 {
		t.Errorf("%d sends never accepted", len(snd.pending))
	}

	// Open what the last hub left, as it was when killed.
	st, err = store.Open(ctx, durStoreOptions(dir, root, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	inbox, err := st.List(ctx, "RUS")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, msg := range inbox {
		seen[msg.ID]++
		if msg.From != "ISR" || msg.Kind != wire.KindText {
			t.Errorf("RUS's %s: from %s, kind %s; want ISR, text", msg.ID, msg.From, msg.Kind)
		}
	}
	var dups, missing, unknown []string
	for id, n := range seen {
		if n > 1 {
			dups = append(dups, id+"×"+strconv.Itoa(n))
		}
		if !snd.accepted[id] {
			unknown = append(unknown, id)
		}
	}
	for id := range snd.accepted {
		if seen[id] == 0 {
			missing = append(missing, id)
		}
	}
	if len(dups) > 0 || len(missing) > 0 || len(unknown) > 0 {
		slices.Sort(dups)
		slices.Sort(missing)
		slices.Sort(unknown)
		t.Errorf("RUS's mailbox: %d messages for %d accepted; %d duplicated %v, %d accepted but missing %v, %d never accepted %v",
			len(inbox), len(snd.accepted), len(dups), durFirst(dups), len(missing), durFirst(missing), len(unknown), durFirst(unknown))
	}

	redelivered := 0
	for id, n := range rcv.delivered {
		if !queued[id] {
			t.Errorf("IRN got %s, which was never queued", id)
		}
		if n > 1 {
			redelivered++
		}
	}
	for id := range queued {
		if rcv.delivered[id] == 0 {
			t.Errorf("IRN never got %s", id)
		}
		if !rcv.acked[id] {
			t.Errorf("IRN's ack of %s was never answered", id)
		}
	}
	if len(rcv.reackHeld) > 0 {
		slices.Sort(rcv.reackHeld)
		t.Errorf("%d delivered messages were neither offered again nor gone after %v without deliveries (their ack then said ok): %v",
			len(rcv.reackHeld), durQuiet, durFirst(rcv.reackHeld))
	}
	left, err := st.List(ctx, "IRN")
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		ids := make([]string, len(left))
		for i, msg := range left {
			ids[i] = msg.ID
		}
		t.Errorf("IRN's mailbox still holds %d acknowledged messages: %v", len(left), durFirst(ids))
	}
	t.Logf("%d kills: %d messages accepted from ISR, each stored once; %d queued for IRN, all delivered (%d more than once) and none left (%d acks whose answer a kill cut off were acked again: not_found); %v",
		durKills, len(snd.accepted), len(queued), redelivered, len(rcv.reackGone), time.Since(start).Round(time.Millisecond))
}

// durFirst shortens a list for a message.
func durFirst(s []string) []string {
	if len(s) > 10 {
		return append(s[:10:10], "...")
	}
	return s
}

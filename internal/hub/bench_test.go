package hub_test

// Benchmarks of the channel through a real hub: the embedded, file-backed
// store in a temporary directory, Noise sessions over loopback TCP, and
// parties that pipeline requests. The clients run in the benchmark's process
// (on the same two cores as the hub) and build their frames by hand so that
// they cost as little as a client can; the hub parses them as it parses any.
// BenchmarkRawJetStream is the baseline: the same payloads straight into an
// embedded JetStream file-store stream. docs/BENCHMARKS.md has the command
// and the figures.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"backchannel/internal/hub"
	"backchannel/internal/identity"
	"backchannel/internal/store"
	"backchannel/internal/wire"
)

const (
	benchWindow  = 256 // requests in flight (the hub's default per-session bound)
	benchTextLen = 256 // bytes of text per message
	benchIdleK   = 200 // parties of BenchmarkIdleParty
)

// benchSendRate is the best msgs/s BenchmarkHubSendToMediator measured in
// this process; BenchmarkHubPacedLatency paces at half of it.
var benchSendRate atomic.Uint64

// benchKey is a deterministic identity for a label.
func benchKey(label string) *identity.Private {
	sum := sha256.Sum256([]byte("backchannel hub benchmark key " + label))
	k, err := identity.FromBytes(sum[:])
	if err != nil {
		panic(err)
	}
	return k
}

// benchEnv is a hub directory as `hub init` and `hub enroll` make it, its
// store, and the hub serving on a loopback port.
type benchEnv struct {
	hubKey *identity.Private
	keys   map[string]*identity.Private
	st     *store.Store
	h      *hub.Hub
	addr   string
	cancel context.CancelFunc
	done   chan error
	once   sync.Once
}

// benchStart starts a hub in dir with the given parties, all on channel main.
// It stops at cleanup, or earlier with stop.
func benchStart(tb testing.TB, dir string, codes []string) *benchEnv {
	tb.Helper()
	tb.Cleanup(hub.TuneGC()) // as `backchannel hub run` does
	e := &benchEnv{hubKey: benchKey("hub"), keys: map[string]*identity.Private{}}
	m := &hub.Members{Mediator: "RUS", Parties: map[string]*hub.Party{}}
	for _, c := range codes {
		e.keys[c] = benchKey("party " + c)
		m.Parties[c] = &hub.Party{Code: c, Key: e.keys[c].Public(), Channels: []string{"main"}}
	}
	mp := filepath.Join(dir, "members.yaml")
	if err := m.Save(mp); err != nil {
		tb.Fatal(err)
	}
	root, err := durRoot(e.hubKey)
	if err != nil {
		tb.Fatal(err)
	}
	e.st, err = store.Open(context.Background(), store.Options{Dir: filepath.Join(dir, "data"), RootKey: root})
	clear(root)
	if err != nil {
		tb.Fatal(err)
	}
	e.h, err = hub.New(hub.Config{Key: e.hubKey, MembersPath: mp, Store: e.st, Version: "bench"})
	if err != nil {
		e.st.Close()
		tb.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		e.st.Close()
		tb.Fatal(err)
	}
	e.addr = ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel, e.done = cancel, make(chan error, 1)
	go func() { e.done <- e.h.Serve(ctx, ln) }()
	tb.Cleanup(func() { e.stop(tb) })
	return e
}

func (e *benchEnv) stop(tb testing.TB) {
	e.once.Do(func() {
		e.cancel()
		if err := <-e.done; err != nil {
			tb.Errorf("Serve: %v", err)
		}
		if err := e.st.Close(); err != nil {
			tb.Errorf("store Close: %v", err)
		}
	})
}

func (e *benchEnv) dial(tb testing.TB, code string) *durConn {
	tb.Helper()
	dc, err := durDial(e.addr, e.keys[code], e.hubKey.Public())
	if err != nil {
		tb.Fatalf("%s: %v", code, err)
	}
	tb.Cleanup(func() { dc.nc.Close() })
	return dc
}

// benchReply is what a client reads of the hub's frames.
type benchReply struct {
	Type  string `json:"type"`
	Req   uint64 `json:"req"`
	ID    string `json:"id"`
	Code  string `json:"code"`
	Error string `json:"error"`
	Msg   *struct {
		ID string `json:"id"`
	} `json:"msg"`
}

// benchParse reads what a client needs of the hub's ok and deliver frames
// (type, req, the delivered id) by looking for the fields where
// encoding/json puts them, as cheaply as a client can; any other frame is
// parsed in full.
func benchParse(b []byte) (benchReply, error) {
	var r benchReply
	switch {
	case bytes.HasPrefix(b, []byte(`{"type":"ok","req":`)):
		rest := b[len(`{"type":"ok","req":`):]
		end := bytes.IndexAny(rest, ",}")
		req, err := strconv.ParseUint(string(rest[:max(end, 0)]), 10, 64)
		if end < 0 || err != nil {
			return r, fmt.Errorf("reply %q: no request number", b)
		}
		r.Type, r.Req = wire.TypeOK, req
		return r, nil
	case bytes.HasPrefix(b, []byte(`{"type":"deliver","msg":{"id":"`)):
		rest := b[len(`{"type":"deliver","msg":{"id":"`):]
		end := bytes.IndexByte(rest, '"')
		if end < 0 {
			return r, fmt.Errorf("delivery %q: no id", b)
		}
		r.Type = wire.TypeDeliver
		r.Msg = &struct {
			ID string `json:"id"`
		}{ID: string(rest[:end])}
		return r, nil
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("reply %q: %w", b, err)
	}
	return r, nil
}

var benchText = strings.Repeat("x", benchTextLen)

// benchSendFrame is {"type":"send","req":i+1,"msg":{"id":"m<i>","text":...}}.
func benchSendFrame(dst []byte, i int) []byte {
	dst = append(dst, `{"type":"send","req":`...)
	dst = strconv.AppendInt(dst, int64(i)+1, 10)
	dst = append(dst, `,"msg":{"id":"m`...)
	dst = strconv.AppendInt(dst, int64(i), 10)
	dst = append(dst, `","text":"`...)
	dst = append(dst, benchText...)
	return append(dst, `"}}`...)
}

// benchWarmFrame is benchSendFrame with ids w<i>, for warming a hub up.
func benchWarmFrame(dst []byte, i int) []byte {
	dst = benchSendFrame(dst, i)
	j := len(`{"type":"send","req":`) + len(strconv.Itoa(i+1)) + len(`,"msg":{"id":"`)
	dst[j] = 'w'
	return dst
}

// The fake sealed payload: a 32-byte enc and a ciphertext as long as an HPKE
// seal of benchTextLen bytes (plus its 16-byte tag). The hub never opens it.
var (
	benchEnc = base64.StdEncoding.EncodeToString(make([]byte, 32))
	benchCT  = base64.StdEncoding.EncodeToString([]byte(strings.Repeat("c", benchTextLen+16)))
)

// benchSealedFrame is a sealed frame to IRN with id s<i>.
func benchSealedFrame(dst []byte, i int) []byte {
	dst = append(dst, `{"type":"sealed","req":`...)
	dst = strconv.AppendInt(dst, int64(i)+1, 10)
	dst = append(dst, `,"msg":{"id":"s`...)
	dst = strconv.AppendInt(dst, int64(i), 10)
	dst = append(dst, `","to":"IRN","sealed":{"kid":"otk-1","enc":"`...)
	dst = append(dst, benchEnc...)
	dst = append(dst, `","ct":"`...)
	dst = append(dst, benchCT...)
	return append(dst, `"}}}`...)
}

// benchIndex parses the number after an id's one-letter prefix.
func benchIndex(id string, n int) (int, bool) {
	if len(id) < 2 {
		return 0, false
	}
	i, err := strconv.Atoi(id[1:])
	return i, err == nil && i >= 0 && i < n
}

// benchPercentiles reports p50 and p99 of latencies (ns) in µs.
func benchPercentiles(b *testing.B, lat []int64) (p50, p99 float64) {
	if len(lat) == 0 {
		return 0, 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	at := func(q float64) float64 {
		i := int(q * float64(len(s)-1))
		return float64(s[i]) / 1e3
	}
	p50, p99 = at(0.50), at(0.99)
	b.ReportMetric(p50, "p50-µs")
	b.ReportMetric(p99, "p99-µs")
	b.ReportMetric(float64(s[len(s)-1])/1e3, "max-µs")
	return p50, p99
}

// benchSender pipelines n requests built by frame over dc, with at most window
// in flight, at the times pace gives (nil: as fast as the window allows), and
// reads the replies. It returns each request's latency from its send (or its
// scheduled time, when paced) to its ok, and when the last ok arrived.
type benchSender struct {
	dc     *durConn
	n      int
	window int
	frame  func([]byte, int) []byte
	pace   func(i int) time.Time
	sentAt []atomic.Int64 // send times (ns), or scheduled times when paced; made by run unless set
	lat    []int64
	wlat   []int64 // when paced: latency from the actual write to the ok
	last   time.Time
	err    error
}

func (s *benchSender) run() {
	if s.sentAt == nil {
		s.sentAt = make([]atomic.Int64, s.n)
	}
	s.lat = make([]int64, s.n)
	var wroteAt []atomic.Int64
	if s.pace != nil {
		wroteAt = make([]atomic.Int64, s.n)
		s.wlat = make([]int64, s.n)
	}
	win := make(chan struct{}, s.window)
	done := make(chan struct{})
	go func() {
		defer close(done)
		got := 0
		for got < s.n {
			b, err := s.dc.c.ReadFrame()
			if err != nil {
				s.err = fmt.Errorf("after %d replies: %w", got, err)
				return
			}
			now := time.Now().UnixNano()
			r, err := benchParse(b)
			if err != nil {
				s.err = err
				return
			}
			if r.Type != wire.TypeOK {
				s.err = fmt.Errorf("reply %s", b)
				return
			}
			i := int(r.Req) - 1
			if i < 0 || i >= s.n {
				s.err = fmt.Errorf("reply to no request: %s", b)
				return
			}
			s.lat[i] = now - s.sentAt[i].Load()
			if wroteAt != nil {
				s.wlat[i] = now - wroteAt[i].Load()
			}
			got++
			<-win
		}
		s.last = time.Now()
	}()
	// Unpaced, the sender writes what the window allows in one go (up to
	// benchBatch frames), as a client with a queue does; paced, each frame
	// goes at its time.
	batch := 1
	if s.pace == nil {
		batch = benchBatch
	}
	bufs := make([][]byte, batch)
	for i := range bufs {
		bufs[i] = make([]byte, 0, 1024)
	}
	frames := make([][]byte, 0, batch)
	for i := 0; i < s.n; {
		select {
		case win <- struct{}{}:
		case <-done:
			return
		}
		k := 1
	more:
		for k < batch && i+k < s.n {
			select {
			case win <- struct{}{}:
				k++
			default:
				break more
			}
		}
		at := time.Now()
		if s.pace != nil {
			at = s.pace(i)
			if d := time.Until(at); d > 0 {
				time.Sleep(d)
			}
		}
		frames = frames[:0]
		for j := range k {
			s.sentAt[i+j].Store(at.UnixNano())
			if wroteAt != nil {
				wroteAt[i+j].Store(time.Now().UnixNano())
			}
			bufs[j] = s.frame(bufs[j][:0], i+j)
			frames = append(frames, bufs[j])
		}
		if err := s.dc.c.WriteFrames(frames); err != nil {
			s.dc.nc.Close()
			<-done
			if s.err == nil {
				s.err = err
			}
			return
		}
		i += k
	}
	<-done
}

// benchBatch is the most frames a bench client writes at once.
const benchBatch = 32

// BenchmarkHubSendToMediator: ISR pipelines sends to the mediator's mailbox;
// each ok means the message is stored and acknowledged by JetStream.
func BenchmarkHubSendToMediator(b *testing.B) {
	for _, w := range []int{16, benchWindow} {
		b.Run(fmt.Sprintf("window=%d", w), func(b *testing.B) {
			e := benchStart(b, b.TempDir(), []string{"ISR", "IRN"})
			s := &benchSender{dc: e.dial(b, "ISR"), n: b.N, window: w, frame: benchSendFrame}
			b.ResetTimer()
			start := time.Now()
			s.run()
			b.StopTimer()
			if s.err != nil {
				b.Fatal(s.err)
			}
			rate := float64(b.N) / s.last.Sub(start).Seconds()
			b.ReportMetric(rate, "msgs/s")
			benchPercentiles(b, s.lat)
			if b.N >= 10000 && uint64(rate) > benchSendRate.Load() {
				benchSendRate.Store(uint64(rate))
			}
		})
	}
}

// BenchmarkHubSealedPartyToParty: ISR sends sealed messages to IRN, whose
// client takes each delivery and acks it; the rate counts deliveries. With
// rate=max ISR pipelines them as fast as a window of benchWindow allows, and
// the latency is from ISR's write to IRN's read of the delivery. With
// rate=10000 (half the target rate) ISR sends at that pace, after a warm-up,
// and the latency is from each message's scheduled time; the two clients run
// in a child process (client=process), as two desks would, or in the hub's
// (client=inprocess), as BenchmarkHubPacedLatency's do.
func BenchmarkHubSealedPartyToParty(b *testing.B) {
	b.Run("rate=max", func(b *testing.B) {
		e := benchStart(b, b.TempDir(), []string{"ISR", "IRN"})
		isr, irn := e.dial(b, "ISR"), e.dial(b, "IRN")
		runtime.GC()
		b.ResetTimer()
		r := benchSealed(isr, irn, 0, b.N)
		b.StopTimer()
		benchSealedReport(b, r)
		benchRemovals(b, e.st)
	})
	for _, where := range []string{"process", "inprocess"} {
		b.Run("rate=10000/client="+where, func(b *testing.B) {
			e := benchStart(b, b.TempDir(), []string{"ISR", "IRN"})
			var r benchSealedResult
			if where == "process" {
				r = benchClientChild(b, benchEnvSealed, e.addr, 10000, b.N)
			} else {
				isr, irn := e.dial(b, "ISR"), e.dial(b, "IRN")
				b.ResetTimer()
				r = benchSealed(isr, irn, 10000, b.N)
			}
			b.StopTimer()
			benchSealedReport(b, r)
			benchRemovals(b, e.st)
		})
	}
}

// benchRemovals reports the share of acknowledged messages the store removed
// in purges of a run, not one delete each.
func benchRemovals(b *testing.B, st *store.Store) {
	r := st.Removals()
	if n := r.Purged + r.Deletes; n > 0 {
		b.ReportMetric(100*float64(r.Purged)/float64(n), "purged-%")
	}
}

// benchSealedResult is what benchSealed measured: the rate of deliveries
// and their latencies (ns), or what went wrong.
type benchSealedResult struct {
	Rate float64
	Lat  []int64
	Err  string
}

func benchSealedReport(b *testing.B, r benchSealedResult) {
	if r.Err != "" {
		b.Fatal(r.Err)
	}
	b.ReportMetric(r.Rate, "msgs/s")
	benchPercentiles(b, r.Lat)
}

// benchSealed sends n sealed messages from isr to irn, as fast as the window
// allows (rate 0) or paced at rate after a warm-up, and measures them.
func benchSealed(isr, irn *durConn, rate, n int) benchSealedResult {
	if rate > 0 {
		w := &benchSender{dc: isr, n: 2000, window: benchWindow, frame: benchWarmFrame}
		if w.run(); w.err != nil {
			return benchSealedResult{Err: w.err.Error()}
		}
	}
	sentAt := make([]atomic.Int64, n)
	lat := make([]int64, n)
	var irnErr error
	var last time.Time
	acks := make(chan []byte, 4096)
	irnDone := make(chan struct{})
	ackerDone := make(chan struct{})
	go func() { // IRN's writer: every ack at hand in one write
		defer close(ackerDone)
		batch := make([][]byte, 0, benchBatch)
		for a := range acks {
			batch = append(batch[:0], a)
		more:
			for len(batch) < benchBatch {
				select {
				case a, ok := <-acks:
					if !ok {
						break more
					}
					batch = append(batch, a)
				default:
					break more
				}
			}
			if irn.c.WriteFrames(batch) != nil {
				irn.nc.Close()
				for range acks {
				}
				return
			}
		}
	}()
	go func() { // IRN's reader
		defer close(irnDone)
		defer close(acks)
		seen := make([]bool, n)
		got := 0
		var req uint64
		for got < n {
			buf, err := irn.c.ReadFrame()
			if err != nil {
				irnErr = fmt.Errorf("IRN after %d deliveries: %w", got, err)
				return
			}
			now := time.Now().UnixNano()
			r, err := benchParse(buf)
			if err != nil {
				irnErr = fmt.Errorf("IRN: %w", err)
				return
			}
			switch r.Type {
			case wire.TypeDeliver:
				if r.Msg == nil {
					irnErr = fmt.Errorf("IRN: delivery without msg: %s", buf)
					return
				}
				i, ok := benchIndex(r.Msg.ID, n)
				if !ok {
					irnErr = fmt.Errorf("IRN: delivery of %q", r.Msg.ID)
					return
				}
				if !seen[i] {
					seen[i] = true
					lat[i] = now - sentAt[i].Load()
					got++
				}
				req++
				a := []byte(`{"type":"ack","req":` + strconv.FormatUint(req, 10) + `,"id":"` + r.Msg.ID + `"}`)
				acks <- a
			case wire.TypeOK:
			default:
				irnErr = fmt.Errorf("IRN: %s", buf)
				return
			}
		}
		last = time.Now()
	}()
	s := &benchSender{dc: isr, n: n, window: benchWindow, frame: benchSealedFrame}
	start := time.Now()
	if rate > 0 {
		s.window = 4096
		interval := time.Second / time.Duration(rate)
		at := start.Add(time.Millisecond)
		s.pace = func(i int) time.Time { return at.Add(time.Duration(i) * interval) }
	}
	s.sentAt = sentAt // IRN's reader reads them
	s.run()
	<-irnDone
	irn.nc.Close()
	<-ackerDone
	switch {
	case s.err != nil:
		return benchSealedResult{Err: s.err.Error()}
	case irnErr != nil:
		return benchSealedResult{Err: irnErr.Error()}
	}
	benchLatDump(lat, s.lat)
	return benchSealedResult{Rate: float64(n) / last.Sub(start).Seconds(), Lat: lat}
}

// BenchmarkHubPacedLatency: ISR sends to the mediator at a fixed rate; the
// latency of each message is from its scheduled time to its ok. With
// client=process the sender runs in a child process, as a desk does, so the
// hub's process holds only the hub; with client=inprocess it shares the
// hub's Go scheduler (the harsher case, kept for comparison).
func BenchmarkHubPacedLatency(b *testing.B) {
	rates := []int{10000}
	if r := int(benchSendRate.Load() / 2); r > 0 && (r < 9000 || r > 11000) {
		rates = append(rates, r)
	}
	for _, rate := range rates {
		for _, where := range []string{"process", "inprocess"} {
			b.Run(fmt.Sprintf("rate=%d/client=%s", rate, where), func(b *testing.B) {
				e := benchStart(b, b.TempDir(), []string{"ISR", "IRN"})
				var r benchPacedResult
				if where == "inprocess" {
					dc := e.dial(b, "ISR")
					b.ResetTimer()
					r = benchPaced(dc, rate, b.N)
				} else {
					r = benchPacedChild(b, e.addr, rate, b.N)
				}
				b.StopTimer()
				if r.Err != "" {
					b.Fatal(r.Err)
				}
				b.ReportMetric(r.Rate, "msgs/s")
				b.ReportMetric(r.P50, "p50-µs")
				b.ReportMetric(r.P99, "p99-µs")
				b.ReportMetric(r.Max, "max-µs")
				b.ReportMetric(r.P99Write, "p99-from-write-µs")
			})
		}
	}
}

// benchPacedResult is what a paced run measured, in µs and msgs/s.
type benchPacedResult struct {
	Rate, P50, P99, Max, P99Write float64
	Err                           string
}

// benchPaced warms the hub up (the epoch key, the first blocks of the
// streams), then sends n messages over dc at rate and measures them.
func benchPaced(dc *durConn, rate, n int) benchPacedResult {
	w := &benchSender{dc: dc, n: 2000, window: benchWindow, frame: benchWarmFrame}
	w.run()
	if w.err != nil {
		return benchPacedResult{Err: w.err.Error()}
	}
	interval := time.Second / time.Duration(rate)
	s := &benchSender{dc: dc, n: n, window: 4096, frame: benchSendFrame}
	start := time.Now().Add(time.Millisecond)
	s.pace = func(i int) time.Time { return start.Add(time.Duration(i) * interval) }
	s.run()
	if s.err != nil {
		return benchPacedResult{Err: s.err.Error()}
	}
	benchLatDump(s.lat, s.wlat)
	lat := slices.Clone(s.lat)
	slices.Sort(lat)
	slices.Sort(s.wlat)
	at := func(v []int64, q float64) float64 { return float64(v[int(q*float64(len(v)-1))]) / 1e3 }
	return benchPacedResult{
		Rate: float64(n) / s.last.Sub(start).Seconds(),
		P50:  at(lat, 0.50), P99: at(lat, 0.99), Max: at(lat, 1), P99Write: at(s.wlat, 0.99),
	}
}

// benchLatDump writes, when BC_BENCH_LATDUMP names a file, each message's
// latency (ns) and a second latency when given (paced send: from the write;
// sealed: to the sender's ok): for study of where a tail comes from.
func benchLatDump(lat, wlat []int64) {
	p := os.Getenv("BC_BENCH_LATDUMP")
	if p == "" {
		return
	}
	var sb strings.Builder
	for i, l := range lat {
		w := int64(0)
		if wlat != nil {
			w = wlat[i]
		}
		fmt.Fprintln(&sb, i, l, w)
	}
	os.WriteFile(p, []byte(sb.String()), 0o644)
}

// benchEnvPaced and benchEnvSealed ("rate,n") make TestBenchPacedClient and
// TestBenchSealedClients run.
const (
	benchEnvPaced  = "BC_BENCH_PACED"
	benchEnvSealed = "BC_BENCH_SEALED"
)

// benchPacedChild runs benchPaced in a child process against addr.
func benchPacedChild(b *testing.B, addr string, rate, n int) benchPacedResult {
	var r benchPacedResult
	if err := benchChild(b, "TestBenchPacedClient", benchEnvPaced, addr, rate, n, &r); err != nil {
		r.Err = err.Error()
	}
	return r
}

// benchClientChild runs benchSealed in a child process against addr.
func benchClientChild(b *testing.B, env, addr string, rate, n int) benchSealedResult {
	var r benchSealedResult
	if err := benchChild(b, "TestBenchSealedClients", env, addr, rate, n, &r); err != nil {
		r.Err = err.Error()
	}
	return r
}

// benchChild runs the test named test in a child process, with env set to
// "rate,n" and the hub's address, starts the benchmark's timer, and decodes
// into out the JSON the child prints after "result ".
func benchChild(b *testing.B, test, env, addr string, rate, n int, out any) error {
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env+"="+fmt.Sprint(rate, ",", n), benchEnvAddr+"="+addr)
	cmd.Stderr = os.Stderr
	b.ResetTimer()
	got, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("client process: %v", err)
	}
	for _, line := range strings.Split(string(got), "\n") {
		if rest, ok := strings.CutPrefix(line, "result "); ok {
			if err := json.Unmarshal([]byte(rest), out); err != nil {
				return fmt.Errorf("client process said %.200q: %v", line, err)
			}
			return nil
		}
	}
	return fmt.Errorf("client process printed no result: %.200q", got)
}

// benchChildSpec reads the "rate,n" a child benchmark client was given; ok
// is false when the test runs as a test, not as a child.
func benchChildSpec(env string) (rate, n int, ok bool) {
	spec := os.Getenv(env)
	if spec == "" {
		return 0, 0, false
	}
	fmt.Sscanf(spec, "%d,%d", &rate, &n)
	return rate, n, true
}

// benchChildDone prints the result for the parent and exits.
func benchChildDone(r any) {
	j, _ := json.Marshal(r)
	fmt.Printf("result %s\n", j)
	os.Exit(0)
}

// TestBenchPacedClient is the child of BenchmarkHubPacedLatency with
// client=process: it connects as ISR, runs benchPaced and prints the result.
func TestBenchPacedClient(t *testing.T) {
	rate, n, ok := benchChildSpec(benchEnvPaced)
	if !ok {
		return
	}
	var r benchPacedResult
	dc, err := durDial(os.Getenv(benchEnvAddr), benchKey("party ISR"), benchKey("hub").Public())
	if err != nil {
		r.Err = err.Error()
	} else {
		r = benchPaced(dc, rate, n)
		dc.nc.Close()
	}
	benchChildDone(r)
}

// TestBenchSealedClients is the child of BenchmarkHubSealedPartyToParty with
// client=process: it connects as ISR and IRN, runs benchSealed and prints
// the result.
func TestBenchSealedClients(t *testing.T) {
	rate, n, ok := benchChildSpec(benchEnvSealed)
	if !ok {
		return
	}
	addr, hub := os.Getenv(benchEnvAddr), benchKey("hub").Public()
	var r benchSealedResult
	isr, err := durDial(addr, benchKey("party ISR"), hub)
	if err == nil {
		var irn *durConn
		if irn, err = durDial(addr, benchKey("party IRN"), hub); err == nil {
			r = benchSealed(isr, irn, rate, n)
		}
		isr.nc.Close()
	}
	if err != nil {
		r.Err = err.Error()
	}
	benchChildDone(r)
}

// BenchmarkRawJetStream is the baseline: the send frames of
// BenchmarkHubSendToMediator published to an embedded JetStream file-store
// stream (work-queue retention, as the store's) with PublishAsync and a
// window of benchWindow; with consume, a consumer also takes and acks each.
func BenchmarkRawJetStream(b *testing.B) {
	b.Run("publish", func(b *testing.B) { benchRawJetStream(b, false, 0) })
	b.Run("publish+consume", func(b *testing.B) { benchRawJetStream(b, true, 0) })
	// The floor for BenchmarkHubPacedLatency: raw publishes at the same
	// rate, latency from each one's scheduled time to its ack.
	b.Run("publish/rate=10000", func(b *testing.B) { benchRawJetStream(b, false, 10000) })
}

// benchRawJetStream publishes b.N payloads as fast as the window allows, or
// at rate messages a second when rate > 0.
func benchRawJetStream(b *testing.B, consume bool, rate int) {
	ns, err := server.NewServer(&server.Options{
		ServerName: "bench", DontListen: true, JetStream: true, StoreDir: b.TempDir(),
		JetStreamMaxStore: 1 << 30, JetStreamMaxMemory: 64 << 20, NoSigs: true,
	})
	if err != nil {
		b.Fatal(err)
	}
	ns.Start()
	defer func() { ns.Shutdown(); ns.WaitForShutdown() }()
	if !ns.ReadyForConnections(10 * time.Second) {
		b.Fatal("nats server not ready")
	}
	nc, err := nats.Connect("", nats.InProcessServer(ns))
	if err != nil {
		b.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc, jetstream.WithPublishAsyncMaxPending(benchWindow))
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st, err := js.CreateStream(ctx, jetstream.StreamConfig{
		Name: "BENCH", Subjects: []string{"bench.>"}, Retention: jetstream.WorkQueuePolicy,
		Storage: jetstream.FileStorage, Discard: jetstream.DiscardNew, Replicas: 1,
	})
	if err != nil {
		b.Fatal(err)
	}
	n := b.N
	sentAt := make([]atomic.Int64, n)
	lat := make([]int64, n)
	var last time.Time
	consumed := make(chan struct{})
	if consume {
		cons, err := st.CreateOrUpdateConsumer(ctx, jetstream.ConsumerConfig{
			Durable: "c", AckPolicy: jetstream.AckExplicitPolicy, MaxDeliver: -1,
		})
		if err != nil {
			b.Fatal(err)
		}
		got := 0
		cc, err := cons.Consume(func(m jetstream.Msg) {
			now := time.Now().UnixNano()
			i := int(binary.BigEndian.Uint64(m.Data()))
			m.Ack()
			if i < n && lat[i] == 0 {
				lat[i] = now - sentAt[i].Load()
				got++
				if got == n {
					last = time.Now()
					close(consumed)
				}
			}
		})
		if err != nil {
			b.Fatal(err)
		}
		defer func() { cc.Stop(); <-cc.Closed() }()
	}
	// Futures in publish order; acks of one stream come back in order.
	futures := make(chan jetstream.PubAckFuture, benchWindow)
	var pubErr error
	acked := make(chan struct{})
	go func() {
		defer close(acked)
		i := 0
		for f := range futures {
			select {
			case <-f.Ok():
				if !consume {
					lat[i] = time.Now().UnixNano() - sentAt[i].Load()
				}
			case err := <-f.Err():
				if pubErr == nil {
					pubErr = err
				}
			}
			i++
		}
		if !consume {
			last = time.Now()
		}
	}()
	payload := make([]byte, 8, 1024)
	b.ResetTimer()
	start := time.Now()
	for i := range n {
		p := benchSendFrame(payload[:8], i)
		binary.BigEndian.PutUint64(p, uint64(i))
		at := time.Now()
		if rate > 0 {
			at = start.Add(time.Duration(i) * time.Second / time.Duration(rate))
			time.Sleep(time.Until(at))
		}
		sentAt[i].Store(at.UnixNano())
		f, err := js.PublishAsync("bench.RUS", p)
		if err != nil {
			b.Fatal(err)
		}
		futures <- f
	}
	close(futures)
	<-acked
	if consume {
		select {
		case <-consumed:
		case <-time.After(60 * time.Second):
			b.Fatal("consumer did not get every message")
		}
	}
	b.StopTimer()
	if pubErr != nil {
		b.Fatal(pubErr)
	}
	b.ReportMetric(float64(n)/last.Sub(start).Seconds(), "msgs/s")
	benchPercentiles(b, lat)
}

// Environment of the child that holds the idle parties' connections.
const (
	benchEnvClients = "BC_BENCH_CLIENTS" // "1" makes TestBenchIdleClients connect
	benchEnvAddr    = "BC_BENCH_ADDR"
	benchEnvN       = "BC_BENCH_N"
)

func benchIdleCode(i int) string { return fmt.Sprintf("P%03d", i) }

// TestBenchIdleClients is the child of BenchmarkIdleParty: it connects the
// idle parties, prints "connected", and holds the sessions open without a
// word until its stdin closes. The parties live in their own process so that
// their memory is not counted as the hub's.
func TestBenchIdleClients(t *testing.T) {
	if os.Getenv(benchEnvClients) != "1" {
		return
	}
	n, _ := strconv.Atoi(os.Getenv(benchEnvN))
	hubPub := benchKey("hub").Public()
	conns := make([]*durConn, 0, n)
	for i := range n {
		dc, err := durDial(os.Getenv(benchEnvAddr), benchKey("party "+benchIdleCode(i)), hubPub)
		if err != nil {
			fmt.Fprintf(os.Stderr, "party %d: %v\n", i, err)
			os.Exit(1)
		}
		conns = append(conns, dc)
	}
	fmt.Println("connected")
	io.Copy(io.Discard, os.Stdin)
	for _, dc := range conns {
		dc.nc.Close()
	}
	os.Exit(0)
}

// benchMem is the hub process's live memory after collecting garbage.
type benchMem struct {
	heap, stack uint64
	goroutines  int
}

func benchMemNow() benchMem {
	var ms runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&ms)
	return benchMem{heap: ms.HeapInuse, stack: ms.StackInuse, goroutines: runtime.NumGoroutine()}
}

// BenchmarkIdleParty: the hub's memory for each connected, idle party. It
// starts a fresh hub with benchIdleK parties enrolled, measures its memory,
// connects every party from a child process, waits until the hub has every
// session open and its mailbox subscription running, and measures again. The
// measurement is made once per call whatever b.N is (ns/op means nothing).
func BenchmarkIdleParty(b *testing.B) {
	codes := make([]string, benchIdleK)
	for i := range codes {
		codes[i] = benchIdleCode(i)
	}
	var perParty, perHeap, perStack, perPartyG, connect float64
	iters := 0
	for range 1 {
		e := benchStart(b, b.TempDir(), codes)
		time.Sleep(200 * time.Millisecond)
		before := benchMemNow()

		cmd := exec.Command(os.Args[0], "-test.run=^TestBenchIdleClients$", "-test.count=1")
		cmd.Env = append(os.Environ(), benchEnvClients+"=1", benchEnvAddr+"="+e.addr, benchEnvN+"="+strconv.Itoa(benchIdleK))
		cmd.Stderr = os.Stderr
		stdin, err := cmd.StdinPipe()
		if err != nil {
			b.Fatal(err)
		}
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		if strings.TrimSpace(line) != "connected" {
			cmd.Process.Kill()
			cmd.Wait()
			b.Fatalf("client process: %q", line)
		}
		for deadline := time.Now().Add(30 * time.Second); len(e.h.Connected()) < benchIdleK; {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				cmd.Wait()
				b.Fatalf("%d of %d sessions open after 30s", len(e.h.Connected()), benchIdleK)
			}
			time.Sleep(10 * time.Millisecond)
		}
		connect += float64(time.Since(t0).Microseconds()) / benchIdleK
		time.Sleep(500 * time.Millisecond) // the mailbox consumers settle
		after := benchMemNow()
		if p := os.Getenv("BC_BENCH_HEAPPROFILE"); p != "" {
			f, err := os.Create(p)
			if err != nil {
				b.Fatal(err)
			}
			pprof.Lookup("heap").WriteTo(f, 0)
			f.Close()
			if g := os.Getenv("BC_BENCH_GOROUTINES"); g != "" {
				gf, err := os.Create(g)
				if err != nil {
					b.Fatal(err)
				}
				pprof.Lookup("goroutine").WriteTo(gf, 1)
				gf.Close()
			}
		}
		heap := float64(after.heap) - float64(before.heap)
		stack := float64(after.stack) - float64(before.stack)
		perParty += (heap + stack) / benchIdleK
		perHeap += heap / benchIdleK
		perStack += stack / benchIdleK
		perPartyG += float64(after.goroutines-before.goroutines) / benchIdleK
		iters++

		stdin.Close()
		if err := cmd.Wait(); err != nil {
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				b.Fatal(err)
			}
		}
		e.stop(b)
	}
	b.ReportMetric(perParty/float64(iters), "B/party")
	b.ReportMetric(perHeap/float64(iters), "heap-B/party")
	b.ReportMetric(perStack/float64(iters), "stack-B/party")
	b.ReportMetric(perPartyG/float64(iters), "goroutines/party")
	b.ReportMetric(connect/float64(iters), "µs-connect/party")
}

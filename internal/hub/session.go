package hub

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// session is one party's open connection. While idle it costs one goroutine
// (the reader, which is the connection's own): the writer runs only while
// frames are queued, and the context's end closes the session by
// context.AfterFunc.
type session struct {
	h    *Hub
	conn *wire.Conn
	code string

	mu      sync.Mutex
	queue   [][]byte // encoded frames for the writer, in order; grown as needed
	writing bool     // a writer goroutine is running
	closed  bool
	refused bool   // a delivery found the queue full since the writer last took it
	ready   func() // the subscription's Ready, once subscribed

	done   chan struct{}
	inflow chan struct{} // semaphore of requests in progress
	wg     sync.WaitGroup

	// Owned by the session's own goroutine (run and readLoop).
	sub   *store.Subscription
	proof *time.Timer // closes a session that must prove itself and does not

	proven bool // guarded by h.mu: an authenticated transport frame came in
}

// maxQueued bounds the frames waiting for the writer as far as deliveries
// go: past it deliver refuses (the store offers the message again soon).
// Replies never wait for room: a reply that waited would hold its request's
// place, the session would stop reading when all places were held, and a
// desk that writes its acknowledgements from its reading loop (as desks do)
// would wait for the hub to read while the hub waited for it to read, each
// for ever. Instead a session whose queue reaches maxBacklog, a desk that
// sends and does not read, is closed. The queue holds nothing while the
// session is idle.
const maxQueued = 1024

var maxBacklog = 8 * maxQueued // a variable for tests

// keepQueue is the largest queue capacity the writer keeps between bursts.
const keepQueue = 64

// proofTimeout is how long a session has to send its first frame when the
// party already has a session that did (see Hub.admit).
var proofTimeout = wire.DefaultHandshakeTimeout

func newSession(h *Hub, c *wire.Conn, code string) *session {
	s := &session{
		h: h, conn: c, code: code,
		done:   make(chan struct{}),
		inflow: make(chan struct{}, h.cfg.InFlight),
	}
	return s
}

// close ends the session; safe to call more than once and from any goroutine.
func (s *session) close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.queue = nil
	s.mu.Unlock()
	close(s.done)
	s.conn.Close()
}

// send queues a reply (or the welcome) for the writer without waiting. It
// drops the frame when the session is closing, and closes a session whose
// desk has left maxBacklog frames unread.
func (s *session) send(f *wire.Frame) bool {
	b, err := wire.Encode(f)
	if err != nil {
		s.h.log.Error("encoding a frame", "type", f.Type, "err", err)
		return false
	}
	if !s.enqueue(b, maxBacklog) {
		if s.isClosed() {
			return false
		}
		s.h.log.Warn("closing a session whose desk does not read", "party", s.code, "queued", maxBacklog)
		s.close()
		return false
	}
	return true
}

func (s *session) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// enqueue adds b to the queue, unless the queue holds limit frames or the
// session is closed, and starts the writer if none is running.
func (s *session) enqueue(b []byte, limit int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if len(s.queue) >= limit {
		s.refused = true
		return false
	}
	s.queue = append(s.queue, b)
	if !s.writing {
		// Never after close: run's wg.Wait follows close, so no Add races it.
		s.writing = true
		s.wg.Add(1)
		go s.writer()
	}
	return true
}

// writer writes what is queued, everything at hand in one batch (one write
// per 64 KiB), until the queue is empty; then it ends.
func (s *session) writer() {
	defer s.wg.Done()
	var batch [][]byte
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.closed {
			s.writing = false
			if cap(s.queue) > keepQueue {
				s.queue = nil
			}
			s.mu.Unlock()
			return
		}
		batch, s.queue = s.queue, batch[:0]
		var ready func()
		if s.refused {
			// The queue has room again: have the store offer what it
			// refused now, while this batch is written.
			s.refused, ready = false, s.ready
		}
		s.mu.Unlock()
		if ready != nil {
			ready()
		}
		err := s.conn.WriteFrames(batch)
		clear(batch)
		if cap(batch) > keepQueue {
			batch = nil
		}
		if err != nil {
			s.close()
			return
		}
	}
}

func (s *session) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(ctx, s.close)
	defer stop()

	m := s.h.Members()
	w := &wire.Welcome{You: s.code, Mediator: m.Mediator, MaxTTL: int64(s.h.cfg.MaxTTL.Seconds()), Hub: s.h.cfg.Version}
	for _, p := range m.Peers(s.code) {
		if w.Peers == nil {
			w.Peers = map[string]string{}
		}
		w.Peers[p.Code] = p.Key.String()
	}
	// The welcome is safe to send before the caller proves anything: only the
	// holder of message 1's ephemeral or static private key can read it.
	s.send(&wire.Frame{Type: wire.TypeWelcome, Welcome: w})
	if s.h.admit(s, false) {
		s.subscribe(ctx)
	} else {
		s.proof = time.AfterFunc(proofTimeout, s.close)
	}
	s.readLoop(ctx)
	s.close()
	if s.proof != nil {
		s.proof.Stop()
	}
	if s.sub != nil {
		s.sub.Stop()
	}
	s.wg.Wait()
}

// subscribe starts the party's deliveries, once the session is the party's.
func (s *session) subscribe(ctx context.Context) {
	sub, err := s.h.cfg.Store.Subscribe(ctx, s.code, s.deliver)
	if err != nil {
		s.h.log.Error("subscribing to a mailbox", "party", s.code, "err", err)
		s.close()
		return
	}
	s.sub = sub
	s.mu.Lock()
	s.ready = sub.Ready
	s.mu.Unlock()
}

// deliver is the store's callback for a message in the party's mailbox. It
// reports whether the frame was queued. A refusal (the queue holds maxQueued
// frames) is made good by the writer, which calls the subscription's Ready
// when it next takes the queue.
func (s *session) deliver(m store.Message) bool {
	b, err := deliverFrame(m)
	if err != nil {
		s.h.log.Error("a stored message cannot be delivered; leaving it to expire", "party", s.code, "seq", m.Seq, "err", err)
		return true // offering it again would not help
	}
	return s.enqueue(b, maxQueued)
}

// readLoop reads frames until the connection fails. A frame that fails Noise
// authentication ends the session; one that authenticates but does not parse
// gets an error reply and the session goes on. The first frame proves the
// session (Hub.admit).
func (s *session) readLoop(ctx context.Context) {
	defer s.conn.Release() // a return after a read leaves its frame in the read buffer
	for first := true; ; first = false {
		b, err := s.conn.ReadFrameView() // decoded (copied) before the next read
		if err != nil {
			if errors.Is(err, wire.ErrAuth) || errors.Is(err, wire.ErrSize) || errors.Is(err, wire.ErrMalformed) {
				s.h.log.Warn("closing a session on a bad message", "party", s.code, "err", err)
			}
			return
		}
		if first {
			// An authenticated transport message: the caller completed this
			// handshake now; it is not replaying an old message 1.
			if s.proof != nil && !s.proof.Stop() {
				return // too late: the session is closing
			}
			if s.h.admit(s, true) {
				s.subscribe(ctx)
			}
		}
		f, err := wire.Decode(b)
		if err != nil {
			s.send(&wire.Frame{Type: wire.TypeError, Req: reqOf(b), Code: wire.CodeBadFrame, Error: err.Error()})
			continue
		}
		if f.Type == wire.TypePing {
			s.send(&wire.Frame{Type: wire.TypePong, Req: f.Req})
			continue
		}
		if f.Type == wire.TypeAck {
			s.ack(ctx, f)
			continue
		}
		select {
		case s.inflow <- struct{}{}:
		case <-s.done:
			return
		}
		s.wg.Add(1)
		s.h.work.run(func() {
			defer s.wg.Done()
			defer func() { <-s.inflow }()
			s.send(s.h.request(ctx, s.code, f))
		})
	}
}

// ack acknowledges a delivery without taking one of the session's places
// for requests in progress (inflow): the store answers once the message's
// batch is removed (store.Store.AckFunc), a few milliseconds under load,
// and acks that held places while they waited held a recipient's session
// to InFlight acknowledgements per batch, and so its deliveries with it.
// What bounds them instead is the store's queue of Acks: past it an ack is
// removed at once, here, and the session reads on after that.
func (s *session) ack(ctx context.Context, f *wire.Frame) {
	s.wg.Add(1) // run waits for the reply, as for any request
	s.h.partyAckFunc(ctx, s.code, f, func(r *wire.Frame) {
		defer s.wg.Done()
		s.send(r)
	})
}

// reqOf digs the request number out of a frame that failed to decode, so the
// error reply can name it.
func reqOf(b []byte) uint64 {
	var r struct {
		Req uint64 `json:"req"`
	}
	_ = json.Unmarshal(b, &r)
	return r.Req
}

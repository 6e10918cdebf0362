package hub

import (
	"context"
	"encoding/json"
	"errors"
	"sync"

	"backchannel/internal/store"
	"backchannel/internal/wire"
)

// session is one party's open connection.
type session struct {
	h    *Hub
	conn *wire.Conn
	code string

	out    chan []byte // sealed by the writer goroutine, in order
	done   chan struct{}
	once   sync.Once
	inflow chan struct{} // semaphore of requests in progress
	wg     sync.WaitGroup
}

func newSession(h *Hub, c *wire.Conn, code string) *session {
	return &session{
		h: h, conn: c, code: code,
		out:    make(chan []byte, 1024),
		done:   make(chan struct{}),
		inflow: make(chan struct{}, h.cfg.InFlight),
	}
}

// close ends the session; safe to call more than once and from any goroutine.
func (s *session) close() {
	s.once.Do(func() {
		close(s.done)
		s.conn.Close()
	})
}

// send queues a frame for the writer. It drops the frame when the session is
// closing; a delivery that is dropped is offered again by the store later.
func (s *session) send(f *wire.Frame) bool {
	b, err := wire.Encode(f)
	if err != nil {
		s.h.log.Error("encoding a frame", "type", f.Type, "err", err)
		return false
	}
	select {
	case s.out <- b:
		return true
	case <-s.done:
		return false
	}
}

// trySend is send for the store's callback, which must not block: when the
// queue is full it reports false and the store offers the delivery again soon.
func (s *session) trySend(f *wire.Frame) bool {
	b, err := wire.Encode(f)
	if err != nil {
		s.h.log.Error("encoding a frame", "type", f.Type, "err", err)
		return true // offering it again would not help
	}
	select {
	case s.out <- b:
		return true
	default:
		return false
	}
}

func (s *session) writer() {
	defer s.wg.Done()
	for {
		select {
		case <-s.done:
			return
		case b := <-s.out:
			if err := s.conn.WriteFrame(b); err != nil {
				s.close()
				return
			}
		}
	}
}

func (s *session) run(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-ctx.Done():
			s.close()
		case <-s.done:
		}
	}()
	s.wg.Add(1)
	go s.writer()

	m := s.h.Members()
	w := &wire.Welcome{You: s.code, Mediator: m.Mediator, MaxTTL: int64(s.h.cfg.MaxTTL.Seconds()), Hub: s.h.cfg.Version}
	for _, p := range m.Peers(s.code) {
		if w.Peers == nil {
			w.Peers = map[string]string{}
		}
		w.Peers[p.Code] = p.Key.String()
	}
	s.send(&wire.Frame{Type: wire.TypeWelcome, Welcome: w})

	sub, err := s.h.cfg.Store.Subscribe(ctx, s.code, s.deliver)
	if err != nil {
		s.h.log.Error("subscribing to a mailbox", "party", s.code, "err", err)
		s.close()
	}
	s.readLoop(ctx)
	s.close()
	if sub != nil {
		sub.Stop()
	}
	s.wg.Wait()
}

// deliver is the store's callback for a message in the party's mailbox. It
// reports whether the frame was queued.
func (s *session) deliver(m store.Message) bool {
	var msg wire.Message
	if err := json.Unmarshal(m.Body, &msg); err != nil {
		s.h.log.Error("a stored message does not decode; leaving it to expire", "party", s.code, "seq", m.Seq, "err", err)
		return true
	}
	msg.ID, msg.From, msg.To, msg.Kind = m.ID, m.From, m.To, m.Kind
	created, expires := m.Created, m.Expires
	msg.Sent, msg.Expires = &created, &expires
	return s.trySend(&wire.Frame{Type: wire.TypeDeliver, Msg: &msg})
}

// readLoop reads frames until the connection fails. A frame that fails Noise
// authentication ends the session; one that authenticates but does not parse
// gets an error reply and the session goes on.
func (s *session) readLoop(ctx context.Context) {
	for {
		b, err := s.conn.ReadFrame()
		if err != nil {
			if errors.Is(err, wire.ErrAuth) || errors.Is(err, wire.ErrSize) || errors.Is(err, wire.ErrMalformed) {
				s.h.log.Warn("closing a session on a bad message", "party", s.code, "err", err)
			}
			return
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
		select {
		case s.inflow <- struct{}{}:
		case <-s.done:
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.inflow }()
			s.send(s.h.request(ctx, s.code, f))
		}()
	}
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

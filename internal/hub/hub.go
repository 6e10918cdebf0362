package hub

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"backchannel/internal/identity"
	"backchannel/internal/wire"
)

// Config configures a Hub.
type Config struct {
	Key         *identity.Private // the mediator's identity
	MembersPath string            // enrollment file, re-read when it changes
	Store       Store
	Logger      *slog.Logger
	Schedule    wire.Schedule
	Now         func() time.Time
	DefaultTTL  time.Duration // default 72h
	MaxTTL      time.Duration // default 7 days
	Version     string
	// InFlight bounds the requests one session may have in progress at once.
	InFlight int
	// PeerKeys bounds how fast one party may take another's one-time keys;
	// zero means DefaultPeerKeyLimit.
	PeerKeys PeerKeyLimit
}

// Hub is the mediator's hub. Its methods are safe for concurrent use.
type Hub struct {
	cfg     Config
	log     *slog.Logger
	members atomic.Pointer[Members]
	mstamp  atomic.Int64 // mtime of the loaded enrollment file

	mu       sync.Mutex
	sessions map[string]*session   // by party code: the session that gets the party's mail
	waiting  map[*session]struct{} // sessions not admitted yet (see admit)
	wg       sync.WaitGroup

	reg  *registry
	work *workers // runs the sessions' requests
}

// New loads the enrollment file and returns a hub ready to Serve.
func New(cfg Config) (*Hub, error) {
	if cfg.Key == nil || cfg.Store == nil || cfg.MembersPath == "" {
		return nil, errors.New("hub: Key, Store and MembersPath are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.DefaultTTL <= 0 {
		cfg.DefaultTTL = 72 * time.Hour
	}
	if cfg.MaxTTL <= 0 {
		cfg.MaxTTL = 7 * 24 * time.Hour
	}
	if cfg.DefaultTTL > cfg.MaxTTL {
		cfg.DefaultTTL = cfg.MaxTTL
	}
	if cfg.InFlight <= 0 {
		cfg.InFlight = 256
	}
	h := &Hub{cfg: cfg, log: cfg.Logger, sessions: map[string]*session{}, waiting: map[*session]struct{}{}, work: newWorkers()}
	if err := h.reload(); err != nil {
		return nil, err
	}
	h.reg = newRegistry(h)
	return h, nil
}

// Members returns the enrollment in effect.
func (h *Hub) Members() *Members { return h.members.Load() }

// Mediator returns the mediator's code.
func (h *Hub) Mediator() string { return h.Members().Mediator }

// reload re-reads the enrollment file when its content changed and
// closes the sessions of parties no longer enrolled under the same key.
func (h *Hub) reload() error {
	data, err := os.ReadFile(h.cfg.MembersPath)
	if err != nil {
		return fmt.Errorf("hub: enrollment: %w", err)
	}
	// Stamp by content: a re-key saved within one tick of the file system's
	// clock has the same size and modification time.
	sum := sha256.Sum256(data)
	stamp := int64(binary.BigEndian.Uint64(sum[:8]))
	if h.members.Load() != nil && stamp == h.mstamp.Load() {
		return nil
	}
	m, err := ParseMembers(h.cfg.MembersPath, data)
	if err != nil {
		return err
	}
	old := h.members.Swap(m)
	h.mstamp.Store(stamp)
	if old != nil && old.Mediator != m.Mediator {
		h.log.Warn("enrollment: the mediator code changed; mail addressed to the old code stays under it", "old", old.Mediator, "new", m.Mediator)
	}
	h.mu.Lock()
	for code, s := range h.sessions {
		p := m.Parties[code]
		if p == nil || !p.Key.Equal(s.conn.Peer()) {
			h.log.Info("enrollment: closing the session of a removed party", "party", code)
			s.close()
		}
	}
	for s := range h.waiting {
		if p := m.Parties[s.code]; p == nil || !p.Key.Equal(s.conn.Peer()) {
			s.close()
		}
	}
	h.mu.Unlock()
	h.log.Info("enrollment loaded", "mediator", m.Mediator, "parties", len(m.Parties))
	return nil
}

// Serve accepts connections on ln until ctx ends, then closes every session and
// returns when all of its goroutines have stopped.
func (h *Hub) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	h.wg.Add(2)
	go func() {
		defer h.wg.Done()
		<-ctx.Done()
		ln.Close()
	}()
	go func() {
		defer h.wg.Done()
		h.watch(ctx)
	}()
	var err error
	for {
		nc, aerr := ln.Accept()
		if aerr != nil {
			if ctx.Err() == nil {
				err = aerr
			}
			break
		}
		h.wg.Add(1)
		go func() {
			defer h.wg.Done()
			h.handle(ctx, nc)
		}()
	}
	cancel()
	h.mu.Lock()
	for _, s := range h.sessions {
		s.close()
	}
	for s := range h.waiting {
		s.close()
	}
	h.mu.Unlock()
	h.wg.Wait()
	h.work.stop()
	return err
}

// watch re-reads the enrollment file every second and runs the registry's
// clock (expiry of assurances) every minute.
func (h *Hub) watch(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := h.reload(); err != nil {
				h.log.Error("enrollment: keeping the previous one", "err", err)
			}
			if i%60 == 59 {
				h.reg.evaluate(ctx)
			}
		}
	}
}

// handle runs one connection: the handshake, then the session. A first message
// from an unknown key gets no answer at all.
func (h *Hub) handle(ctx context.Context, nc net.Conn) {
	defer nc.Close()
	_ = h.reload()
	m := h.Members()
	hctx, cancel := context.WithTimeout(ctx, wire.DefaultHandshakeTimeout)
	c, err := wire.Server(hctx, nc, h.cfg.Key, m.Keys(), h.cfg.Schedule)
	cancel()
	if err != nil {
		h.log.Debug("handshake refused", "remote", nc.RemoteAddr().String(), "err", err)
		return
	}
	p := m.ByKey(c.Peer())
	if p == nil {
		return
	}
	s := newSession(h, c, p.Code)
	h.log.Info("session open", "party", p.Code)
	s.run(ctx)
	h.mu.Lock()
	delete(h.waiting, s)
	if h.sessions[p.Code] == s {
		delete(h.sessions, p.Code)
	}
	h.mu.Unlock()
	h.log.Info("session closed", "party", p.Code)
}

// admit makes s its party's session, closing the one before, unless that one
// is proven (it has read an authenticated transport frame) and s is not: KK
// message 1 can be replayed, so a handshake alone does not show that the
// caller is there now, and a replayed message 1 must not displace a working
// session. Such an s waits until its first frame proves it (admit again,
// with proven), or until proofTimeout closes it. admit reports whether s
// became the party's session just now.
func (h *Hub) admit(s *session, proven bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	s.proven = s.proven || proven
	old := h.sessions[s.code]
	if old == s {
		return false
	}
	if old != nil && old.proven && !s.proven {
		h.waiting[s] = struct{}{}
		h.log.Info("session waits for its first frame before replacing the party's session", "party", s.code)
		return false
	}
	delete(h.waiting, s)
	if old != nil {
		old.close()
	}
	h.sessions[s.code] = s
	return true
}

// Connected returns the codes of parties with a session open.
func (h *Hub) Connected() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.sessions))
	for c := range h.sessions {
		out = append(out, c)
	}
	return out
}

func (h *Hub) ttl(secs int64) (time.Duration, error) {
	if secs == 0 {
		return h.cfg.DefaultTTL, nil
	}
	d := time.Duration(secs) * time.Second
	if secs < 0 || d > h.cfg.MaxTTL {
		return 0, fmt.Errorf("ttl %ds is outside 1s..%s (the hub's bound)", secs, h.cfg.MaxTTL)
	}
	return d, nil
}

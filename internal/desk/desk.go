// Package desk is a party's desk: it holds the party's key and local state
// (encrypted at rest, every item expiring), keeps a Noise session to the
// mediator's hub, reconnecting with backoff, keeps what the hub delivers, and
// serves the command line on a local socket.
//
// Expiry here is housekeeping on this desk. It does not bind the other side: a
// participant can always keep private notes, or relay live to a third party.
package desk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"backchannel/internal/identity"
	"backchannel/internal/localapi"
	"backchannel/internal/sealed"
	"backchannel/internal/wire"
)

// Config configures a Desk.
type Config struct {
	Dir      string // the desk's directory: key, config, state, socket
	Key      *identity.Private
	HubAddr  string // host:port
	HubKey   identity.Public
	Logger   *slog.Logger
	Now      func() time.Time
	Schedule wire.Schedule
	// MinBackoff and MaxBackoff bound the wait between reconnection attempts.
	MinBackoff, MaxBackoff time.Duration
	// OneTimeKeys is how many one-time keys the desk keeps deposited.
	OneTimeKeys int
}

// ErrOffline is returned for a request that needs the hub while there is no
// session.
var ErrOffline = errors.New("the desk has no session with the hub right now")

// Desk is a party's desk. Its methods are safe for concurrent use.
type Desk struct {
	cfg Config
	log *slog.Logger

	mu   sync.Mutex // guards st and conn
	st   *state
	conn *wire.Conn
	rmu  sync.Mutex // serializes replenish (after connecting and every minute)

	next    atomic.Uint64
	pmu     sync.Mutex
	pending map[uint64]chan *wire.Frame
	online  chan struct{} // closed and replaced when a session opens
}

// New opens the desk's state.
func New(cfg Config) (*Desk, error) {
	if cfg.Key == nil || cfg.Dir == "" || cfg.HubAddr == "" {
		return nil, errors.New("desk: Dir, Key and HubAddr are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 500 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = 30 * time.Second
	}
	if cfg.OneTimeKeys <= 0 {
		cfg.OneTimeKeys = 20
	}
	st, err := loadState(filepath.Join(cfg.Dir, stateFile), cfg.Key)
	if err != nil {
		return nil, err
	}
	st.expire(cfg.Now())
	return &Desk{cfg: cfg, log: cfg.Logger, st: st, pending: map[uint64]chan *wire.Frame{}, online: make(chan struct{})}, nil
}

// saveLocked writes the state; d.mu must be held.
func (d *Desk) saveLocked() error {
	d.st.expire(d.cfg.Now())
	return d.st.save(filepath.Join(d.cfg.Dir, stateFile), d.cfg.Key)
}

// Run keeps a session with the hub until ctx ends, reconnecting with
// exponential backoff and jitter.
func (d *Desk) Run(ctx context.Context) error {
	wait := d.cfg.MinBackoff
	var house sync.WaitGroup
	defer house.Wait()
	hctx, stopHouse := context.WithCancel(ctx)
	defer stopHouse()
	house.Go(func() { d.housekeep(hctx) })
	for ctx.Err() == nil {
		start := time.Now()
		err := d.session(ctx)
		if ctx.Err() != nil {
			break
		}
		if time.Since(start) > 10*time.Second {
			wait = d.cfg.MinBackoff
		}
		d.log.Warn("no session with the hub; retrying", "in", wait.Round(time.Millisecond), "err", err)
		t := time.NewTimer(wait/2 + rand.N(wait/2+1))
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		wait = min(wait*2, d.cfg.MaxBackoff)
	}
	return nil
}

// housekeep drops expired items from the state file every minute, so an expired
// message leaves the disk even when nothing else writes the state, and tops up
// the one-time keys the hub handed out meanwhile.
func (d *Desk) housekeep(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.expireNow()
			if err := d.replenish(ctx); err != nil && !errors.Is(err, ErrOffline) && ctx.Err() == nil {
				d.log.Warn("topping up one-time keys", "err", err)
			}
		}
	}
}

// expireNow drops expired items and saves the state when anything went.
func (d *Desk) expireNow() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.st.expire(d.cfg.Now()) {
		if err := d.st.save(filepath.Join(d.cfg.Dir, stateFile), d.cfg.Key); err != nil {
			d.log.Error("saving the state after expiry", "err", err)
		}
	}
}

// session runs one connection to the hub until it fails or ctx ends.
func (d *Desk) session(ctx context.Context) error {
	var dl net.Dialer
	nc, err := dl.DialContext(ctx, "tcp", d.cfg.HubAddr)
	if err != nil {
		return err
	}
	defer nc.Close()
	hctx, cancel := context.WithTimeout(ctx, wire.DefaultHandshakeTimeout)
	c, err := wire.Client(hctx, nc, d.cfg.Key, d.cfg.HubKey, d.cfg.Schedule)
	cancel()
	if err != nil {
		return err
	}
	// Proof of presence (docs/PROTOCOL.md 4.2): a frame at once, so the hub
	// lets this session take over from the previous one. Its pong (request 0)
	// matches no pending request and is dropped by readLoop.
	if b, err := wire.Encode(&wire.Frame{Type: wire.TypePing}); err != nil {
		return err
	} else if err := c.WriteFrame(b); err != nil {
		return err
	}
	b, err := c.ReadFrame()
	if err != nil {
		return err
	}
	f, err := wire.Decode(b)
	if err != nil || f.Type != wire.TypeWelcome || f.Welcome == nil {
		return fmt.Errorf("the hub's first frame is not a welcome: %v", err)
	}
	d.mu.Lock()
	d.st.Me, d.st.Mediator, d.st.Peers = f.Welcome.You, f.Welcome.Mediator, f.Welcome.Peers
	d.st.MaxTTL = f.Welcome.MaxTTL
	if d.st.Peers == nil {
		d.st.Peers = map[string]string{}
	}
	d.conn = c
	err = d.saveLocked()
	close(d.online)
	d.online = make(chan struct{})
	d.mu.Unlock()
	if err != nil {
		return err
	}
	d.log.Info("session open", "me", f.Welcome.You, "mediator", f.Welcome.Mediator)

	done := make(chan error, 1)
	go func() { done <- d.readLoop(c) }()
	stop := context.AfterFunc(ctx, func() { nc.Close() })
	defer stop()
	// The outbox flush and key top-up belong to this session: Run must not
	// return while they could still save the state.
	actx, cancelAfter := context.WithCancel(ctx)
	var after sync.WaitGroup
	after.Go(func() { d.afterConnect(actx) })
	err = <-done
	cancelAfter()
	d.mu.Lock()
	if d.conn == c {
		d.conn = nil
	}
	d.mu.Unlock()
	d.failPending()
	after.Wait()
	return err
}

// afterConnect sends what waited for a session: the outbox, and one-time keys.
func (d *Desk) afterConnect(ctx context.Context) {
	d.flushOutbox(ctx)
	if err := d.replenish(ctx); err != nil {
		d.log.Warn("depositing one-time keys", "err", err)
	}
}

func (d *Desk) readLoop(c *wire.Conn) error {
	for {
		b, err := c.ReadFrame()
		if err != nil {
			return err
		}
		f, err := wire.Decode(b)
		if err != nil {
			d.log.Warn("a frame from the hub does not decode", "err", err)
			continue
		}
		if f.Type == wire.TypeDeliver {
			d.deliver(c, f.Msg)
			continue
		}
		d.pmu.Lock()
		ch := d.pending[f.Req]
		delete(d.pending, f.Req)
		d.pmu.Unlock()
		if ch != nil {
			ch <- f
		}
	}
}

func (d *Desk) failPending() {
	d.pmu.Lock()
	defer d.pmu.Unlock()
	for k, ch := range d.pending {
		close(ch)
		delete(d.pending, k)
	}
}

// request sends f and waits for its reply.
func (d *Desk) request(ctx context.Context, f *wire.Frame) (*wire.Frame, error) {
	d.mu.Lock()
	c := d.conn
	d.mu.Unlock()
	if c == nil {
		return nil, ErrOffline
	}
	f.Req = d.next.Add(1)
	ch := make(chan *wire.Frame, 1)
	d.pmu.Lock()
	d.pending[f.Req] = ch
	d.pmu.Unlock()
	b, err := wire.Encode(f)
	if err == nil {
		err = c.WriteFrame(b)
	}
	if err != nil {
		d.pmu.Lock()
		delete(d.pending, f.Req)
		d.pmu.Unlock()
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	select {
	case r, ok := <-ch:
		if !ok {
			return nil, ErrOffline
		}
		if r.Type == wire.TypeError {
			return r, &HubError{Code: r.Code, Msg: r.Error}
		}
		return r, nil
	case <-ctx.Done():
		d.pmu.Lock()
		delete(d.pending, f.Req)
		d.pmu.Unlock()
		return nil, fmt.Errorf("no answer from the hub: %w", ctx.Err())
	}
}

// HubError is a refusal by the hub.
type HubError struct{ Code, Msg string }

func (e *HubError) Error() string { return "the hub refused: " + e.Msg }

// deliver keeps a delivered message (once), then acknowledges it so the hub
// deletes its copy. The state is on disk before the ack leaves.
func (d *Desk) deliver(c *wire.Conn, m *wire.Message) {
	if m == nil || m.ID == "" {
		return
	}
	now := d.cfg.Now()
	d.mu.Lock()
	if _, seen := d.st.Seen[m.ID]; !seen {
		it := localapi.Item{ID: m.ID, From: m.From, Kind: m.Kind, Text: m.Text, Assurance: m.Assurance}
		if m.Sent != nil {
			it.Sent = *m.Sent
		}
		it.Expires = now.Add(72 * time.Hour)
		if m.Expires != nil {
			it.Expires = *m.Expires
		}
		if m.Kind == wire.KindSealed {
			it.Text, it.Sealed = d.openSealedLocked(m), true
		}
		d.st.Inbox = append(d.st.Inbox, it)
		d.st.Seen[m.ID] = it.Expires.Add(24 * time.Hour)
		if err := d.saveLocked(); err != nil {
			d.mu.Unlock()
			d.log.Error("saving a delivered message; not acknowledging it", "err", err)
			return
		}
	}
	d.mu.Unlock()
	b, err := wire.Encode(&wire.Frame{Type: wire.TypeAck, Req: d.next.Add(1), ID: m.ID})
	if err == nil {
		err = c.WriteFrame(b)
	}
	if err != nil {
		d.log.Warn("acknowledging a delivery", "err", err)
	}
}

// openSealedLocked opens a sealed message with the one-time key it names and
// destroys that key.
func (d *Desk) openSealedLocked(m *wire.Message) string {
	if m.Sealed == nil {
		return "(a sealed message with no ciphertext)"
	}
	sender, err := identity.ParsePublic(d.st.Peers[m.From])
	if err != nil {
		return fmt.Sprintf("(a sealed message from %s, whose key this desk was not introduced to)", m.From)
	}
	for i, k := range d.st.OneTime {
		if k.KID != m.Sealed.KID {
			continue
		}
		p, err := sealed.Open(d.cfg.Key, sender, k.KID, k.Priv, m.Sealed.Enc, m.Sealed.CT)
		clear(d.st.OneTime[i].Priv)
		d.st.OneTime = append(d.st.OneTime[:i], d.st.OneTime[i+1:]...)
		if err != nil {
			return fmt.Sprintf("(a sealed message from %s that did not open: %v)", m.From, err)
		}
		return p.Text
	}
	return fmt.Sprintf("(a sealed message from %s to one-time key %s, which this desk no longer holds)", m.From, m.Sealed.KID)
}

// replenish keeps the configured number of this desk's one-time keys at the
// hub. It asks the hub which keys it still holds (a deposit of none), deposits
// fresh ones for those handed out, and forgets the private halves of keys
// handed out long enough ago that no message to them can still arrive
// (keyGrace). A hub that does not answer with its stock gets the old
// behaviour: the desk counts the private halves it holds and forgets none.
func (d *Desk) replenish(ctx context.Context) error {
	d.rmu.Lock()
	defer d.rmu.Unlock()
	d.mu.Lock()
	peers := maps.Clone(d.st.Peers)
	mine := len(d.st.OneTime)
	d.mu.Unlock()
	if len(peers) == 0 && mine == 0 {
		return nil
	}
	r, err := d.request(ctx, &wire.Frame{Type: wire.TypeDeposit})
	var he *HubError
	if errors.As(err, &he) && he.Code == wire.CodeBadFrame {
		r, err = &wire.Frame{}, nil // a hub from before deposits answered with the stock
	}
	if err != nil {
		return err
	}
	d.mu.Lock()
	need := d.cfg.OneTimeKeys - len(d.st.OneTime)
	if r.Held != nil {
		usable, changed := d.st.reconcile(r.Held.KIDs, d.cfg.Now(), keyGrace(d.st.MaxTTL))
		need = d.cfg.OneTimeKeys - usable
		if changed {
			err = d.saveLocked()
		}
	}
	d.mu.Unlock()
	if err != nil || need <= 0 || len(peers) == 0 {
		return err
	}
	var fresh []sealed.OneTime
	var frames []wire.OneTimeKey
	for range need {
		k, err := sealed.NewOneTime()
		if err != nil {
			return err
		}
		w := wire.OneTimeKey{KID: k.KID, Pub: k.Pub, Tags: map[string][]byte{}}
		for code, ks := range peers {
			pk, err := identity.ParsePublic(ks)
			if err != nil {
				return fmt.Errorf("peer %s: %w", code, err)
			}
			if w.Tags[code], err = sealed.Tag(d.cfg.Key, pk, k.KID, k.Pub); err != nil {
				return err
			}
		}
		fresh = append(fresh, *k)
		frames = append(frames, w)
	}
	// Keep the private halves before the public ones leave.
	d.mu.Lock()
	d.st.OneTime = append(d.st.OneTime, fresh...)
	err = d.saveLocked()
	d.mu.Unlock()
	if err != nil {
		return err
	}
	_, err = d.request(ctx, &wire.Frame{Type: wire.TypeDeposit, Keys: frames})
	return err
}

// keyGrace is how long the desk keeps the private half of a one-time key after
// it first saw that the hub no longer holds it. A sender seals when it gets the
// key; its desk may keep the sealed message in its outbox for the message's
// time to live (72 h when the sender set none, else at most the hub's
// max_ttl), and the hub keeps it as long again once accepted. An hour more
// covers clocks that disagree.
func keyGrace(maxTTL int64) time.Duration {
	m := time.Duration(maxTTL) * time.Second
	if m <= 0 {
		m = 7 * 24 * time.Hour
	}
	return max(m, 72*time.Hour) + m + time.Hour
}

// flushOutbox sends every queued frame; each leaves the outbox once the hub
// accepted or definitively refused it.
func (d *Desk) flushOutbox(ctx context.Context) {
	d.mu.Lock()
	q := append([]queued(nil), d.st.Outbox...)
	d.mu.Unlock()
	for _, it := range q {
		if err := d.sendQueued(ctx, it); errors.Is(err, ErrOffline) {
			return
		}
	}
}

func (d *Desk) sendQueued(ctx context.Context, it queued) error {
	var f wire.Frame
	if err := json.Unmarshal(it.Frame, &f); err != nil {
		d.dropQueued(it.ID)
		return err
	}
	_, err := d.request(ctx, &f)
	var he *HubError
	if err == nil || errors.As(err, &he) && he.Code != wire.CodeInternal {
		d.dropQueued(it.ID)
	}
	return err
}

func (d *Desk) dropQueued(id string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, q := range d.st.Outbox {
		if q.ID == id {
			d.st.Outbox = append(d.st.Outbox[:i], d.st.Outbox[i+1:]...)
			if err := d.saveLocked(); err != nil {
				d.log.Error("saving the state", "err", err)
			}
			return
		}
	}
}
